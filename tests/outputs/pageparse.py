"""Reading the report page back: its chart specs (JSON) and its tables (cells with their exact
``data-value``)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser


def load(path: Path) -> tuple[LexborHTMLParser, dict]:
    text = path.read_text("utf-8")
    tree = LexborHTMLParser(text)
    charts = json.loads(tree.css_first("script#report-charts").text())
    return tree, charts


def table(tree: LexborHTMLParser, key: str) -> list[list[tuple[str, str | None]]]:
    """Rows of ``table[data-table=key]``: (text, data-value) per cell."""
    t = tree.css_first(f'table[data-table="{key}"]')
    assert t is not None, key
    rows = []
    for tr in t.css("tbody tr"):
        if "empty" in (tr.attributes.get("class") or ""):
            continue
        cells = [(re.sub(r"\s+", " ", td.text()).strip(), td.attributes.get("data-value")) for td in tr.css("td")]
        rows.append(cells)
    return rows


def card(tree: LexborHTMLParser, key: str) -> str | None:
    el = tree.css_first(f'[data-card="{key}"] .v')
    return None if el is None else el.attributes.get("data-value")
