"""README command 1's `bankflow demo`, run as a user runs it (a subprocess), against the ground truth."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

BANKFLOW = [sys.executable, "-m", "flows.cli"]


def _demo(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([*BANKFLOW, "demo", "--data-dir", str(data_dir), *args], capture_output=True,
                          text=True, timeout=600, env=env)


def _truth(data_dir: Path) -> dict[str, tuple[int, Decimal]]:
    t = pq.read_table(data_dir / "sandbox-truth.parquet").to_pylist()
    acc: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    for r in t:
        acc[r["account_number"]][0] += 1
        acc[r["account_number"]][1] += r["amount"]
    return {k: (n, s) for k, (n, s) in acc.items()}


def _warehouse(data_dir: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    p = _demo(d)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Next steps:" in p.stdout and "transactions" in p.stdout and "bankflow check --data-dir" in p.stdout
    # no Prefect server configured (tests/conftest.py): the sync's steps ran in the demo's process, and it says so
    assert "ran without Prefect" in p.stdout and "Prefect flow run" not in p.stdout
    return d


def test_demo_equals_ground_truth(demo_dir):
    truth = _truth(demo_dir)
    assert truth
    got = {r[0]: (r[1], r[2]) for r in _warehouse(
        demo_dir, "SELECT account_number, count(*), sum(amount) FROM marts.transactions WHERE NOT pending GROUP BY 1")}
    assert got == truth
    assert pq.read_schema(demo_dir / "sandbox-truth.parquet").field("amount").type.scale == 2


def test_demo_again_adds_nothing(demo_dir):
    before = _warehouse(demo_dir, "SELECT count(*), sum(amount) FROM core.transactions")
    p = _demo(demo_dir)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _warehouse(demo_dir, "SELECT count(*), sum(amount) FROM core.transactions") == before
    last = _warehouse(demo_dir, "SELECT sum(rows_inserted), sum(rows_updated) FROM ops.sync_runs WHERE run_id = "
                                "(SELECT arg_max(run_id, started_at) FROM ops.sync_runs)")
    assert last == [(0, 0)]


def test_demo_with_a_wrong_password(tmp_path):
    p = _demo(tmp_path, "--wrong-password", "budgea")
    assert p.returncode == 1, p.stdout + p.stderr
    runs = dict(_warehouse(tmp_path, "SELECT connection, status FROM ops.sync_runs"))
    failed = [c for c, s in runs.items() if s != "ok"]
    assert len(failed) == 1 and runs[failed[0]] == "auth_error"
    assert failed[0] in p.stderr  # the message names the connection
    assert _warehouse(tmp_path, "SELECT count(*) FROM core.transactions WHERE connection = ?", [failed[0]]) == [(0,)]
    assert any(s == "ok" for s in runs.values())
    assert _warehouse(tmp_path, "SELECT count(*) FROM core.transactions")[0][0] > 0


def test_demo_as_a_prefect_flow(tmp_path):
    """``--prefect``: the same demo as a Prefect flow run (on the temporary local server), equally exact."""
    p = _demo(tmp_path, "--prefect")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "(Prefect flow run " in p.stdout and "ran without Prefect" not in p.stdout
    got = {r[0]: (r[1], r[2]) for r in _warehouse(
        tmp_path, "SELECT account_number, count(*), sum(amount) FROM marts.transactions WHERE NOT pending GROUP BY 1")}
    assert got == _truth(tmp_path)
