"""The simulator's webhooks (reference/budgea.md §8, in ../shared): after a background refresh, Powens
pushes what changed to the URL the client registered.

Knobs on the sandbox: ``webhook_url`` (None: no webhooks), ``webhook_auth`` (``"hmac"``: ``BI-Signature``
and ``BI-Signature-Date`` computed with ``webhook_secret``; ``"bearer"``: ``Authorization: Bearer
<webhook_secret>``, the legacy shared secret), ``webhook_format`` (``"connection_synced"``: one
``{"user", "connection": {…, "accounts": [{…, "transactions": […]}]}}`` per connection, as FOR and ALG
receive it; ``"legacy"``: one ``{"connections": […], "total", "user"}`` per user sync with rows flagged
``new``, as the dev guide's example), ``webhook_retries`` (2: immediate resends on a non-200).

A body still refused after its retries stays queued and is sent again after the next refresh, before the
new ones ("sent again at the next user synchronization"). Headers follow the dev guide's example
(``User-Agent: Budgea API/2.0``, ``Content-Type: application/json; charset=utf-8``). The
``BI-Signature-Date`` format is not documented: the simulator sends an RFC 1123 HTTP date.

Admin routes (outside ``/2.0``): ``POST /__admin/refresh?days=N`` moves the clock N days (default 1) and
pushes; ``POST /__admin/webhooks/resend`` sends the last delivered body once more, as Powens does when
its receiver's 200 was lost (a duplicate the receiver must not sync twice). ``webhook_log`` records
``(status, sha256)`` of every delivery attempt.
"""
from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from yarl import URL

from connectors.budgea.simulator import render
from connectors.budgea.simulator.ledger import SimConnection

if TYPE_CHECKING:  # pragma: no cover
    from connectors.budgea.simulator.sandbox import BudgeaSandbox


def _connection_body(sb: BudgeaSandbox, conn: SimConnection, since: dt.datetime | None, *,
                     flag_new: bool) -> dict[str, Any]:
    accounts = []
    for acc in conn.accounts:
        if acc.disabled is not None or acc.deleted is not None:
            continue
        rows = [render.txn_json(t, sb.amounts_as_strings) | ({"new": True} if flag_new else {})
                for t in acc.rows if since is None or t.last_update > since]
        accounts.append(render.account_json(acc, sb.ledger.now, sb.amounts_as_strings) | {"transactions": rows})
    return render.connection_json(conn) | {"accounts": accounts}


def bodies(sb: BudgeaSandbox, since: dict[int, dt.datetime | None]) -> list[bytes]:
    """The bodies one background refresh of user 0 pushes, in ``webhook_format``."""
    user = sb.ledger.users[0]
    conns = [c for c in user.connections if c.state != "wrongpass"]
    if sb.webhook_format == "legacy":
        payload = {"connections": [_connection_body(sb, c, since.get(c.id), flag_new=True) for c in conns],
                   "total": len(conns), "user": render.user_json(user)}
        return [json.dumps(payload).encode()]
    return [json.dumps({"user": render.user_json(user),
                        "connection": _connection_body(sb, c, since.get(c.id), flag_new=False)}).encode()
            for c in conns]


def headers(sb: BudgeaSandbox, body: bytes) -> dict[str, str]:
    out = {"User-Agent": "Budgea API/2.0", "Content-Type": "application/json; charset=utf-8"}
    if sb.webhook_auth == "bearer":
        out["Authorization"] = f"Bearer {sb.webhook_secret}"
        return out
    date = email.utils.format_datetime(dt.datetime.now(dt.UTC), usegmt=True)
    message = b"POST." + URL(sb.webhook_url).path.encode() + b"." + date.encode() + b"." + body
    out["BI-Signature"] = base64.b64encode(hmac.new(sb.webhook_secret.encode(), message,
                                                    hashlib.sha256).digest()).decode()
    out["BI-Signature-Date"] = date
    return out


async def _post(sb: BudgeaSandbox, body: bytes) -> int:
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            async with session.post(sb.webhook_url, data=body, headers=headers(sb, body)) as resp:
                status = resp.status
    except (aiohttp.ClientError, TimeoutError):
        status = 0  # unreachable: kept for the next refresh
    sb.webhook_log.append((status, hashlib.sha256(body).hexdigest()))
    return status


async def deliver(sb: BudgeaSandbox) -> dict[str, int]:
    """Send every queued body (each with ``webhook_retries`` immediate resends); keep the refused ones."""
    delivered = 0
    for body in list(sb.webhook_queue):
        for _ in range(1 + max(0, sb.webhook_retries)):
            if await _post(sb, body) == 200:
                sb.webhook_queue.remove(body)
                sb.webhook_last = body
                delivered += 1
                break
    return {"delivered": delivered, "pending": len(sb.webhook_queue)}


async def background_refresh(sb: BudgeaSandbox, days: int = 1) -> dict[str, int]:
    """Powens' own scheduled refresh: the clock moves ``days``, each connection syncs, the changes are
    pushed (when ``webhook_url`` is set)."""
    user = sb.ledger.users[0]
    since = {c.id: sb.webhook_pushed.get(c.id) for c in user.connections}
    if days:
        sb.advance_days(days)
    for conn in user.connections:
        if conn.state is None:
            conn.last_update = sb.ledger.now
    if not sb.webhook_url:
        return {"delivered": 0, "pending": 0}
    sb.webhook_queue.extend(bodies(sb, since))
    for conn in user.connections:
        sb.webhook_pushed[conn.id] = sb.ledger.now
    return await deliver(sb)


async def admin_refresh(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    return web.json_response(await background_refresh(sb, int(request.query.get("days", "1"))))


async def admin_resend(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    if sb.webhook_last is None:
        return web.json_response({"error": "nothing delivered yet"}, status=409)
    return web.json_response({"status": await _post(sb, sb.webhook_last)})
