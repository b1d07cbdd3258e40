"""Boursorama login (reference/boursorama.md §2–§4): the cookie dance, the virtual keypad, one POST, the outcome.

No step here loops or retries: a wrong password is posted exactly once (the one retry layer never
replays a POST either). Credentials never enter a message, a log line or artifact metadata.

SCA (boursorama.md §6): the ``/securisation`` page stops the run with SCARequired; no one-time code is
asked through the connector's ``otp`` provider (connectors/otp.py). One source (WOOB, [S]) shows an
OTP API (``/session/otp/startsms|checksms/<resourceId>`` with a bearer and ``formState`` read from the page,
then ``POST /securisation/validation``), but since 2026 the bank mostly validates in its app or by QR code,
the shapes are unconfirmed and the reference keeps interactive SCA out of scope: posting a code on that
basis would be a guess against a real account.
"""
from __future__ import annotations

import ipaddress
import json
import logging
from functools import cache
from http.cookies import SimpleCookie
from pathlib import Path

import aiohttp
from yarl import URL

from connectors.base import Credentials
from connectors.boursorama import pages
from connectors.boursorama.keypad import parse_keypad
from connectors.errors import ActionNeeded, AuthError, ProtocolChanged, SCARequired, TransientError
from connectors.http import raise_for_status

log = logging.getLogger("bankflow.boursorama")
LOGIN_PATH = "/connexion/saisie-mot-de-passe"
KEYPAD_PATH = "/connexion/clavier-virtuel?_hinclude=1"
MESSAGES_FILE = Path(__file__).with_name("login_messages.json")
#: phone-keypad letters on the glyphs (reference/boursorama.md §3): WOOB maps letters in a password to these digits
_PHONE = str.maketrans({c: d for d, letters in {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO",
                                                "7": "PQRS", "8": "TUV", "9": "WXYZ"}.items() for c in letters})


@cache
def _messages() -> dict:
    return json.loads(MESSAGES_FILE.read_text("utf-8"))


def set_parent_domain_cookie(session: aiohttp.ClientSession, base_url: str, name: str, value: str) -> None:
    """Set a cookie as the page's script does (``domain=.<host>``); on an IP (the simulator) host-only."""
    url = URL(base_url)
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    cookie[name]["path"] = "/"
    host = url.host or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host.count(".") >= 2:
            cookie[name]["domain"] = "." + host.split(".", 1)[1]  # clients. and api. share the parent
    session.cookie_jar.update_cookies(cookie, response_url=url)


async def _get_text(session: aiohttp.ClientSession, url: str, connection: str, what: str) -> tuple[str, URL]:
    async with session.get(url) as resp:
        raise_for_status(resp, connection=connection, what=what)
        return await resp.text(errors="replace"), resp.url


async def login(session: aiohttp.ClientSession, base_url: str, credentials: Credentials, connection: str) -> None:
    """Log in, or raise AuthError / ActionNeeded / SCARequired / TransientError / ProtocolChanged."""
    client_number = (credentials.get("login") or "").strip()
    password = (credentials.get("password") or "").strip().upper().translate(_PHONE)
    if not client_number.isdigit() or not password.isdigit():
        raise AuthError(f"connection {connection!r}: the Boursorama login (client number) and password must "
                        "be digits; nothing was sent to the bank")
    # 1-3: the __brs_mit dance, then the real login page (sets brsxd_secure and navSessionId)
    text, _ = await _get_text(session, base_url + "/connexion/", connection, "login page")
    mit = pages.brs_mit_cookie(text)
    if mit:
        set_parent_domain_cookie(session, base_url, *mit)
        text, _ = await _get_text(session, base_url + "/connexion/", connection, "login page")
        if pages.brs_mit_cookie(text):
            raise ProtocolChanged("Boursorama login: the __brs_mit cookie was not accepted (the page asks again)")
    token = pages.login_form_token(text)
    if not token:
        raise ProtocolChanged("Boursorama login: no form[_token] on the login page")
    # 4: the keypad of this login
    keypad_html, _ = await _get_text(session, base_url + KEYPAD_PATH, connection, "virtual keypad")
    keypad = parse_keypad(keypad_html)
    data = {
        "form[clientNumber]": client_number,
        "form[password]": keypad.encode(password),
        "form[fakePassword]": "\u2022" * len(password),
        "form[matrixRandomChallenge]": keypad.challenge,
        "form[_token]": token,
        "form[ajx]": "1",
        "form[platformAuthenticatorAvailable]": "-1",
        "form[passwordAck]": "{}",
        "_token": token,  # WOOB also sends the unprefixed token (probably vestigial)
    }
    # 5: one POST, never repeated
    async with session.post(base_url + LOGIN_PATH, data=data) as resp:
        raise_for_status(resp, connection=connection, what="login")
        body = await resp.text(errors="replace")
        final = resp.url
        status = resp.status
    check_outcome(body, final, status, connection)


def check_outcome(body: str, final: URL, status: int, connection: str) -> None:
    """Map the page the login POST ended on to success or a typed error (reference/boursorama.md §4.1)."""
    path = final.path
    where = f"connection {connection!r}: Boursorama login"
    if path.startswith("/securisation") or "data-strong-authentication-payload" in body:
        raise SCARequired(
            f"{where}: the bank asks for strong authentication (new device, or the 90-day check)",
            remedy="log into BoursoBank once in a browser or the app and validate the login with the "
                   "BoursoBank app (or the SMS code), then run again from the same machine")
    if any(path.startswith(p) for p in _messages()["action_paths"]):
        raise ActionNeeded(f"{where}: the bank shows {path} (account locked, paused or a notice to accept)")
    if path.startswith("/connexion/lister-identites"):
        raise ActionNeeded(f"{where}: this client number has several identities; bankflow cannot pick one yet")
    if pages.is_login_page(body):
        message = pages.page_message(body)
        for outcome, needle in _messages()["rules"]:
            if needle.casefold() in message.casefold():
                if outcome == "transient":
                    raise TransientError(f"{where}: the bank is unavailable ({message})")
                if outcome == "auth":
                    raise AuthError(f"{where}: client number or password rejected ({message})")
                if outcome == "password_change":
                    raise ActionNeeded(f"{where}: the bank asks for a password change ({message})")
                raise ActionNeeded(f"{where}: the account is blocked ({message})",
                                   remedy="unblock the account on boursobank.com or with customer service, "
                                          "then run again")
        raise ProtocolChanged(f"{where}: refused with an unknown message: {message[:200]!r}")
    if status >= 400:
        raise ProtocolChanged(f"{where}: HTTP {status} on {path}")
    log.debug("boursorama login ok (%s, title %r)", path, pages.page_title(body))
