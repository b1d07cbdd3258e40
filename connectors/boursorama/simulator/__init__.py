"""Boursorama simulator: ``start_sandbox(...)`` runs it on 127.0.0.1 and returns a Sandbox.

``truth()`` is every **booked** transaction of the ledger (pending ones excluded): exactly what a full
sync retrieves through the CSV export, which reaches back to the ledger's first day (the connector's
default history depth, 40 months, exceeds the simulator's ``months``). PDF statements cover the same
months again and are evidence, not extra rows.

Layout: ``ledger.py`` (ground truth), ``state.py`` (knobs and server memory), ``login.py`` /
``exports.py`` / ``documents.py`` (handlers taking ``(request, state)``), ``routes.py`` (the route table
and ``build_app``; see :mod:`connectors.simulator_kit`), ``html.py`` / ``csv_profiles.py`` / ``glyphs.py``
(what the pages and files look like).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from connectors.base import SandboxConnection, TruthRow
from connectors.boursorama.simulator.ledger import Ledger, build_ledger
from connectors.boursorama.simulator.routes import build_app
from connectors.boursorama.simulator.state import Knobs, SimState
from connectors.simulator_kit import serve

BANK = "boursorama"
CONNECTION = "boursorama-demo"


@dataclass
class BoursoramaSandbox:
    url: str
    connections: list[SandboxConnection]
    state: SimState
    runner: web.AppRunner = field(repr=False)

    @property
    def ledger(self) -> Ledger:
        return self.state.ledger

    def truth(self) -> list[TruthRow]:
        return [TruthRow(bank=BANK, connection=CONNECTION, account_number=t.account, booking_date=t.booking_date,
                         amount=t.amount, label=t.label)
                for t in sorted(self.ledger.booked(), key=lambda t: (t.account, t.booking_date, t.seq))]

    def write_truth(self, path: Path) -> None:
        """Ground truth as JSON lines (no secrets in it)."""
        with path.open("w", encoding="utf-8") as f:
            for row in self.truth():
                f.write(json.dumps({"account_number": row.account_number, "booking_date": row.booking_date.isoformat(),
                                    "amount": str(row.amount), "label": row.label}, ensure_ascii=False) + "\n")

    def login_posts(self) -> int:
        """How many login POSTs the server received (tests: a wrong password is sent once)."""
        return sum(1 for m, p in self.state.requests if m == "POST" and p == "/connexion/saisie-mot-de-passe")

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_sandbox(host: str = "127.0.0.1", port: int = 0, *, seed: int = 0, today: dt.date | None = None,
                        latency: float = 0.0, wrong_password: bool = False, sca: bool = False,
                        months: int = 30, **bank_knobs: Any) -> BoursoramaSandbox:
    """Start the simulator. Bank knobs (see :class:`Knobs`): ``maintenance``, ``blocked``,
    ``session_expiry_mid_export``, ``export_cap``, ``csv_profile`` (p2018 … p2026fr), ``export_flow``
    (post_token | get_legacy), ``download_page``, ``history_otp_after_days``, ``keypad_glyph_set``
    (sim-v1 | unknown), ``statement_months``; ``months`` = history depth of the ledger."""
    unknown = set(bank_knobs) - set(Knobs.__dataclass_fields__)
    if unknown:
        raise TypeError(f"unknown Boursorama sandbox knobs: {', '.join(sorted(unknown))}")
    knobs = Knobs(sca=sca, latency=latency, **bank_knobs)
    ledger = build_ledger(seed, today, months)
    login = str(10_000_000 + seed * 7919 % 89_999_999)
    password = f"{(seed * 104_729 + 12_345_670) % 100_000_000:08d}"
    state = SimState(ledger=ledger, login=login, password=password, knobs=knobs)
    runner, _, bound = await serve(build_app(state), host, port)
    url = f"http://{host}:{bound}"
    given = password if not wrong_password else f"{(int(password) + 1) % 100_000_000:08d}"
    options: dict[str, Any] = {"export_flow": "legacy_get" if knobs.export_flow == "get_legacy" else "post"}
    if knobs.export_cap:
        options["export_cap"] = knobs.export_cap
    conn = SandboxConnection(name=CONNECTION, bank=BANK, base_url=url, options=options,
                             secrets={"login": login, "password": given})
    return BoursoramaSandbox(url=url, connections=[conn], state=state, runner=runner)
