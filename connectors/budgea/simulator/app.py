"""The aiohttp application serving the simulated Powens API 2.0 under ``/2.0``.

The app reads its ledger and knobs from a :class:`connectors.budgea.simulator.sandbox.BudgeaSandbox`
(``app[SANDBOX_KEY]``), so tests can change knobs while the server runs. Middleware order: count the
request, add latency, inject 503s (``fail_5xx``), rate limit (429 + ``Retry-After``), then bearer auth for
every ``/users`` call (401 without a token, 403 with an unknown one).
"""
from __future__ import annotations

import asyncio
import json
import math
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from connectors.budgea.simulator import catalog, render
from connectors.budgea.simulator.ledger import SimAccount, SimConnection, SimUser
from connectors.budgea.simulator.params import (BadParam, date_bound, flag, parse_limit, parse_offset,
                                                parse_datetime, query_without)

if TYPE_CHECKING:  # pragma: no cover
    from connectors.budgea.simulator.sandbox import BudgeaSandbox

PREFIX = "/2.0"
SANDBOX_KEY: web.AppKey["BudgeaSandbox"] = web.AppKey("sandbox")
USER_KEY: web.RequestKey[SimUser] = web.RequestKey("user")


def _error(status: int, code: str, description: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(render.error_body(code, description), status=status, headers=headers)


def _sb(request: web.Request) -> "BudgeaSandbox":
    return request.app[SANDBOX_KEY]


@web.middleware
async def knobs_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    sb = _sb(request)
    route = request.match_info.route.resource
    canonical = route.canonical if route is not None else request.path
    sb.record(request.method, canonical, request.path, request.path_qs)
    if sb.latency > 0:
        await asyncio.sleep(sb.latency)
    if sb.fail_5xx > 0:
        sb.fail_5xx -= 1
        return _error(503, "websiteUnavailable", "Service temporarily unavailable (injected)")
    if sb.rate_limit_per_min:
        now, window = time.monotonic(), sb.rate_window
        while sb.rate_hits and sb.rate_hits[0] <= now - window:
            sb.rate_hits.popleft()
        if len(sb.rate_hits) >= sb.rate_limit_per_min:
            wait = max(1, math.ceil(sb.rate_hits[0] + window - now))
            sb.rejected_429 += 1
            return _error(429, "rateLimiting", "Too many requests", headers={"Retry-After": str(wait)})
        sb.rate_hits.append(now)
    if request.path.startswith(f"{PREFIX}/users"):
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return _error(401, "unauthorized", "Missing bearer token")
        user = sb.ledger.user_by_token(auth[7:].strip())
        if user is None:
            return _error(403, "forbidden", "Invalid or revoked token")
        who = request.match_info.get("user", "me")
        if who not in ("me", str(user.id)):
            return _error(403, "forbidden", "This token cannot access that user")
        request[USER_KEY] = user
    return await handler(request)


# ---------------------------------------------------------------------------------------------- helpers
def _user(request: web.Request) -> SimUser:
    return request[USER_KEY]


def _hidden(conn: SimConnection) -> bool:
    """A connection whose credentials were rejected serves no data (the brief's wrongpass rule)."""
    return conn.state == "wrongpass"


def _visible_accounts(request: web.Request) -> list[SimAccount]:
    return [a for c in _user(request).connections if not _hidden(c) for a in c.accounts]


def _connection(request: web.Request) -> SimConnection:
    cid = request.match_info["id"]
    for conn in _user(request).connections:
        if str(conn.id) == cid:
            return conn
    raise web.HTTPNotFound(text=_json(render.error_body("connectionNotFound", f"No connection {cid}")),
                           content_type="application/json")


def _account(request: web.Request) -> SimAccount:
    aid = request.match_info["id"]
    for acc in _visible_accounts(request):
        if str(acc.id) == aid:
            return acc
    raise web.HTTPNotFound(text=_json(render.error_body("accountNotFound", f"No account {aid}")),
                           content_type="application/json")


def _json(obj: Any) -> str:
    return json.dumps(obj)


# ---------------------------------------------------------------------------------------------- routes
async def get_me(request: web.Request) -> web.Response:
    return web.json_response(render.user_json(_user(request)))


async def get_connectors(request: web.Request) -> web.Response:
    expand = request.query.get("expand", "")
    with_fields = "fields" in [p.strip() for p in expand.split(",")]
    return web.json_response({"connectors": [render.connector_json(c, with_fields) for c in catalog.CONNECTORS]})


async def list_connections(request: web.Request) -> web.Response:
    conns = [render.connection_json(c) for c in _user(request).connections]
    return web.json_response({"connections": conns, "total": len(conns)})


async def get_connection(request: web.Request) -> web.Response:
    conn = _connection(request)
    body = render.connection_json(conn)
    if conn.validating_left > 0:  # each poll brings the background sync closer to its end
        conn.validating_left -= 1
    return web.json_response(body)


async def sync_connection(request: web.Request) -> web.Response:
    """``PUT /users/me/connections/{id}``: a synchronous sync; the answer carries the new ``state``."""
    sb, conn = _sb(request), _connection(request)
    sb.sync_attempts[conn.id] += 1
    sb.psu_requested.append(request.query.get("psu_requested", "true"))
    first = sb.ledger.users[0].connections[0]
    state: str | None = None
    if conn is first and sb.wrong_password:
        state = "wrongpass"
    elif conn is first and sb.sca:
        state = "SCARequired"
    elif conn is first and sb.connection_state:
        state = sb.connection_state
    conn.state = state
    if state is None:
        conn.last_update = sb.ledger.now
    conn.validating_left = sb.validating_polls
    return web.json_response(render.connection_json(conn))


def _accounts_response(request: web.Request, accounts: list[SimAccount]) -> web.Response:
    sb = _sb(request)
    if not flag(request, "all"):
        accounts = [a for a in accounts if a.disabled is None and a.deleted is None]
    listed = [render.account_json(a, sb.ledger.now, sb.amounts_as_strings) for a in accounts]
    enabled = [a for a in accounts if a.disabled is None and a.deleted is None]
    total_bal = sum((a.booked_balance() for a in enabled), start=Decimal("0.00"))
    total_coming = sum((a.coming_sum() for a in enabled), start=Decimal("0.00"))
    return web.json_response({
        "accounts": listed, "total": len(listed),
        "balances": {"EUR": render.amount(total_bal, sb.amounts_as_strings)},
        "coming_balances": {"EUR": render.amount(total_coming, sb.amounts_as_strings)},
    })


async def list_accounts(request: web.Request) -> web.Response:
    accounts = [a for c in _user(request).connections for a in c.accounts]
    if not accounts:
        return _error(400, "noAccount", "This user has no account")
    return _accounts_response(request, _visible_accounts(request))


async def list_connection_accounts(request: web.Request) -> web.Response:
    conn = _connection(request)
    return _accounts_response(request, [] if _hidden(conn) else list(conn.accounts))


async def get_account(request: web.Request) -> web.Response:
    sb = _sb(request)
    return web.json_response(render.account_json(_account(request), sb.ledger.now, sb.amounts_as_strings))


async def update_account(request: web.Request) -> web.Response:
    """``POST /users/me/accounts/{id}`` with ``disabled`` as JSON, form-urlencoded or multipart."""
    sb, acc = _sb(request), _account(request)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "invalidValue", "Body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "invalidValue", "Body must be an object")
    else:
        body = dict(await request.post())
    if "disabled" not in body:
        return _error(400, "missingParameter", "Missing parameter 'disabled'")
    raw = body["disabled"]
    disabled = raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "1")
    acc.disabled = (acc.disabled or sb.ledger.now) if disabled else None
    sb.activations[acc.id] += 1
    return web.json_response(render.account_json(acc, sb.ledger.now, sb.amounts_as_strings))


