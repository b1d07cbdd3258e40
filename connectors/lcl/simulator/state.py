"""What the LCL simulator's server holds: its configuration (the knobs), sessions, tokens and counters.

Handlers (``login.py``, ``data.py``) take ``(request, state)``; the route table is in ``routes.py``.
"""
from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from connectors.lcl.keypad import Keypad

from .ledger import Ledger
from .statements import SimStatement


@dataclass(slots=True)
class Session:
    contract_id: str | None = None  # raw id once a contract was selected


@dataclass(slots=True)
class Token:
    session: Session
    expires_at: float
    uses_left: int | None = None  # test knob: the token dies after this many data calls


@dataclass(slots=True)
class SimConfig:
    identifier: str
    pin: str
    today: dt.date
    latency: float = 0.0
    sca: bool = False
    blocked: bool = False
    history_days: int | None = 90        # None: no gate
    token_ttl: float = 900.0
    expire_first_token_after: int | None = None  # data calls the first session's token survives
    contract_id_form: str = "both"       # "raw" | "encoded" | "both": what POST /api/login/contract accepts


@dataclass(slots=True)
class SimState:
    config: SimConfig
    ledger: Ledger
    statements: list[SimStatement]
    holder: str
    contracts: list[dict[str, str]]
    keypads: dict[str, tuple[Keypad, float]] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    download_tokens: dict[str, SimStatement] = field(default_factory=dict)
    pdf_cache: dict[str, bytes] = field(default_factory=dict)
    bad_pins: int = 0
    logins_ok: int = 0
    stats: Counter = field(default_factory=Counter)  # "POST /api/login", "contract_id:raw", ...


def encode_contract(contract_id: str) -> str:
    return base64.b64encode(contract_id.encode()).decode().rstrip("=")
