"""The LCL "mon espace" JSON API as a route table (reference lcl.md §§2-9).

Conventions of this simulator where the real bank's behaviour is unknown (each marked in the reference):
a stale keypad gets the same 401 as a bad PIN; an expired token gets ``401 {"code": "TOKEN_EXPIRED"}``;
the history gate answers ``403 {"code": "STRONG_AUTHENTICATION_REQUIRED"}`` for any page holding a row
booked more than ``history_days`` days before ``today``.
"""
from __future__ import annotations

import asyncio

from aiohttp import web

from connectors import simulator_kit

from . import data, login
from .state import SimState

ROUTES: list[simulator_kit.Route] = [
    ("GET", "/api/login/keypad", login.keypad),
    ("POST", "/api/login", login.login),
    ("POST", "/api/login/contract", login.select_contract),
    ("GET", "/api/user/accounts", data.accounts),
    ("GET", "/api/user/accounts/{internal_id}/transactions", data.transactions),
    ("GET", "/api/user/{internal_id}/transactions", data.transactions),   # the SEED's path
    ("GET", "/api/user/documents/accounts_statements", data.statements_list),
    ("GET", "/api/user/documents/download", data.download),
]


async def before(request: web.Request, state: SimState) -> None:
    """Every request: counted per ``"METHOD /path"``, then delayed by the ``latency`` knob."""
    state.stats[f"{request.method} {request.path}"] += 1
    if state.config.latency:
        await asyncio.sleep(state.config.latency)


def build_app(state: SimState) -> web.Application:
    return simulator_kit.build_app(ROUTES, state, before=before)
