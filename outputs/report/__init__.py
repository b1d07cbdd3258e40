"""``bankflow report``: one self-contained HTML page built from the marts (see ``build_report``)."""
from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from outputs.report.data import ReportData, gather
from outputs.report.page import render
from warehouse.db import Warehouse

__all__ = ["ReportData", "build_report", "gather", "plotly_js", "render_report"]


@cache
def plotly_js() -> str:
    """plotly.js as the plotly package ships it (inlined into the page: no CDN at view time)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_report(wh: Warehouse, *, built_at: dt.datetime | None = None) -> str:
    """The page's HTML for an open warehouse."""
    built_at = built_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    return render(gather(wh), plotly_js(), built_at=built_at)


def build_report(wh: Warehouse, out_dir: Path, *, built_at: dt.datetime | None = None) -> Path:
    """Write ``out_dir/index.html`` (atomically: a reader never sees half a page) and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_report(wh, built_at=built_at), "utf-8")
    tmp.replace(path)
    return path
