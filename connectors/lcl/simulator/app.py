"""The LCL "mon espace" JSON API as an aiohttp application (reference/lcl.md §§2-9, in ../shared, not shipped).

Conventions of this simulator where the real bank's behaviour is unknown (each marked in the reference):
a stale keypad gets the same 401 as a bad PIN; an expired token gets ``401 {"code": "TOKEN_EXPIRED"}``; the history
gate answers ``403 {"code": "STRONG_AUTHENTICATION_REQUIRED"}`` for any page holding a row booked more than
``history_days`` days before ``today``. Amounts go out as JSON numbers (the bank's shape); they are written from
two-decimal Decimals, whose shortest float repr is the same decimal text, so no cent is lost on the wire.
"""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from aiohttp import web

from connectors.lcl.keypad import Keypad, build_keypad

from .ledger import Entry, Ledger
from .statements import SimStatement, render_pdf

log = logging.getLogger("bankflow.sim.lcl")
KEYPAD_TTL = 300.0
LOCK_AFTER = 3  # bad PINs in a row before BAD_CREDENTIALS_AND_TEMPORARY_BLOCKING


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


def _json(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def _err(status: int, code: str, message: str) -> web.Response:
    return _json({"code": code, "message": message}, status)


def _amount(value: Decimal) -> float:
    return float(value)  # see module docstring: exact for two-decimal values


STATE = web.AppKey("lcl_state", SimState)


@web.middleware
async def _latency_and_count(request: web.Request, handler):  # type: ignore[no-untyped-def]
    state = request.app[STATE]
    state.stats[f"{request.method} {request.path}"] += 1
    if state.config.latency:
        await asyncio.sleep(state.config.latency)
    return await handler(request)


# ---------------------------------------------------------------- login


async def keypad(request: web.Request) -> web.Response:
    state = request.app[STATE]
    order = list("0123456789")
    random.shuffle(order)
    seed_text = secrets.token_hex(48)  # 96 hex characters, like woob's sample
    kp = build_keypad("".join(order), seed_text)
    decoded = Keypad.decode(kp)
    state.keypads[decoded.seed] = (decoded, time.monotonic() + KEYPAD_TTL)
    return _json({"keypad": kp})


def _issue(state: SimState, session: Session) -> dict[str, str]:
    token = secrets.token_urlsafe(24)
    cfg = state.config
    uses = cfg.expire_first_token_after if state.logins_ok == 1 else None
    state.tokens[token] = Token(session, time.monotonic() + cfg.token_ttl, uses)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=cfg.token_ttl)
    return {"accessToken": token, "refreshToken": secrets.token_urlsafe(24),
            "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")}


async def login(request: web.Request) -> web.Response:
    state, cfg = request.app[STATE], request.app[STATE].config
    try:
        body = await request.json()
    except ValueError:
        return _err(400, "BAD_REQUEST", "Corps de requête invalide")
    required = ("callingUrl", "clientTimestamp", "encryptedIdentifier", "identifier", "keypad", "sessionId")
    if not isinstance(body, dict) or any(k not in body for k in required):
        return _err(400, "BAD_REQUEST", "Champs manquants")
    ts = body["clientTimestamp"]
    if not isinstance(ts, int) or not (1e9 < ts < 1e10 or 1e12 < ts < 1e13):  # seconds or milliseconds
        return _err(400, "BAD_REQUEST", "clientTimestamp invalide")
    if not str(body["sessionId"]).isdigit() or body["encryptedIdentifier"] is not False:
        return _err(400, "BAD_REQUEST", "Requête invalide")
    if cfg.blocked:
        return _err(401, "CREDENTIALS_BLOCKED", "Votre accès est bloqué. Contactez votre conseiller.")
    if body["identifier"] != cfg.identifier:
        return _err(401, "INVALID_USER_ID", "Identifiant inconnu")
    payload = str(body["keypad"])
    entry = state.keypads.pop(payload[12:], None)  # single use, whatever the outcome
    pin = None
    if entry and entry[1] > time.monotonic():
        pin = entry[0].decode_payload(payload)
    if pin != cfg.pin:
        state.bad_pins += 1
        if state.bad_pins >= LOCK_AFTER:
            return _err(401, "BAD_CREDENTIALS_AND_TEMPORARY_BLOCKING",
                        "Code erroné. Votre accès est temporairement bloqué.")
        return _err(401, "BAD_CREDENTIALS", "Identifiant ou code personnel incorrect")
    state.bad_pins = 0
    mfa = {"type": "SECURE_ACCESS", "device": {"name": "iPhone de Camille"}} if cfg.sca else None
    out: dict[str, object] = {
        "encryptedExpiresAt": secrets.token_hex(16), "userIdForBascule": secrets.token_hex(8),
        "userId": "U" + cfg.identifier[-4:], "personType": "PP", "contracts": state.contracts,
        "firstName": "Camille", "lastName": "MARTIN", "userName": "CAMILLE MARTIN", "birthdate": "1988-04-02",
        "multiFactorAuth": mfa,
    }
    if mfa is None:
        state.logins_ok += 1
        out.update(_issue(state, Session()))
    else:  # tokens that only the SCA step could upgrade: useless for data calls
        out.update({"accessToken": "mfa-" + secrets.token_urlsafe(12), "refreshToken": "", "expiresAt": ""})
    return _json(out)