async def account_transactions(request: web.Request) -> web.Response:
    acc = _account(request)
    return _transactions(request, [acc] if acc.disabled is None else [])


async def user_transactions(request: web.Request) -> web.Response:
    return _transactions(request, [a for a in _visible_accounts(request) if a.disabled is None])


def _transactions(request: web.Request, accounts: list[SimAccount]) -> web.Response:
    """Filters and pages per reference/budgea.md §6.1. Rows are ordered by date then id, newest first."""
    sb, q = _sb(request), request.query
    try:
        limit = parse_limit(q)
        offset = parse_offset(q)
        field = q.get("filter", "application_date")
        if field not in ("application_date", "date"):
            raise BadParam("invalidValue", f"filter must be application_date or date, not {field!r}")
        lo = date_bound(q, "min_date", upper=False)
        hi = date_bound(q, "max_date", upper=True)
        updated_after = parse_datetime(q, "last_update")
    except BadParam as exc:
        return _error(400, exc.code, str(exc))
    include_deleted = flag(request, "all")
    only_deleted = flag(request, "deleted")
    rows = [t for a in accounts for t in a.rows]
    every = rows
    if only_deleted:
        rows = [t for t in rows if t.deleted is not None]
    elif not include_deleted:
        rows = [t for t in rows if t.deleted is None]
    if lo or hi:
        key = (lambda t: t.rdate) if field == "application_date" else (lambda t: t.date)
        rows = [t for t in rows if (lo is None or key(t) >= lo) and (hi is None or key(t) <= hi)]
    if updated_after is not None:
        rows = [t for t in rows if t.last_update > updated_after]
    rows.sort(key=lambda t: (t.date, t.id), reverse=True)
    page = rows[offset:offset + limit]
    out: dict[str, Any] = {"transactions": [render.txn_json(t, sb.amounts_as_strings) for t in page]}
    if sb.pagination == "offset":
        out["total"] = len(rows)
        return web.json_response(out)
    dates = [t.date for t in every]
    out.update({
        "first_date": render.fmt_date(min(dates)) if dates else None,
        "last_date": render.fmt_date(max(dates)) if dates else None,
        "result_min_date": render.fmt_date(min(t.date for t in page)) if page else None,
        "result_max_date": render.fmt_date(max(t.date for t in page)) if page else None,
        "_links": {"self": {"href": _href(request, offset)},
                   "prev": {"href": _href(request, max(0, offset - limit))} if offset > 0 else None,
                   "next": {"href": _href(request, offset + limit)} if offset + limit < len(rows) else None},
    })
    return web.json_response(out)


