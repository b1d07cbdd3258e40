"""The running simulator: ledger + knobs + aiohttp server, implementing ``connectors.base.Sandbox``.

The sandbox is the simulator's state: the handlers (``handlers.py``) take ``(request, sandbox)``, the
route table is ``routes.py`` (see :mod:`connectors.simulator_kit`), the ground truth ``ledger.py``.

Knobs are plain attributes, read by the app on every request, so a test can change them while the
server runs (``sb.fail_5xx = 2``). Request counters (``requests_total``, ``requests`` per
``"METHOD /canonical/route"``, ``paths`` per ``"METHOD /actual/path"``, ``queries`` in order, ``sync_attempts`` per Powens
connection id, ``activations`` per account id) let tests see what the client did.

Ground truth (:meth:`BudgeaSandbox.truth`): every booked (``coming`` false), non-deleted transaction of
every non-deleted account, for all connections, whatever the failure knobs say. It is exactly what a
full sync retrieves (Powens keeps the whole history this simulator generates; there is no 90-day limit
and no statement backfill for Budgea). It changes with :meth:`advance_days`.
"""
from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path
from typing import Any

from aiohttp import web

from connectors.accounts import mask_card_number
from connectors.base import SandboxConnection, TruthRow
from connectors.budgea.simulator.ledger import Ledger, SimConnection
from connectors.budgea.simulator.routes import PREFIX, build_app
from connectors.simulator_kit import serve

BANK = "budgea"


