"""The one retry layer, against a real local server."""
import asyncio

import pytest
from aiohttp import web

from connectors.errors import TransientError
from connectors.http import RetryPolicy, open_session, redact_url, session_stats

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


@pytest.fixture
async def server():
    hits: dict[str, int] = {}

    async def flaky(request):
        hits["flaky"] = hits.get("flaky", 0) + 1
        if hits["flaky"] <= 2:
            return web.Response(status=503)
        return web.json_response({"ok": True})

    async def login(request):
        hits["login"] = hits.get("login", 0) + 1
        return web.Response(status=503)

    async def limited(request):
        hits["limited"] = hits.get("limited", 0) + 1
        if hits["limited"] == 1:
            return web.Response(status=429, headers={"Retry-After": "0.3"})
        return web.Response(text="ok")

    async def dead(request):
        hits["dead"] = hits.get("dead", 0) + 1
        request.transport.close()  # connection reset, no response
        await asyncio.sleep(1)
        return web.Response()

    app = web.Application()
    app.router.add_get("/flaky", flaky)
    app.router.add_post("/login", login)
    app.router.add_get("/limited", limited)
    app.router.add_get("/dead", dead)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", hits
    await runner.cleanup()


async def test_get_is_retried_on_5xx(server):
    url, hits = server
    async with open_session(connection="t", policy=FAST) as s:
        async with s.get(url + "/flaky") as r:
            assert r.status == 200
        assert session_stats(s).retries == 2
    assert hits["flaky"] == 3


async def test_post_is_never_replayed(server):
    url, hits = server
    async with open_session(connection="t", policy=FAST) as s:
        async with s.post(url + "/login", data={"password": "x"}) as r:
            assert r.status == 503
    assert hits["login"] == 1


async def test_429_waits_retry_after(server):
    url, hits = server
    async with open_session(connection="t", policy=FAST) as s:
        async with s.get(url + "/limited") as r:
            assert r.status == 200
        waits = session_stats(s).waits
    assert hits["limited"] == 2
    assert waits == [0.3]  # the server's Retry-After, not the 0.01 s backoff


async def test_connection_reset_becomes_transient_error_after_bounded_tries(server):
    url, hits = server
    async with open_session(connection="t", policy=FAST) as s:
        with pytest.raises(TransientError, match="failed after 4 tries"):
            async with s.get(url + "/dead?token=abcdef123"):
                pass
    assert hits["dead"] == 4


def test_redaction():
    assert redact_url("http://h/p?token=abc&limit=5") == "/p?token=***&limit=5"
    assert "s3cret" not in redact_url("http://h/users/s3cret/x", ["s3cret"])