def _auth(request: web.Request, *, need_contract: bool = True) -> Token | web.Response:
    state = request.app[STATE]
    raw = request.headers.get("X-Authorization", "")
    tok = state.tokens.get(raw.removeprefix("Bearer ")) if raw.startswith("Bearer ") else None
    if tok is None:
        return _err(401, "UNAUTHORIZED", "Authentification requise")
    if tok.expires_at < time.monotonic() or tok.uses_left == 0:
        return _err(401, "TOKEN_EXPIRED", "Votre session a expiré")
    if tok.uses_left is not None:
        tok.uses_left -= 1
    if need_contract and tok.session.contract_id is None:
        return _err(403, "CONTRACT_NOT_SELECTED", "Aucun contrat sélectionné")
    return tok


async def select_contract(request: web.Request) -> web.Response:
    state = request.app[STATE]
    tok = _auth(request, need_contract=False)
    if isinstance(tok, web.Response):
        return tok
    body = await request.json()
    cid = body.get("contractId") if isinstance(body, dict) else None
    for c in state.contracts:
        for form, value in (("raw", c["id"]), ("encoded", encode_contract(c["id"]))):
            if cid == value and state.config.contract_id_form in (form, "both"):
                state.stats[f"contract_id:{form}"] += 1
                log.debug("contract selected with the %s id", form)
                tok.session.contract_id = c["id"]
                return _json(_issue(state, tok.session))
    return _err(400, "INVALID_CONTRACT", "Contrat inconnu")


# ---------------------------------------------------------------- data


def _check_contract(request: web.Request, tok: Token) -> web.Response | None:
    if request.query.get("contract_id") != encode_contract(tok.session.contract_id or ""):
        return _err(400, "INVALID_CONTRACT", "contract_id invalide")
    return None


async def accounts(request: web.Request) -> web.Response:
    state = request.app[STATE]
    tok = _auth(request)
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
            "amount": {"value": _amount(with_pending), "currency": "EUR", "date": now},
            "accounted_amount": {"value": _amount(booked), "currency": "EUR", "date": now},
            "product": {"code": a.product_code, "type": kind}, "account_creation_date": state.ledger.start.isoformat(),
        })
    return _json({"total": _amount(total), "show_aggregate_account": False, "code_aggregation": "NONE",
                  "accounts": out})


def _row(e: Entry, today: dt.date) -> dict[str, object]:
    booked = e.booked(today)
    row: dict[str, object] = {
        "id": e.txn_id, "label": e.label if booked else (e.pending_label or e.label),
        "booking_date_time": f"{(e.booking_date if booked else e.op_date).isoformat()}T00:00:00.000Z",
        "value_date_time": f"{e.value_date.isoformat()}T00:00:00.000Z",
        "amount": {"value": _amount(e.amount), "currency": "EUR"},
        "is_accounted": booked, "are_details_available": False, "nature": e.nature or e.label,
        "detail_labels": [],
    }
    if e.movement_code is not None:
        row["movement_code_type"] = e.movement_code
    return row


async def transactions(request: web.Request) -> web.Response:
    state = request.app[STATE]
    tok = _auth(request)
    if isinstance(tok, web.Response):
        return tok
    internal_id = request.match_info["internal_id"]
    seed_variant = "accounts" not in request.path.split("/")
    if seed_variant:  # the SEED's path gives the account's internal id as contract_id
        if request.query.get("contract_id") != internal_id:
            return _err(400, "INVALID_CONTRACT", "contract_id invalide")
    elif (bad := _check_contract(request, tok)) is not None:
        return bad
    if state.ledger.account(internal_id) is None:
        return _err(404, "ACCOUNT_NOT_FOUND", "Compte inconnu")
    try:
        a, b = (int(x) for x in request.query["range"].split("-"))
        if a < 0 or b < a:
            raise ValueError
    except (KeyError, ValueError):
        return _err(400, "BAD_REQUEST", "range invalide")
    rows = state.ledger.listing(internal_id)[a:b + 1]
    days = state.config.history_days
    if days is not None:
        cutoff = state.config.today - dt.timedelta(days=days)
        if any(e.booking_date < cutoff for e in rows):
            return _err(403, "STRONG_AUTHENTICATION_REQUIRED",
                        f"L'accès à l'historique de plus de {days} jours nécessite une authentification forte")
    return _json({"isFailover": False, "accountTransactions": [_row(e, state.config.today) for e in rows]})


async def statements_list(request: web.Request) -> web.Response:
    state = request.app[STATE]
    tok = _auth(request)
    if isinstance(tok, web.Response):
        return tok
    try:
        lo = dt.date.fromisoformat(request.query["initial_date"])
        hi = dt.date.fromisoformat(request.query["final_date"])
    except (KeyError, ValueError):
        return _err(400, "BAD_REQUEST", "dates invalides")
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
    return _json(out)


async def download(request: web.Request) -> web.Response:
    state = request.app[STATE]
    tok = _auth(request)
    if isinstance(tok, web.Response):
        return tok
    st = state.download_tokens.pop(request.query.get("downloadToken", ""), None)  # single use
    if st is None:
        return _err(404, "DOCUMENT_NOT_FOUND", "Document introuvable ou lien expiré")
    pdf = state.pdf_cache.get(st.document_id)
    if pdf is None:
        pdf = await asyncio.to_thread(render_pdf, st, state.holder)
        state.pdf_cache[st.document_id] = pdf
    return web.Response(body=pdf, content_type="application/pdf")


def make_app(state: SimState) -> web.Application:
    app = web.Application(middlewares=[_latency_and_count])
    app[STATE] = state
    app.router.add_get("/api/login/keypad", keypad)
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/login/contract", select_contract)
    app.router.add_get("/api/user/accounts", accounts)
    app.router.add_get("/api/user/accounts/{internal_id}/transactions", transactions)
    app.router.add_get("/api/user/{internal_id}/transactions", transactions)
    app.router.add_get("/api/user/documents/accounts_statements", statements_list)
    app.router.add_get("/api/user/documents/download", download)
    return app
