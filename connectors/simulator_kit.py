"""The one shape of every bank simulator: a route table, short handlers, a state object, one app builder.

Each simulator package (``connectors/<bank>/simulator/``) holds:

* ``ledger.py``: the ground truth (accounts and rows the bank would show; what ``truth()`` returns);
* a state object: the ledger, the knobs (``latency``, ``wrong_password``, ... and the bank's quirks) and
  what the server remembers between requests (sessions, tokens, counters);
* handlers: short ``async def handler(request, state) -> Response`` functions;
* ``routes.py``: ``ROUTES``, the table of ``(method, path, handler)`` (like woob's URL -> Page map), and
  ``build_app(state)``, which calls :func:`build_app` here with the table and the bank's ``before`` hook
  (request log, latency, injected failures, authentication: whatever runs ahead of every handler).

``start_sandbox(...)`` (the ``ConnectorSpec`` entry the sandbox in ``pipeline/sandbox.py`` and the tests use)
builds the state, then :func:`serve` runs ``build_app(state)`` on a real socket.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web

S = TypeVar("S")
Handler = Callable[[web.Request, Any], Awaitable[web.StreamResponse]]
#: ``before(request, state)`` runs ahead of every handler; a response it returns answers instead
Before = Callable[[web.Request, Any], Awaitable[web.StreamResponse | None]]
Route = tuple[str, str, Handler]

STATE: web.AppKey[Any] = web.AppKey("simulator_state", object)


def state_of(request: web.Request) -> Any:
    """The state object of the app serving ``request``."""
    return request.app[STATE]


def _bind(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def call(request: web.Request) -> web.StreamResponse:
        return await handler(request, request.app[STATE])
    call.__name__ = getattr(handler, "__name__", "handler")
    return call


def build_app(routes: Sequence[Route], state: S, *, before: Before | None = None) -> web.Application:
    """An aiohttp app serving ``routes`` (``(method, path, handler)``, paths in aiohttp's ``{name}``
    syntax), each handler called as ``handler(request, state)`` after ``before`` (when given)."""
    middlewares = []
    if before is not None:
        hook = before

        @web.middleware
        async def run_before(request: web.Request, handler: Any) -> web.StreamResponse:
            early = await hook(request, request.app[STATE])
            return early if early is not None else await handler(request)
        middlewares.append(run_before)
    app = web.Application(middlewares=middlewares)
    app[STATE] = state
    for method, path, handler in routes:
        if method == "GET":   # as aiohttp's add_get: HEAD is answered too
            app.router.add_get(path, _bind(handler))
        else:
            app.router.add_route(method, path, _bind(handler))
    return app


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str, int]:
    """Run ``app`` on ``host:port`` (0 = any free port); return the runner (``await runner.cleanup()``
    stops it) and the bound host and port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_host, bound_port = runner.addresses[0][:2]
    return runner, bound_host, bound_port
