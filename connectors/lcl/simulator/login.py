"""LCL simulator: login handlers (keypad, PIN, contract selection) and the bearer-token check (reference
lcl.md §§2-5). A stale keypad gets the same 401 as a bad PIN; an expired token gets
``401 {"code": "TOKEN_EXPIRED"}`` (simulator conventions where the bank's behaviour is unknown).
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import time

from aiohttp import web

from connectors.lcl.keypad import Keypad, build_keypad

from .replies import error, reply
from .state import Session, SimState, Token, encode_contract

log = logging.getLogger("bankflow.sim.lcl")
KEYPAD_TTL = 300.0
LOCK_AFTER = 3  # bad PINs in a row before BAD_CREDENTIALS_AND_TEMPORARY_BLOCKING


async def keypad(request: web.Request, state: SimState) -> web.Response:
    order = list("0123456789")
    random.shuffle(order)
    seed_text = secrets.token_hex(48)  # 96 hex characters, like woob's sample
    kp = build_keypad("".join(order), seed_text)
    decoded = Keypad.decode(kp)
    state.keypads[decoded.seed] = (decoded, time.monotonic() + KEYPAD_TTL)
    return reply({"keypad": kp})


def _issue(state: SimState, session: Session) -> dict[str, str]:
    token = secrets.token_urlsafe(24)
    cfg = state.config
    uses = cfg.expire_first_token_after if state.logins_ok == 1 else None
    state.tokens[token] = Token(session, time.monotonic() + cfg.token_ttl, uses)
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=cfg.token_ttl)
    return {"accessToken": token, "refreshToken": secrets.token_urlsafe(24),
            "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")}


async def login(request: web.Request, state: SimState) -> web.Response:
    cfg = state.config
    try:
        body = await request.json()
    except ValueError:
        return error(400, "BAD_REQUEST", "Corps de requête invalide")
    required = ("callingUrl", "clientTimestamp", "encryptedIdentifier", "identifier", "keypad", "sessionId")
    if not isinstance(body, dict) or any(k not in body for k in required):
        return error(400, "BAD_REQUEST", "Champs manquants")
    ts = body["clientTimestamp"]
    if not isinstance(ts, int) or not (1e9 < ts < 1e10 or 1e12 < ts < 1e13):  # seconds or milliseconds
        return error(400, "BAD_REQUEST", "clientTimestamp invalide")
    if not str(body["sessionId"]).isdigit() or body["encryptedIdentifier"] is not False:
        return error(400, "BAD_REQUEST", "Requête invalide")
    if cfg.blocked:
        return error(401, "CREDENTIALS_BLOCKED", "Votre accès est bloqué. Contactez votre conseiller.")
    if body["identifier"] != cfg.identifier:
        return error(401, "INVALID_USER_ID", "Identifiant inconnu")
    payload = str(body["keypad"])
    entry = state.keypads.pop(payload[12:], None)  # single use, whatever the outcome
    pin = None
    if entry and entry[1] > time.monotonic():
        pin = entry[0].decode_payload(payload)
    if pin != cfg.pin:
        state.bad_pins += 1
        if state.bad_pins >= LOCK_AFTER:
            return error(401, "BAD_CREDENTIALS_AND_TEMPORARY_BLOCKING",
                        "Code erroné. Votre accès est temporairement bloqué.")
        return error(401, "BAD_CREDENTIALS", "Identifiant ou code personnel incorrect")
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
    return reply(out)


def auth(request: web.Request, state: SimState, *, need_contract: bool = True) -> Token | web.Response:
    raw = request.headers.get("X-Authorization", "")
    tok = state.tokens.get(raw.removeprefix("Bearer ")) if raw.startswith("Bearer ") else None
    if tok is None:
        return error(401, "UNAUTHORIZED", "Authentification requise")
    if tok.expires_at < time.monotonic() or tok.uses_left == 0:
        return error(401, "TOKEN_EXPIRED", "Votre session a expiré")
    if tok.uses_left is not None:
        tok.uses_left -= 1
    if need_contract and tok.session.contract_id is None:
        return error(403, "CONTRACT_NOT_SELECTED", "Aucun contrat sélectionné")
    return tok


async def select_contract(request: web.Request, state: SimState) -> web.Response:
    tok = auth(request, state, need_contract=False)
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
                return reply(_issue(state, tok.session))
    return error(400, "INVALID_CONTRACT", "Contrat inconnu")
