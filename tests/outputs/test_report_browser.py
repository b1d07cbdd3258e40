"""The report in a real headless Chromium (Debian's package): no console error, no request leaves the
file (works offline), every chart drawn, full-page screenshots at 1280 and 390 px wide in the test's tmp
dir. Skipped when Chromium is absent, except in CI (CI=true), where .ci/run installs it."""
from __future__ import annotations

import asyncio
import os

import pytest

from tests.outputs.browser import Browser, chromium_path

#: per chart: how many marks it drew (plotly's traces, bars and heatmap images with real geometry)
DRAWN_JS = """
(() => Array.from(document.querySelectorAll('.chart')).map(el => {
  const svg = el.querySelector('svg.main-svg');
  const marks = Array.from(el.querySelectorAll('.scatterlayer path.js-line, .barlayer path, .heatmaplayer image'))
    .filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
  return {id: el.id, svg: !!svg, marks: marks.length};
}))()
"""


def _need_chromium() -> None:
    if chromium_path() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: .ci/run installs it (apt-get install chromium)")
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")


def test_report_draws_in_chromium(demo_page, tmp_path):
    _need_chromium()

    async def run() -> dict:
        found = {}
        async with Browser() as b:
            for width in (1280, 390):
                await b.open(demo_page.resolve().as_uri(), width)
                for _ in range(50):  # plotly draws after load; give it up to 5 s
                    charts = await b.evaluate(DRAWN_JS)
                    if charts and all(c["marks"] for c in charts):
                        break
                    await asyncio.sleep(0.1)
                found[width] = charts
                await b.screenshot(tmp_path / f"report-{width}.png", width)
            found["errors"] = b.errors
            found["requests"] = b.requests
        return found

    found = asyncio.run(run())
    assert found["errors"] == []
    outside = [u for u in found["requests"] if not u.startswith(("file:", "data:", "blob:"))]
    assert outside == []
    for width in (1280, 390):
        ids = {c["id"] for c in found[width]}
        assert ids == {"chart-balance", "chart-cashflow", "chart-spend-month", "chart-spend-year",
                       "chart-merchants", "chart-coverage"}
        assert all(c["svg"] and c["marks"] > 0 for c in found[width]), found[width]
        png = (tmp_path / f"report-{width}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == width
    print(f"screenshots: {tmp_path}/report-1280.png, report-390.png")


def test_a_script_error_is_caught(tmp_path):
    """The console check can fire: a page with a failing script is reported."""
    _need_chromium()
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>console.error('boom'); undefinedFunction();</script></body></html>")

    async def run() -> list[str]:
        async with Browser() as b:
            await b.open(page.resolve().as_uri(), 800)
            await asyncio.sleep(0.3)
            return b.errors

    errors = asyncio.run(run())
    assert any("boom" in e for e in errors) and any("undefinedFunction" in e for e in errors)
