"""What the Boursorama simulator's server holds: the knobs, the ledger, sessions, tokens, counters.

Handlers (``login.py``, ``exports.py``, ``documents.py``) take ``(request, state)``; the route table
is in ``routes.py``. Cookie names are the bank's.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from aiohttp import web

from connectors.boursorama.simulator.ledger import Ledger

SESSION_COOKIE = "PHPSESSID"
JWT_COOKIE = "brsxds_d6e4a9b6646c62fc48baa6dd6150d1f7"  # suffix = md5("prod"), as the bank names it


@dataclass
class Knobs:
    sca: bool = False
    maintenance: bool = False
    blocked: bool = False
    session_expiry_mid_export: bool = False   # the session dies once, after the 2nd export
    export_cap: int | None = None             # max rows per export; the oldest are dropped silently
    csv_profile: str = "p2024"
    latency: float = 0.0
    export_flow: str = "post_token"           # post_token | get_legacy
    download_page: bool = True                # POST result: page with a one-time link (True) or CSV
    history_otp_after_days: int | None = None
    keypad_glyph_set: str = "sim-v1"          # or "unknown"
    statement_months: int = 12
    holder: str = "M. CLAUDE SIMULATEUR"


@dataclass
class SimState:
    ledger: Ledger
    login: str
    password: str
    knobs: Knobs
    mits: set[str] = field(default_factory=set)
    login_tokens: set[str] = field(default_factory=set)
    challenges: dict[str, dict[str, int]] = field(default_factory=dict)  # challenge -> key -> digit
    sessions: set[str] = field(default_factory=set)
    export_tokens: set[str] = field(default_factory=set)
    downloads: dict[str, bytes] = field(default_factory=dict)            # one-time token -> CSV
    requests: list[tuple[str, str]] = field(default_factory=list)        # (method, path) log
    login_encodings: list[str] = field(default_factory=list)
    exports_done: int = 0
    expired_once: bool = False


def rand_hex(n: int) -> str:
    return secrets.token_hex(n // 2)


def session_of(request: web.Request, st: SimState) -> str | None:
    """The request's session id when it is a live session, else None."""
    sid = request.cookies.get(SESSION_COOKIE)
    return sid if sid in st.sessions else None


def to_login(expire: bool = False) -> web.HTTPFound:
    return web.HTTPFound("/connexion/?expire=" if expire else "/connexion/")