class BudgeaSandbox:
    """A simulated Powens domain. Build it with :func:`connectors.budgea.simulator.start_sandbox`."""

    def __init__(self, *, seed: int = 0, today: dt.date | None = None, users: int = 1, latency: float = 0.0,
                 wrong_password: bool = False, sca: bool = False, fail_5xx: int = 0,
                 rate_limit_per_min: int = 0, rate_window: float = 60.0, pagination: str = "links",
                 links_absolute: bool = False, amounts_as_strings: bool = False,
                 booking_variant: str = "in_place", connection_state: str | None = None,
                 validating_polls: int = 0, otp: str | bool = "off", otp_code: str = "246810",
                 otp_ttl: float = 300.0, webhook_url: str | None = None, webhook_auth: str = "hmac",
                 webhook_secret: str = "sim-webhook-secret", webhook_format: str = "connection_synced",
                 webhook_retries: int = 2) -> None:
        if pagination not in ("links", "offset"):
            raise ValueError(f"pagination must be 'links' or 'offset', not {pagination!r}")
        if booking_variant not in ("in_place", "recreate"):
            raise ValueError(f"booking_variant must be 'in_place' or 'recreate', not {booking_variant!r}")
        self.ledger = Ledger(seed=seed, today=today, users=users)
        # knobs (mutable at runtime)
        self.latency = latency
        self.wrong_password = wrong_password
        self.sca = sca
        self.fail_5xx = fail_5xx
        self.rate_limit_per_min = rate_limit_per_min
        self.rate_window = rate_window            # seconds; 60 is "per minute", tests shrink it
        self.pagination = pagination
        self.links_absolute = links_absolute
        self.amounts_as_strings = amounts_as_strings
        self.booking_variant = booking_variant
        self.connection_state = connection_state  # any Powens state forced on the first connection's sync
        self.validating_polls = validating_polls  # GET polls answering "validating" after each sync
        self.otp = otp                            # "off" | "once" | "always": a code asked (simulator/otp.py)
        self.otp_code = otp_code                  # the code the "SMS" carries
        self.otp_ttl = otp_ttl                    # seconds before a sent code expires
        self.otp_passed = False                   # a right code was posted ("once" asks no more)
        self.webhook_url = webhook_url            # webhooks (simulator/webhooks.py)
        self.webhook_auth = webhook_auth          # "hmac" | "bearer"
        self.webhook_secret = webhook_secret
        self.webhook_format = webhook_format      # "connection_synced" | "legacy"
        self.webhook_retries = webhook_retries
        # counters
        self.requests_total = 0
        self.requests: collections.Counter[str] = collections.Counter()
        self.paths: collections.Counter[str] = collections.Counter()
        self.queries: list[str] = []              # "METHOD /path?query" of every request, in order
        self.sync_attempts: collections.Counter[int] = collections.Counter()
        self.activations: collections.Counter[int] = collections.Counter()
        self.psu_requested: list[str] = []
        self.otp_sent = 0                         # codes "sent by SMS"
        self.otp_posts: collections.Counter[int] = collections.Counter()  # codes posted per connection id
        self.webhook_queue: list[bytes] = []      # bodies not yet answered 200
        self.webhook_last: bytes | None = None    # the last body answered 200
        self.webhook_pushed: dict[int, dt.datetime] = {}  # connection id -> clock of its last push
        self.webhook_log: list[tuple[int, str]] = []      # (status, body sha256) of every attempt
        self.rate_hits: collections.deque[float] = collections.deque()
        self.rejected_429 = 0
        # server
        self.url = ""
        self.connections: list[SandboxConnection] = []
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ server
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> "BudgeaSandbox":
        self._runner, bound_host, bound_port = await serve(build_app(self), host, port)
        self.url = f"http://{bound_host}:{bound_port}{PREFIX}"
        self.connections = [SandboxConnection(name=self.connection_name(u, c), bank=BANK, base_url=self.url,
                                              options={"powens_connection_ids": [c.id]},
                                              secrets={"token": self.ledger.users[u].token})
                            for u, user in enumerate(self.ledger.users) for c in user.connections]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "BudgeaSandbox":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def record(self, method: str, canonical: str, path: str, path_qs: str) -> None:
        self.requests_total += 1
        self.queries.append(f"{method} {path_qs}")
        self.requests[f"{method} {canonical}"] += 1
        self.paths[f"{method} {path}"] += 1

    # ------------------------------------------------------------------ ledger
    @staticmethod
    def connection_name(user_index: int, conn: SimConnection) -> str:
        return f"budgea-{conn.slot}" if user_index == 0 else f"budgea-u{user_index}-{conn.slot}"

    @property
    def token(self) -> str:
        """User 0's permanent token."""
        return self.ledger.users[0].token

    def advance_days(self, n: int = 1) -> None:
        """Move the simulator clock ``n`` days (pending rows book per ``booking_variant``)."""
        self.ledger.advance_days(n, self.booking_variant)

    async def background_refresh(self, days: int = 1) -> dict[str, int]:
        """Powens' own refresh: the clock moves ``days``, then webhooks go out (``webhook_url``)."""
        from connectors.budgea.simulator.webhooks import background_refresh

        return await background_refresh(self, days)

    def truth(self) -> list[TruthRow]:
        rows: list[TruthRow] = []
        for u, user in enumerate(self.ledger.users):
            for conn in user.connections:
                name = self.connection_name(u, conn)
                for acc in conn.accounts:
                    if acc.deleted is not None:
                        continue
                    # the number as bankflow shows it: a card's masked (connectors/accounts.py)
                    number = mask_card_number(acc.number) if acc.key == "card" else acc.number
                    rows.extend(TruthRow(bank=BANK, connection=name, account_number=number,
                                         booking_date=t.date, amount=t.value, label=t.original_wording)
                                for t in acc.rows if not t.coming and t.deleted is None)
        return rows

    def write_truth(self, path: str | Path) -> Path:
        """Write :meth:`truth` as Parquet (bank, connection, account_number, booking_date date32,
        amount decimal128(18,2), label). No token or secret is written."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = self.truth()
        schema = pa.schema([("bank", pa.string()), ("connection", pa.string()), ("account_number", pa.string()),
                            ("booking_date", pa.date32()), ("amount", pa.decimal128(18, 2)),
                            ("label", pa.string())])
        table = pa.table({
            "bank": [r.bank for r in rows], "connection": [r.connection for r in rows],
            "account_number": [r.account_number for r in rows], "booking_date": [r.booking_date for r in rows],
            "amount": [r.amount for r in rows], "label": [r.label for r in rows],
        }, schema=schema)
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, out)
        return out
