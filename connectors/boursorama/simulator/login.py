"""Boursorama simulator: the login handlers (reference §2–§5): the ``__brs_mit`` cookie page, the login
form, the virtual keypad, the password POST (CSRF token, one-time keypad challenge), then a session."""
from __future__ import annotations

import hashlib
import random
import secrets
import string

from aiohttp import web
from multidict import MultiDictProxy

from connectors.boursorama.simulator import html
from connectors.boursorama.simulator.state import (JWT_COOKIE, SESSION_COOKIE, SimState, rand_hex, session_of,
                                                   to_login)

LOGIN_FIELDS = ("form[clientNumber]", "form[password]", "form[fakePassword]", "form[matrixRandomChallenge]",
                "form[_token]", "form[ajx]", "form[passwordAck]")
MSG_WRONG = "Identifiant ou mot de passe invalide"
MSG_BLOCKED = "Compte bloqué Pour des raisons de sécurité, votre accès a été suspendu."
MSG_MAINTENANCE = "Maintenance en cours, merci de réessayer ultérieurement."


def has_mit(request: web.Request, st: SimState) -> bool:
    return request.cookies.get("__brs_mit") in st.mits


def _mit_page() -> web.Response:
    return web.Response(text=html.mit_page(rand_hex(32)), content_type="text/html")


def _new_form_token() -> str:
    return ".".join(secrets.token_urlsafe(n) for n in (24, 48, 32))


async def login_get(request: web.Request, st: SimState) -> web.Response:
    if not has_mit(request, st):
        value = rand_hex(32)
        st.mits.add(value)
        return web.Response(text=html.mit_page(value), content_type="text/html")
    token = _new_form_token()
    st.login_tokens.add(token)
    resp = web.Response(text=html.login_page(token), content_type="text/html")
    resp.set_cookie("brsxd_secure", "".join(random.choices(string.ascii_letters + string.digits + "-_", k=142)))
    resp.set_cookie("navSessionId", "web" + hashlib.sha256(request.cookies["__brs_mit"].encode()).hexdigest())
    return resp


async def keypad(request: web.Request, st: SimState) -> web.Response:
    if not has_mit(request, st):
        return _mit_page()
    letters = set()
    while len(letters) < 10:
        letters.add("".join(random.choices(string.ascii_uppercase, k=3)))
    keys = dict(zip(range(10), sorted(letters, key=lambda _: random.random())))
    order = random.sample(range(10), 10)
    challenge = secrets.token_urlsafe(9800)[:13000]
    st.challenges[challenge] = {k: d for d, k in keys.items()}
    return web.Response(text=html.keypad_fragment(keys, order, challenge, st.knobs.keypad_glyph_set),
                        content_type="text/html")


def _typed_digits(form: MultiDictProxy, st: SimState) -> tuple[list[str], str] | web.Response:
    """The keys typed on the keypad and the digits they stand for, or a 400 (fields missing, CSRF token
    unknown, keypad challenge unknown or used already: each token and challenge works once)."""
    missing = [f for f in LOGIN_FIELDS if f not in form]
    if missing or not ("form[platformAuthenticatorAvailable]" in form or "platformAuthenticatorAvailable" in form):
        return web.Response(status=400, text=f"missing fields: {missing}")
    token = str(form["form[_token]"])
    if token not in st.login_tokens:
        return web.Response(status=400, text="invalid CSRF token")
    st.login_tokens.discard(token)
    mapping = st.challenges.pop(str(form["form[matrixRandomChallenge]"]), None)  # a challenge works once
    if mapping is None:
        return web.Response(status=400, text="unknown or reused challenge")
    keys = str(form["form[password]"]).split("|")
    return keys, "".join(str(mapping[k]) for k in keys if k in mapping)


def _refusal(form: MultiDictProxy, st: SimState, keys: list[str], digits: str) -> str | None:
    """The message the login page shows again, or None when the login succeeds."""
    if st.knobs.maintenance:
        return MSG_MAINTENANCE
    if st.knobs.blocked:
        return MSG_BLOCKED
    if (len(digits) != len(keys) or str(form["form[clientNumber]"]) != st.login or digits != st.password
            or str(form["form[fakePassword]"]) != "\u2022" * len(keys)):
        return MSG_WRONG
    return None


async def login_post(request: web.Request, st: SimState) -> web.StreamResponse:
    if not has_mit(request, st):
        return _mit_page()
    st.login_encodings.append(request.content_type)
    form = await request.post()
    typed = _typed_digits(form, st)
    if isinstance(typed, web.Response):
        return typed
    keys, digits = typed
    new_token = _new_form_token()
    st.login_tokens.add(new_token)
    msg = _refusal(form, st, keys, digits)
    if msg is not None:
        return web.Response(text=html.login_page(new_token, msg), content_type="text/html")
    sid = rand_hex(32)
    st.sessions.add(sid)
    resp = web.HTTPFound("/securisation" if st.knobs.sca else "/")
    resp.set_cookie(SESSION_COOKIE, sid)
    resp.set_cookie(JWT_COOKIE, "eyJhbGciOiJIUzI1NiJ9." + rand_hex(40) + "." + rand_hex(20))
    resp.set_cookie("ckln" + rand_hex(64), "%253D" + rand_hex(60))
    if st.knobs.sca:
        st.sessions.discard(sid)  # not usable before the strong authentication
    raise resp


async def home(request: web.Request, st: SimState) -> web.Response:
    if not session_of(request, st):
        raise to_login()
    return web.Response(text=html.page("Accueil", "<h1>Bonjour</h1>"), content_type="text/html")


async def securisation(request: web.Request, st: SimState) -> web.Response:
    return web.Response(text=html.securisation_page(), content_type="text/html")
