"""Analysts and schedules together (issue 17): an analyst's connection held open for the whole run and a
reader polling in a loop (other processes, as a notebook and `bankflow query` are) while syncs run. Every
sync succeeds, no reader gets an error, and every reader result is a complete load (never half of one).
Also: a writer waits for another writer within a bound, and a run that could not load is still recorded."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from pipeline.config import parse_config
from pipeline.datadir import DataDir
from pipeline.ingest import load_many
from pipeline.runner import Outcome, fetch_all, load_outcomes
from pipeline.sandbox import SandboxSet
from tests.marts.helpers import D, snapshot, tx
from warehouse import snapshot as snapshot_mod

REPO = Path(__file__).resolve().parents[2]
STATE_SQL = ("SELECT (SELECT count(*) FROM core.transactions), (SELECT sum(amount)::VARCHAR FROM core.transactions), "
             "(SELECT count(*) FROM marts.transactions), (SELECT sum(amount)::VARCHAR FROM marts.transactions), "
             "(SELECT count(*) FROM ops.sync_runs)")

READER = textwrap.dedent("""
    import json, sys, time, os, duckdb
    path, stop, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    q = sys.argv[4]
    con = duckdb.connect(path, read_only=True) if mode == "hold" else None
    while not os.path.exists(stop):
        try:
            c = con or duckdb.connect(path, read_only=True)
            print(json.dumps({"ok": list(c.execute(q).fetchone())}), flush=True)
            if con is None:
                c.close()
        except Exception as exc:
            print(json.dumps({"err": f"{type(exc).__name__}: {exc}"}), flush=True)
        time.sleep(0.05 if mode == "poll" else 0.2)
""")


def _state(dd: DataDir) -> tuple:
    with dd.open_warehouse(read_only=True) as wh:
        return tuple(wh.query(STATE_SQL).fetchone())


def test_readers_never_block_syncs_and_never_see_half_a_load(tmp_path, monkeypatch):
    dd = DataDir(tmp_path / "data")
    stop = tmp_path / "stop"
    states: list[tuple] = []
    with SandboxSet(["budgea"], common={"seed": 11}) as sims:
        text, env = sims.config(env_prefix="BF_RW")
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        cfg = parse_config(tomllib.loads(text))

        def sync(run: int) -> None:
            outs = load_outcomes(dd, asyncio.run(fetch_all(cfg.connections, dd, {})), f"run{run}")
            assert all(o.ok for o in outs), [o.message for o in outs]
            states.append(_state(dd))

        sync(0)
        procs = [subprocess.Popen([sys.executable, "-c", READER, str(dd.warehouse_path), str(stop), mode, STATE_SQL],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(REPO)})
                 for mode in ("hold", "poll")]
        try:
            time.sleep(1.5)  # both readers are in: the analyst's connection is open from here to the end
            for run in range(1, 4):
                # a payload of new rows (200 of them), then a sync of the bank: two writer sessions
                rows = [tx(D(2026, 1 + run, 1 + k % 27), f"-{run}.{k % 100:02d}", f"CARTE SHOP {run} {k}",
                           account=f"NEW{run}") for k in range(200)]
                item = snapshot(dd, rows, start=D(2026, 1 + run, 1), end=D(2026, 1 + run, 28), account=f"NEW{run}")
                with dd.open_warehouse() as wh:
                    load_many(dd, wh, [item])
                states.append(_state(dd))
                sync(run)
                time.sleep(0.3)
        finally:
            stop.touch()
            outputs = [p.communicate(timeout=60) for p in procs]
    held, polled = ([json.loads(line) for line in out.splitlines() if line.strip()] for out, _err in outputs)
    errors = [r["err"] for r in held + polled if "err" in r]
    assert errors == [], errors[:3]
    complete = {tuple(s) for s in states}
    assert len(complete) >= 4                              # the loads did change what readers can see
    seen = [tuple(r["ok"]) for r in polled]
    assert len(seen) >= 10 and all(s in complete for s in seen), set(seen) - complete
    assert len({tuple(r["ok"]) for r in held}) == 1         # the open connection keeps its snapshot
    assert tuple(held[0]["ok"]) in complete
    assert len(set(seen)) >= 2                             # the poller saw the publishes happen


def test_a_busy_writer_is_waited_for_within_a_bound_and_the_run_is_recorded(tmp_path, monkeypatch):
    dd = DataDir(tmp_path)
    with dd.open_warehouse():
        pass
    monkeypatch.setattr(snapshot_mod, "DEFAULT_WAIT", 0.5)
    out = Outcome(connection="c1", bank="budgea")
    out.finished_at = out.started_at
    with dd.writer_lock():             # another bankflow process holds the writer
        t = time.monotonic()
        res = load_outcomes(dd, [out], "busy-run")
        waited = time.monotonic() - t
    assert 0.5 <= waited < 5
    assert res[0].status == "load_error" and "held by pid" in res[0].message
    with dd.open_warehouse() as wh:    # the next writer session records it
        rows = wh.query("SELECT run_id, status, message FROM ops.sync_runs").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("busy-run", "load_error")]
    assert not dd.runs_journal.exists()


def test_an_older_data_dir_is_moved_to_the_writer_layout(tmp_path):
    dd = DataDir(tmp_path)
    with dd.open_warehouse() as wh:
        wh.record_runs([{"run_id": "old", "connection": "c", "bank": "b", "started_at": wh.query("SELECT now()::TIMESTAMP").fetchone()[0],
                         "finished_at": None, "status": "ok", "message": "", "artifacts_fetched": 0, "artifacts_new": 0,
                         "rows_inserted": 0, "rows_updated": 0, "requests": 0}])
    # what bankflow before issue 17 left: warehouse.duckdb was the writer, no .warehouse/
    os.replace(dd.writer_path, dd.warehouse_path)
    for p in dd.state_dir.iterdir():
        p.unlink()
    with dd.open_warehouse():
        pass
    assert dd.writer_path.exists() and dd.warehouse_path.exists()
    with dd.open_warehouse(read_only=True) as wh:
        assert wh.query("SELECT run_id FROM ops.sync_runs").fetchall() == [("old",)]
