"""The Boursorama simulator as a route table: the bank's web protocol (reference §2–§10).

Paths, methods, cookies and field names are the bank's; only the host differs (the
``api.boursobank.com`` download paths are served here too).
"""
from __future__ import annotations

import asyncio

from aiohttp import web

from connectors import simulator_kit
from connectors.boursorama.simulator import documents, exports, login
from connectors.boursorama.simulator.state import SimState

ROUTES: list[simulator_kit.Route] = [
    ("GET", "/connexion/", login.login_get),
    ("GET", "/connexion/saisie-mot-de-passe", login.login_get),
    ("GET", "/connexion/clavier-virtuel", login.keypad),
    ("POST", "/connexion/saisie-mot-de-passe", login.login_post),
    ("GET", "/", login.home),
    ("GET", "/securisation", login.securisation),
    ("GET", "/dashboard/liste-comptes", exports.accounts),
    ("GET", "/mon-budget/generate", exports.generate),
    ("POST", "/budget/exporter-mouvements", exports.export_post),
    ("GET", "/budget/exporter-mouvements", exports.export_get),
    ("GET", "/budget/export-pret", exports.export_ready),
    ("GET", "/services/api/files/download.phtml", exports.download),
    ("GET", "/documents/releves", documents.documents),
    ("GET", "/services/api/files/statements-document.phtml", documents.statement_pdf),
]


async def before(request: web.Request, st: SimState) -> None:
    """Every request: logged as ``(method, path)``, then delayed by the ``latency`` knob."""
    st.requests.append((request.method, request.path))
    if st.knobs.latency:
        await asyncio.sleep(st.knobs.latency)


def build_app(st: SimState) -> web.Application:
    return simulator_kit.build_app(ROUTES, st, before=before)
