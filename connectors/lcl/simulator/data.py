"""LCL simulator: data handlers (accounts, transactions with the history gate, statements) (reference lcl.md §§6-9).

Amounts go out as JSON numbers (the bank's shape); see ``replies.amount``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from decimal import Decimal

from aiohttp import web

from .ledger import Entry
from .login import auth
from .replies import amount, error, reply
from .state import SimState, Token, encode_contract
from .statements import render_pdf


def _check_contract(request: web.Request, tok: Token) -> web.Response | None:
    if request.query.get("contract_id") != encode_contract(tok.session.contract_id or ""):
        return error(400, "INVALID_CONTRACT", "contract_id invalide")
    return None


async def accounts(request: web.Request, state: SimState) -> web.Response:
    tok = auth(request, state)
    if isinstance(tok, web.Response):
        return tok
    if (bad := _check_contract(request, tok)) is not None:
        return bad
    kind = request.query.get("type", "current")
    personal = any(c["id"] == tok.session.contract_id and c["type"] == "CLI" for c in state.contracts)
    now = f"{state.config.today.isoformat()}T22:45:46.892+0200"
    out, total = [], Decimal("0.00")
    for a in state.ledger.accounts:
        if a.type != kind or not personal:  # every account belongs to the personal (CLI) contract
            continue
        booked = state.ledger.balance(a.internal_id)
        with_pending = state.ledger.balance(a.internal_id, booked_only=False)
        total += with_pending
        out.append({
            "type": a.type, "internal_id": a.internal_id, "external_id": a.external_id, "label": a.label,
            "short_label": a.label[:12], "iban": a.iban, "account_number": a.number, "agency_code": a.agency,
            "bank_code": "30002", "user_role": "holder", "holder_label": state.holder,
            "amount": {"value": amount(with_pending), "currency": "EUR", "date": now},
            "accounted_amount": {"value": amount(booked), "currency": "EUR", "date": now},
            "product": {"code": a.product_code, "type": kind}, "account_creation_date": state.ledger.start.isoformat(),
        })
    return reply({"total": amount(total), "show_aggregate_account": False, "code_aggregation": "NONE",
                  "accounts": out})


def _row(e: Entry, today: dt.date) -> dict[str, object]:
    booked = e.booked(today)
    row: dict[str, object] = {
        "id": e.txn_id, "label": e.label if booked else (e.pending_label or e.label),
        "booking_date_time": f"{(e.booking_date if booked else e.op_date).isoformat()}T00:00:00.000Z",
        "value_date_time": f"{e.value_date.isoformat()}T00:00:00.000Z",
        "amount": {"value": amount(e.amount), "currency": "EUR"},
        "is_accounted": booked, "are_details_available": False, "nature": e.nature or e.label,
        "detail_labels": [],
    }
    if e.movement_code is not None:
        row["movement_code_type"] = e.movement_code
    return row


async def transactions(request: web.Request, state: SimState) -> web.Response:
    tok = auth(request, state)
    if isinstance(tok, web.Response):
        return tok
    internal_id = request.match_info["internal_id"]
    seed_variant = "accounts" not in request.path.split("/")
    if seed_variant:  # the SEED's path gives the account's internal id as contract_id
        if request.query.get("contract_id") != internal_id:
            return error(400, "INVALID_CONTRACT", "contract_id invalide")
    elif (bad := _check_contract(request, tok)) is not None:
        return bad
    if state.ledger.account(internal_id) is None:
        return error(404, "ACCOUNT_NOT_FOUND", "Compte inconnu")
    try:
        a, b = (int(x) for x in request.query["range"].split("-"))
        if a < 0 or b < a:
            raise ValueError
    except (KeyError, ValueError):
        return error(400, "BAD_REQUEST", "range invalide")
    rows = state.ledger.listing(internal_id)[a:b + 1]
    days = state.config.history_days
    if days is not None:
        cutoff = state.config.today - dt.timedelta(days=days)
        if any(e.booking_date < cutoff for e in rows):
            return error(403, "STRONG_AUTHENTICATION_REQUIRED",
                        f"L'accès à l'historique de plus de {days} jours nécessite une authentification forte")
    return reply({"isFailover": False, "accountTransactions": [_row(e, state.config.today) for e in rows]})


async def statements_list(request: web.Request, state: SimState) -> web.Response:
    tok = auth(request, state)
    if isinstance(tok, web.Response):
        return tok
    try:
        lo = dt.date.fromisoformat(request.query["initial_date"])
        hi = dt.date.fromisoformat(request.query["final_date"])
    except (KeyError, ValueError):
        return error(400, "BAD_REQUEST", "dates invalides")
    out = []
    for st in state.statements:
        if not lo <= st.document_date <= hi:
            continue
        token = secrets.token_urlsafe(18)
        state.download_tokens[token] = st
        a = st.account
        out.append({"numageclicl": a.agency, "numcptclicl": a.number, "codlccpt": a.key,
                    "datprddoccli": st.document_date.isoformat(), "downloadToken": token,
                    "codsoufamdoc_1": "AST", "liblg_typdoc": "Relevé de compte",
                    "libsoufamdoc_1": "Relevés de comptes"})
    out.sort(key=lambda d: d["datprddoccli"], reverse=True)
    return reply(out)


async def download(request: web.Request, state: SimState) -> web.Response:
    tok = auth(request, state)
    if isinstance(tok, web.Response):
        return tok
    st = state.download_tokens.pop(request.query.get("downloadToken", ""), None)  # single use
    if st is None:
        return error(404, "DOCUMENT_NOT_FOUND", "Document introuvable ou lien expiré")
    pdf = state.pdf_cache.get(st.document_id)
    if pdf is None:
        pdf = await asyncio.to_thread(render_pdf, st, state.holder)
        state.pdf_cache[st.document_id] = pdf
    return web.Response(body=pdf, content_type="application/pdf")
