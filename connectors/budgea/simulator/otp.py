"""The simulator's one-time code challenge (reference/budgea.md §4.1 and §4.3, in ../shared).

Knob ``otp`` on the sandbox: ``"off"`` (default), ``"once"`` (the first connection's next sync asks for a
code; once a right code is posted, later syncs do not ask again, as after a renewed consent) or
``"always"`` (every sync of the first connection asks). The sync then answers ``state =
additionalInformationNeeded`` with one field, ``sms``, and the "SMS" carries ``otp_code`` (knob; tests
read it from the sandbox). ``POST /users/me/connections/{id}`` with ``{"sms": code}``:

* the right code within ``otp_ttl`` seconds (knob, 300): the sync completes, ``state`` null, 200;
* a wrong code: **400** ``{"code": "wrongpass"}`` (the legacy "refused field value" answer), the request
  stays open;
* a code after ``otp_ttl``: 200 with ``state`` still ``additionalInformationNeeded`` and an
  ``error_message`` saying the code expired (a new one is "sent").

How Powens really answers a wrong or an expired code is not documented: these two answers are this
simulator's conventions, chosen so the client must handle both shapes (an error status, a state asking
again). ``otp_posts`` counts the codes posted per connection id (tests check a code is posted once).
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aiohttp import web

from connectors.budgea.simulator import render
from connectors.budgea.simulator.ledger import SimConnection

if TYPE_CHECKING:  # pragma: no cover
    from connectors.budgea.simulator.sandbox import BudgeaSandbox

FIELD = {"name": "sms", "type": "text", "label": "Code reçu par SMS", "required": True, "regex": "^[0-9]{6}$"}
STATE = "additionalInformationNeeded"


def wants_code(sb: BudgeaSandbox, conn: SimConnection) -> bool:
    """Whether this sync of ``conn`` meets a code request (the ``otp`` knob applies to the first connection)."""
    mode = {True: "once", False: "off", None: "off"}.get(sb.otp, sb.otp)
    if mode not in ("once", "always") or conn is not sb.ledger.users[0].connections[0]:
        return False
    return mode == "always" or not sb.otp_passed


def ask_code(sb: BudgeaSandbox, conn: SimConnection, message: str | None = None) -> None:
    """Put ``conn`` in the code-request state and "send" the code."""
    conn.state = STATE
    conn.otp_fields = [dict(FIELD)]
    conn.otp_code = sb.otp_code
    conn.otp_sent_at = time.monotonic()
    conn.error_message = message
    sb.otp_sent += 1


async def post_connection(request: web.Request, sb: BudgeaSandbox, conn: SimConnection) -> web.Response:
    """``POST /users/me/connections/{id}`` while a code is asked; see the module docstring."""
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
    else:
        body = dict(await request.post())
    if not isinstance(body, dict) or not isinstance(body.get(FIELD["name"]), str):
        return web.json_response(render.error_body("missingParameter", f"Missing field '{FIELD['name']}'"),
                                 status=400)
    sb.otp_posts[conn.id] += 1
    if time.monotonic() - conn.otp_sent_at > sb.otp_ttl:
        ask_code(sb, conn, "Le code a expiré. Un nouveau code vous a été envoyé.")
        return web.json_response(render.connection_json(conn))
    if body[FIELD["name"]] != conn.otp_code:
        return web.json_response(render.error_body("wrongpass", "Code incorrect", "Le code saisi est incorrect."),
                                 status=400)
    conn.state, conn.otp_fields, conn.otp_code, conn.error_message = None, None, None, None
    conn.last_update = sb.ledger.now
    conn.validating_left = sb.validating_polls
    sb.otp_passed = True
    return web.json_response(render.connection_json(conn))
