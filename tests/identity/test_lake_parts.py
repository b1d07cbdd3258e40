"""Rebuild writes the lake as parts (many payloads per file): the warehouse is the same as with one file
per payload, the lake still answers per payload, and a failed part leaves the previous state."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from connectors.registry import all_specs
from pipeline import rebuild as rebuild_mod
from pipeline.datadir import DataDir
from pipeline.ingest import to_lake
from pipeline.rebuild import rebuild
from warehouse.lake import Lake

from .helpers import T0, load_all, parse_snapshot, row, snapshot

D = dt.date(2026, 11, 1)


@pytest.fixture
def synthetic_parser(monkeypatch):
    # the snapshots are synthetic JSON filed under a real bank: give rebuild their parser
    monkeypatch.setitem(all_specs(), "boursorama", dataclasses.replace(all_specs()["boursorama"], parse=parse_snapshot))


def _history(dd: DataDir) -> list[tuple[str, str]]:
    """Eight overlapping snapshots of two accounts, with identical same-day rows and a pending row."""
    items = []
    for k in range(4):
        for acc in ("ACC1", "ACC2"):
            rows = [row(1, "-3.50", "CARTE CAFE", account=acc), row(1, "-3.50", "CARTE CAFE", account=acc),
                    row(2 + k, "-12.00", f"PRLV SEPA EDF {acc} {k}", account=acc),
                    row(10, "-40.00", "CARTE MONOP", account=acc, pending=k < 2)]
            items.append(snapshot(dd, rows, start=D, end=D + dt.timedelta(days=9 + k),
                                  at=T0 + dt.timedelta(days=k), account=acc))
    return items


def _state(dd: DataDir) -> list[tuple]:
    with dd.open_warehouse(read_only=True) as wh:
        return wh.query("SELECT txn_id, account_id, booking_date, amount, label_raw, pending, kind, merchant, "
                        "category, raw_sha256 FROM core.transactions ORDER BY ALL").fetchall() + \
            wh.query("SELECT txn_id, raw_sha256 FROM core.transaction_sightings ORDER BY ALL").fetchall() + \
            wh.query("SELECT raw_sha256, rows FROM core.raw_files ORDER BY ALL").fetchall()


def test_rebuild_in_small_parts_equals_the_incremental_warehouse(tmp_path, monkeypatch, synthetic_parser):
    dd = DataDir(tmp_path)
    items = _history(dd)
    for it in items:                                   # incremental: one payload per load
        load_all(dd, [it])
    before = _state(dd)
    monkeypatch.setattr(rebuild_mod, "PART_ROWS", 7)        # several parts per bank, payloads split across them
    rebuild(dd)
    parts = list((dd.lake.root / "transactions" / "bank=boursorama").glob("part-*.parquet"))
    assert len(parts) >= 3
    assert not list((dd.lake.root / "transactions").rglob("[0-9a-f]*.parquet"))  # no per-payload file left
    assert _state(dd) == before and len(before) > 0


def test_the_lake_answers_per_payload_after_a_rebuild(tmp_path, synthetic_parser):
    dd = DataDir(tmp_path)
    items = _history(dd)
    load_all(dd, items)
    rebuild(dd)
    lake = Lake(dd.lake.root)                          # a fresh process: the index comes from the manifests
    assert all(lake.has(bank, sha) for bank, sha in items)
    assert not lake.has("boursorama", "0" * 64)
    parts = lake.files("transactions", "boursorama", [sha for _b, sha in items])
    assert len(parts) == 1 and "part-" in parts[0]     # one part file, listed once
    # an already-parsed payload is not parsed again; a new one gets its own file and loads beside the parts
    old_path = next(dd.raw.iter_paths())
    to_lake(dd, old_path)
    assert not list((dd.lake.root / "transactions").rglob("[0-9a-f]*.parquet"))
    new = snapshot(dd, [row(20, "-5.00", "CARTE BOULANGERIE")], start=D, end=D + dt.timedelta(days=20),
                   at=T0 + dt.timedelta(days=20))
    load_all(dd, [new])
    with dd.open_warehouse(read_only=True) as wh:
        assert wh.query("SELECT count(*) FROM core.transactions WHERE label_raw = 'CARTE BOULANGERIE'").fetchone()[0] == 1
        assert wh.query("SELECT count(*) FROM core.raw_files").fetchone()[0] == len(items) + 1


def test_a_failed_part_write_leaves_the_previous_lake_and_warehouse(tmp_path, monkeypatch, synthetic_parser):
    dd = DataDir(tmp_path)
    items = _history(dd)
    load_all(dd, items)
    before = _state(dd)
    lake_files = sorted(p.relative_to(dd.lake.root) for p in dd.lake.root.rglob("*.parquet"))

    def disk_full(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Lake, "write_part", disk_full)
    with pytest.raises(OSError, match="No space left"):
        rebuild(dd)
    assert _state(dd) == before
    assert sorted(p.relative_to(dd.lake.root) for p in dd.lake.root.rglob("*.parquet")) == lake_files
    assert not list(tmp_path.glob(".rebuild-*"))


def _run(run_id: str) -> dict:
    at = dt.datetime(2026, 11, 3, 9)
    return {"run_id": run_id, "connection": "c1", "bank": "boursorama", "started_at": at, "finished_at": at,
            "status": "ok", "message": None, "artifacts_fetched": 2, "artifacts_new": 1, "rows_inserted": 4,
            "rows_updated": 0, "requests": 7}


def test_rebuild_keeps_the_run_history(tmp_path, synthetic_parser):
    dd = DataDir(tmp_path)
    load_all(dd, _history(dd))
    with dd.open_warehouse() as wh:
        wh.record_runs([_run("r1"), _run("r2")])
        wh.run_checks()
        checks = wh.query("SELECT count(*) FROM ops.checks").fetchone()[0]
    assert checks > 0
    rebuild(dd)
    with dd.open_warehouse(read_only=True) as wh:
        assert wh.query("SELECT run_id, rows_inserted FROM ops.sync_runs ORDER BY run_id").fetchall() == \
            [("r1", 4), ("r2", 4)]
        assert wh.query("SELECT count(*) FROM ops.checks").fetchone()[0] == checks


def test_rebuild_does_not_need_a_readable_old_warehouse(tmp_path, synthetic_parser):
    dd = DataDir(tmp_path)
    items = _history(dd)
    dd.warehouse_path.write_bytes(b"this is not a DuckDB file")   # damaged: a reason to rebuild
    rebuild(dd)
    with dd.open_warehouse(read_only=True) as wh:
        assert wh.query("SELECT count(*) FROM core.raw_files").fetchone()[0] == len(items)
        assert wh.query("SELECT count(*) FROM ops.sync_runs").fetchone()[0] == 0
