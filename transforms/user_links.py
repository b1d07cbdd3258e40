"""The user's link decisions: ``<data-dir>/links.csv`` is the source of truth (an append-only journal:
``a_id,b_id,action,set_at``, last line for a pair wins, action ``link`` | ``unlink`` | ``clear``), mirrored
into ``core.user_links`` so the identity views honour it and ``bankflow rebuild`` restores it."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa

from connectors.errors import ConfigError
from warehouse.db import Warehouse, sql

LINKS_FILE = "links.csv"
COLUMNS = ["a_id", "b_id", "action", "set_at"]


def links_path(root: Path) -> Path:
    return Path(root) / LINKS_FILE


def read_links(root: Path) -> dict[tuple[str, str], tuple[str, dt.datetime | None]]:
    path = links_path(root)
    if not path.exists():
        return {}
    out: dict[tuple[str, str], tuple[str, dt.datetime | None]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"a_id", "b_id", "action"} <= set(reader.fieldnames):
            raise ConfigError(f"{path}: expected a CSV with columns {', '.join(COLUMNS)}", remedy=f"fix {path}")
        for n, row in enumerate(reader, start=2):
            a, b, action = (row.get(k, "").strip() for k in ("a_id", "b_id", "action"))
            if not a or not b or action not in ("link", "unlink", "clear"):
                raise ConfigError(f"{path}: line {n}: expected a_id,b_id and action link|unlink|clear",
                                  remedy=f"fix {path}")
            key = (a, b) if a <= b else (b, a)
            if action == "clear":
                out.pop(key, None)
            else:
                at = row.get("set_at") or None
                out[key] = (action, dt.datetime.fromisoformat(at) if at else None)
    return out


def add_link(root: Path, a_id: str, b_id: str, action: str) -> None:
    from transforms.user_edits import append_journal

    append_journal(links_path(root), COLUMNS, [a_id, b_id, action])


def mirror_links(root: Path, wh: Warehouse) -> int:
    """Replace ``core.user_links`` with the journal's current decisions. Both orientations are stored,
    so the views can look a pair up either way round."""
    links = read_links(root)
    rows = [(a, b, act, at) for (a, b), (act, at) in links.items()] + \
           [(b, a, act, at) for (a, b), (act, at) in links.items()]
    table = pa.table({"a_id": pa.array([r[0] for r in rows], pa.string()),
                      "b_id": pa.array([r[1] for r in rows], pa.string()),
                      "action": pa.array([r[2] for r in rows], pa.string()),
                      "set_at": pa.array([r[3] for r in rows], pa.timestamp("us"))})
    wh.con.register("edits_links", table)
    try:
        wh.con.execute(sql("queries", "replace_user_links.sql"))
    finally:
        wh.con.unregister("edits_links")
    return len(links)
