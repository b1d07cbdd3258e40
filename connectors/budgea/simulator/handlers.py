"""Budgea / Powens simulator: the handlers of the API 2.0 (reference §4–§7), each ``(request, sandbox)``.

The sandbox (:class:`connectors.budgea.simulator.sandbox.BudgeaSandbox`) is the state: ledger, knobs
(read on every request, so a test can change them while the server runs) and counters. The route table
and the checks ahead of every handler (knobs, bearer auth) are in ``routes.py``.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from connectors.budgea.simulator import catalog, otp, render
from connectors.budgea.simulator.ledger import SimAccount, SimConnection, SimUser
from connectors.budgea.simulator.params import (BadParam, date_bound, flag, parse_datetime, parse_limit,
                                                parse_offset, query_without)

if TYPE_CHECKING:  # pragma: no cover
    from connectors.budgea.simulator.sandbox import BudgeaSandbox

USER_KEY: web.RequestKey[SimUser] = web.RequestKey("user")


def error(status: int, code: str, description: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(render.error_body(code, description), status=status, headers=headers)


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


# ---------------------------------------------------------------------------------------------- handlers
async def get_me(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    return web.json_response(render.user_json(_user(request)))


async def get_connectors(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    expand = request.query.get("expand", "")
    with_fields = "fields" in [p.strip() for p in expand.split(",")]
    return web.json_response({"connectors": [render.connector_json(c, with_fields) for c in catalog.CONNECTORS]})


async def list_connections(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    conns = [render.connection_json(c) for c in _user(request).connections]
    return web.json_response({"connections": conns, "total": len(conns)})


async def get_connection(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    conn = _connection(request)
    body = render.connection_json(conn)
    if conn.validating_left > 0:  # each poll brings the background sync closer to its end
        conn.validating_left -= 1
    return web.json_response(body)


async def sync_connection(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    """``PUT /users/me/connections/{id}``: a synchronous sync; the answer carries the new ``state``."""
    conn = _connection(request)
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
    elif otp.wants_code(sb, conn):
        otp.ask_code(sb, conn)
        return web.json_response(render.connection_json(conn), status=202)  # legacy "more info" status
    conn.state = state
    if state is None:
        conn.last_update = sb.ledger.now
    conn.validating_left = sb.validating_polls
    return web.json_response(render.connection_json(conn))


async def post_connection(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    """``POST /users/me/connections/{id}``: field values (a one-time code, see ``otp.py``) while the
    connection asks for them; otherwise, as the reference says, "an empty body triggers a sync"."""
    conn = _connection(request)
    if conn.state == otp.STATE and conn.otp_fields:
        return await otp.post_connection(request, sb, conn)
    return await sync_connection(request, sb)


def _accounts_response(request: web.Request, sb: BudgeaSandbox, accounts: list[SimAccount]) -> web.Response:
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


async def list_accounts(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    accounts = [a for c in _user(request).connections for a in c.accounts]
    if not accounts:
        return error(400, "noAccount", "This user has no account")
    return _accounts_response(request, sb, _visible_accounts(request))


async def list_connection_accounts(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    conn = _connection(request)
    return _accounts_response(request, sb, [] if _hidden(conn) else list(conn.accounts))


async def get_account(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    return web.json_response(render.account_json(_account(request), sb.ledger.now, sb.amounts_as_strings))


async def update_account(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    """``POST /users/me/accounts/{id}`` with ``disabled`` as JSON, form-urlencoded or multipart."""
    acc = _account(request)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return error(400, "invalidValue", "Body is not valid JSON")
        if not isinstance(body, dict):
            return error(400, "invalidValue", "Body must be an object")
    else:
        body = dict(await request.post())
    if "disabled" not in body:
        return error(400, "missingParameter", "Missing parameter 'disabled'")
    raw = body["disabled"]
    disabled = raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "1")
    acc.disabled = (acc.disabled or sb.ledger.now) if disabled else None
    sb.activations[acc.id] += 1
    return web.json_response(render.account_json(acc, sb.ledger.now, sb.amounts_as_strings))


async def account_transactions(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    acc = _account(request)
    return _transactions(request, sb, [acc] if acc.disabled is None else [])


async def user_transactions(request: web.Request, sb: BudgeaSandbox) -> web.Response:
    return _transactions(request, sb, [a for a in _visible_accounts(request) if a.disabled is None])


def _transactions(request: web.Request, sb: BudgeaSandbox, accounts: list[SimAccount]) -> web.Response:
    """Filters and pages per reference/budgea.md §6.1. Rows are ordered by date then id, newest first."""
    q = request.query
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
        return error(400, exc.code, str(exc))
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
        "_links": {"self": {"href": _href(request, sb, offset)},
                   "prev": {"href": _href(request, sb, max(0, offset - limit))} if offset > 0 else None,
                   "next": {"href": _href(request, sb, offset + limit)} if offset + limit < len(rows) else None},
    })
    return web.json_response(out)


def _href(request: web.Request, sb: BudgeaSandbox, offset: int) -> str:
    """Link to another page: same path and parameters, another ``offset``. Relative by default;
    absolute with the ``links_absolute`` knob (reference/budgea.md §12.7 leaves this open)."""
    query = query_without(request.query_string, "offset")
    path = f"{request.path}?{query + '&' if query else ''}offset={offset}"
    if sb.links_absolute:
        return f"{request.scheme}://{request.host}{path}"
    return path
