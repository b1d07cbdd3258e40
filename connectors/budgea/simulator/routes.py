"""The simulated Powens API 2.0 under ``/2.0`` as a route table (reference ``shared/reference/budgea.md``).

The app reads its ledger and knobs from a :class:`connectors.budgea.simulator.sandbox.BudgeaSandbox`
(the state every handler receives), so tests can change knobs while the server runs.
"""
from __future__ import annotations

import asyncio
import math
import time
from typing import TYPE_CHECKING

from aiohttp import web

from connectors import simulator_kit
from connectors.budgea.simulator import handlers as h, webhooks
from connectors.budgea.simulator.handlers import USER_KEY, error

if TYPE_CHECKING:  # pragma: no cover
    from connectors.budgea.simulator.sandbox import BudgeaSandbox

PREFIX = "/2.0"
_U = PREFIX + "/users/{user}"

ROUTES: list[simulator_kit.Route] = [
    ("GET", PREFIX + "/connectors", h.get_connectors),
    ("GET", _U, h.get_me),
    ("GET", _U + "/connections", h.list_connections),
    ("GET", _U + "/connections/{id}", h.get_connection),
    ("PUT", _U + "/connections/{id}", h.sync_connection),
    ("POST", _U + "/connections/{id}", h.post_connection),
    ("GET", _U + "/connections/{id}/accounts", h.list_connection_accounts),
    ("GET", _U + "/accounts", h.list_accounts),
    ("GET", _U + "/accounts/{id}", h.get_account),
    ("POST", _U + "/accounts/{id}", h.update_account),
    ("GET", _U + "/accounts/{id}/transactions", h.account_transactions),
    ("GET", _U + "/transactions", h.user_transactions),
    ("POST", "/__admin/refresh", webhooks.admin_refresh),
    ("POST", "/__admin/webhooks/resend", webhooks.admin_resend),
]


async def before(request: web.Request, sb: BudgeaSandbox) -> web.Response | None:
    """Ahead of every handler: count the request, add latency, inject 503s (``fail_5xx``), rate limit
    (429 + ``Retry-After``), then bearer auth for every ``/users`` call (401 without a token, 403 with an
    unknown one). A response returned here answers the request."""
    if request.path.startswith("/__admin/"):  # the test harness's controls: no knobs, no auth
        return None
    route = request.match_info.route.resource
    canonical = route.canonical if route is not None else request.path
    sb.record(request.method, canonical, request.path, request.path_qs)
    if sb.latency > 0:
        await asyncio.sleep(sb.latency)
    if sb.fail_5xx > 0:
        sb.fail_5xx -= 1
        return error(503, "websiteUnavailable", "Service temporarily unavailable (injected)")
    if sb.rate_limit_per_min:
        now, window = time.monotonic(), sb.rate_window
        while sb.rate_hits and sb.rate_hits[0] <= now - window:
            sb.rate_hits.popleft()
        if len(sb.rate_hits) >= sb.rate_limit_per_min:
            wait = max(1, math.ceil(sb.rate_hits[0] + window - now))
            sb.rejected_429 += 1
            return error(429, "rateLimiting", "Too many requests", headers={"Retry-After": str(wait)})
        sb.rate_hits.append(now)
    if request.path.startswith(f"{PREFIX}/users"):
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return error(401, "unauthorized", "Missing bearer token")
        user = sb.ledger.user_by_token(auth[7:].strip())
        if user is None:
            return error(403, "forbidden", "Invalid or revoked token")
        who = request.match_info.get("user", "me")
        if who not in ("me", str(user.id)):
            return error(403, "forbidden", "This token cannot access that user")
        request[USER_KEY] = user
    return None


def build_app(sandbox: "BudgeaSandbox") -> web.Application:
    return simulator_kit.build_app(ROUTES, sandbox, before=before)


__all__ = ["PREFIX", "ROUTES", "build_app"]
