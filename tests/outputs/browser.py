"""A real headless Chromium (Debian's package) driven over the Chrome DevTools protocol with aiohttp's
websocket client: load a page, collect console errors and network requests, evaluate JavaScript, take
full-page screenshots at a given width."""
from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = os.environ.get("BANKFLOW_CHROMIUM", "/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0")


def chromium_path() -> str | None:
    """The browser to use, or None when it is not installed."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


class Browser:
    """``async with Browser() as b: await b.open(url, width)``: one Chromium, one tab."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="bankflow-chromium-"))
        self.proc: subprocess.Popen | None = None
        self.errors: list[str] = []
        self.requests: list[str] = []
        self._ids = 0
        self._pending: dict[int, asyncio.Future] = {}
        self._events: dict[str, asyncio.Event] = {}

    async def __aenter__(self) -> "Browser":
        exe = chromium_path()
        assert exe, "no Chromium"
        self.proc = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        self.http = aiohttp.ClientSession()
        async with self.http.get(f"http://127.0.0.1:{port}/json/list") as r:
            pages = [t for t in await r.json() if t["type"] == "page"]
        self.ws = await self.http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        for domain in ("Runtime", "Log", "Page", "Network"):
            await self.send(f"{domain}.enable")
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await asyncio.wait_for(self.send("Browser.close"), 5)
        except Exception:
            pass
        self._reader.cancel()
        await self.ws.close()
        await self.http.close()
        if self.proc:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    async def _read(self) -> None:
        async for msg in self.ws:
            m = json.loads(msg.data)
            if "id" in m:
                fut = self._pending.pop(m["id"], None)
                if fut and not fut.done():
                    fut.set_result(m)
                continue
            self._on_event(m["method"], m.get("params", {}))

    def _on_event(self, method: str, p: dict[str, Any]) -> None:
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            self.errors.append("exception: " + str(d.get("exception", {}).get("description", d.get("text"))))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            self.errors.append("log: " + p["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"])
        if method in self._events:
            self._events[method].set()

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self._ids += 1
        fut = asyncio.get_running_loop().create_future()
        self._pending[self._ids] = fut
        await self.ws.send_str(json.dumps({"id": self._ids, "method": method, "params": params or {}}))
        m = await asyncio.wait_for(fut, 60)
        if "error" in m:
            raise RuntimeError(f"{method}: {m['error']}")
        return m["result"]

    async def open(self, url: str, width: int, height: int = 900) -> None:
        await self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                               "deviceScaleFactor": 1, "mobile": width < 600})
        loaded = self._events["Page.loadEventFired"] = asyncio.Event()
        await self.send("Page.navigate", {"url": url})
        await asyncio.wait_for(loaded.wait(), 60)

    async def evaluate(self, expression: str) -> Any:
        r = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")

    async def screenshot(self, path: Path, width: int) -> None:
        """A full-page PNG at ``width`` CSS pixels."""
        height = int(await self.evaluate("document.documentElement.scrollHeight"))
        await self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                               "deviceScaleFactor": 1, "mobile": width < 600})
        await asyncio.sleep(0.5)  # responsive charts redraw on resize
        r = await self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(r["data"]))
