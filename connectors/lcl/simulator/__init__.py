"""LCL simulator: ``start_sandbox(...)`` runs the JSON API of ``monespace.lcl.fr`` on 127.0.0.1.

Ground truth (:meth:`LclSandbox.truth`) is **every booked row of the full history** (``months`` of it, 26 by
default). With the history gate on (the default, ``history_days=90``: the API refuses any page holding a row
booked more than 90 days ago), the transaction API alone cannot return all of it: **the API for the recent days
plus the monthly PDF statements before them together retrieve all of it**, which is what the LCL connector does.
With ``history_days=None`` the API alone returns everything. Statements exist for each period ended before
``today``; the gate must stay above ~46 days so that the API reaches back past the last statement's end
(otherwise rows between the last statement and the gate would be unreachable, as at the real bank).

Layout: ``ledger.py`` (ground truth), ``statements.py`` (monthly statements from it), ``state.py`` (knobs and
server memory), ``login.py`` / ``data.py`` (handlers taking ``(request, state)``), ``routes.py`` (the route table and
``build_app``; see :mod:`connectors.simulator_kit`).

Bank knobs: ``history_days`` (int | None, default 90), ``token_ttl`` (seconds, default 900), ``blocked`` (login
answers ``CREDENTIALS_BLOCKED``), ``months`` (history length), ``expire_first_token_after`` (test aid: the
first session's tokens expire after that many data calls, to force one re-login mid-paging), ``contract_id_form``
(``"both"``, default, ``"raw"`` or ``"encoded"``: which ``contractId`` form the contract selection accepts).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from connectors.base import SandboxConnection, TruthRow
from connectors.simulator_kit import serve

from .ledger import Ledger, generate
from .routes import build_app
from .state import SimConfig, SimState
from .statements import build_statements

__all__ = ["LclSandbox", "start_sandbox"]


@dataclass(slots=True)
class LclSandbox:
    url: str
    connections: list[SandboxConnection]
    state: SimState
    runner: web.AppRunner
    closed: bool = field(default=False)

    @property
    def ledger(self) -> Ledger:
        return self.state.ledger

    def truth(self) -> list[TruthRow]:
        """Every booked row (pending rows excluded) of every account; ``account_number`` is the printed number
        without spaces, i.e. the connector's ``Account.number``; ``label`` is the API's booked label."""
        out = []
        for acc in self.ledger.accounts:
            for e in self.ledger.booked(acc.internal_id):
                out.append(TruthRow(bank="lcl", connection="lcl-demo", account_number=acc.account_ref,
                                    booking_date=e.booking_date, amount=e.amount, label=e.label))
        return out

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            await self.runner.cleanup()


async def start_sandbox(host: str = "127.0.0.1", port: int = 0, *, seed: int = 0, today: dt.date | None = None,
                        latency: float = 0.0, wrong_password: bool = False, sca: bool = False,
                        history_days: int | None = 90, token_ttl: float = 900.0, blocked: bool = False,
                        months: int = 26, expire_first_token_after: int | None = None,
                        contract_id_form: str = "both",
                        **unknown: Any) -> LclSandbox:
    """Start the simulator; see the module docstring for the knobs. Unknown knobs are refused."""
    if unknown:
        raise TypeError(f"unknown LCL sandbox knobs: {', '.join(sorted(unknown))}")
    today = today or dt.date.today()
    rng = random.Random(f"lcl-credentials-{seed}")
    identifier = "".join(rng.choice("0123456789") for _ in range(10))
    pin = "".join(rng.choice("0123456789") for _ in range(6))
    ledger = generate(seed, today, months)
    contract = hashlib.sha256(f"lcl-contract-{seed}".encode()).hexdigest()[:16].upper()
    pro = hashlib.sha256(f"lcl-pro-{seed}".encode()).hexdigest()[:16].upper()
    config = SimConfig(identifier=identifier, pin=pin, today=today, latency=latency, sca=sca, blocked=blocked,
                       history_days=history_days, token_ttl=token_ttl,
                       expire_first_token_after=expire_first_token_after, contract_id_form=contract_id_form)
    state = SimState(config=config, ledger=ledger, statements=build_statements(ledger), holder=ledger.holder,
                     # a professional contract listed first, so the connector has to choose by type
                     contracts=[{"id": pro, "type": "CLA"}, {"id": contract, "type": "CLI"}])
    runner, _, real_port = await serve(build_app(state), host, port)
    url = f"http://{host}:{real_port}"
    given_pin = pin if not wrong_password else f"{(int(pin) + 1) % 1000000:06d}"
    conn = SandboxConnection(name="lcl-demo", bank="lcl", base_url=url, options={},
                             secrets={"login": identifier, "password": given_pin})
    return LclSandbox(url=url, connections=[conn], state=state, runner=runner)
