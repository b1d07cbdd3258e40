"""Every bank simulator has one shape (see :mod:`connectors.simulator_kit`): ``ledger.py`` (ground
truth), ``routes.py`` with ``ROUTES`` (method, path, handler) and ``build_app(state)``; the app serves
exactly its table. The kit itself is shown over a real socket: handlers get the state, and the bank's
``before`` hook runs first and can answer instead of the handler."""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from connectors import simulator_kit
from connectors.registry import all_specs

SIMULATED = sorted(b for b, spec in all_specs().items() if spec.start_sandbox is not None)


def test_three_banks_have_a_simulator() -> None:
    assert SIMULATED == ["boursorama", "budgea", "lcl"]


@pytest.mark.parametrize("bank", SIMULATED)
def test_simulator_has_ledger_and_route_table(bank: str) -> None:
    pkg = importlib.import_module(f"connectors.{bank}.simulator")
    folder = Path(pkg.__file__).parent
    assert (folder / "ledger.py").is_file()
    routes = importlib.import_module(f"connectors.{bank}.simulator.routes")
    assert routes.ROUTES, "empty route table"
    for method, path, handler in routes.ROUTES:
        assert method in ("GET", "POST", "PUT", "DELETE")
        assert path.startswith("/")
        assert inspect.iscoroutinefunction(handler)
        params = list(inspect.signature(handler).parameters)
        assert len(params) == 2 and params[0] == "request", f"{handler.__name__}: (request, state)"
    assert len({(m, p) for m, p, _ in routes.ROUTES}) == len(routes.ROUTES), "a route listed twice"
    assert callable(routes.build_app)


@pytest.mark.parametrize("bank", SIMULATED)
async def test_app_serves_exactly_its_route_table(bank: str) -> None:
    spec = all_specs()[bank]
    sb = await spec.start_sandbox(seed=3)
    try:
        routes = importlib.import_module(f"connectors.{bank}.simulator.routes")
        state = getattr(sb, "state", sb)   # Budgea's sandbox is its own state
        app = routes.build_app(state)
        served = {(r.method, r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"}
        assert served == {(m, p) for m, p, _ in routes.ROUTES}
    finally:
        await sb.close()


async def _hello(request: web.Request, state: dict[str, int]) -> web.Response:
    state["hits"] += 1
    return web.Response(text=f"hello {request.match_info['who']} #{state['hits']}")


async def _gate(request: web.Request, state: dict[str, int]) -> web.Response | None:
    state["seen"] += 1
    if request.headers.get("X-Closed"):
        return web.Response(status=503, text="closed")
    return None


async def test_kit_passes_state_and_runs_before_first() -> None:
    state = {"hits": 0, "seen": 0}
    app = simulator_kit.build_app([("GET", "/hello/{who}", _hello)], state, before=_gate)
    runner, host, port = await simulator_kit.serve(app, "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession(f"http://{host}:{port}") as http:
            async with http.get("/hello/ana") as r:
                assert (r.status, await r.text()) == (200, "hello ana #1")
            async with http.get("/hello/bo", headers={"X-Closed": "1"}) as r:
                assert (r.status, await r.text()) == (503, "closed")   # the hook answered
            async with http.head("/hello/cy") as r:
                assert r.status == 200                                   # GET routes answer HEAD
            async with http.post("/hello/cy") as r:
                assert r.status == 405
    finally:
        await runner.cleanup()
    assert state == {"hits": 2, "seen": 4}