def _href(request: web.Request, offset: int) -> str:
    """Link to another page: same path and parameters, another ``offset``. Relative by default;
    absolute with the ``links_absolute`` knob (reference/budgea.md §12.7 leaves this open)."""
    query = query_without(request.query_string, "offset")
    path = f"{request.path}?{query + '&' if query else ''}offset={offset}"
    if _sb(request).links_absolute:
        return f"{request.scheme}://{request.host}{path}"
    return path


def build_app(sandbox: "BudgeaSandbox") -> web.Application:
    app = web.Application(middlewares=[knobs_middleware])
    app[SANDBOX_KEY] = sandbox
    u = PREFIX + "/users/{user}"
    app.router.add_get(PREFIX + "/connectors", get_connectors)
    app.router.add_get(u, get_me)
    app.router.add_get(u + "/connections", list_connections)
    app.router.add_get(u + "/connections/{id}", get_connection)
    app.router.add_put(u + "/connections/{id}", sync_connection)
    app.router.add_get(u + "/connections/{id}/accounts", list_connection_accounts)
    app.router.add_get(u + "/accounts", list_accounts)
    app.router.add_get(u + "/accounts/{id}", get_account)
    app.router.add_post(u + "/accounts/{id}", update_account)
    app.router.add_get(u + "/accounts/{id}/transactions", account_transactions)
    app.router.add_get(u + "/transactions", user_transactions)
    return app


__all__ = ["build_app", "PREFIX"]
