"""Statement backfill on a Dask cluster (flows/backfill_dask.py): a real LocalCluster of 2 worker
processes started here, a Prefect flow with prefect-dask's DaskTaskRunner connected to it; the
warehouse it builds must equal the one the serial ``import_files`` builds from the same files."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("prefect_dask")

from connectors.statements import render_statement_pdf  # noqa: E402
from connectors.statements.synth import synth_statement  # noqa: E402
from pipeline.importer import import_files
from pipeline.edits import add_rule
from pipeline.datadir import DataDir

ACCOUNTS = {"lcl": "00412 0123456Z", "boursorama": "00040754305"}
#: columns that record when something was fetched or loaded, not what: they differ between two runs
# first_seen_at, last_seen_at: core.ledger (issue 17) keeps the fetch times of its rows
CLOCK_COLUMNS = {"fetched_at", "loaded_at", "set_at", "ran_at", "checked_at", "first_seen_at", "last_seen_at"}


def _statements(folder: Path) -> int:
    """Four chained monthly statements per bank (a 2-page one among them), plus one that does not
    reconcile. Returns the number of reconciled statement lines."""
    n_lines = 0
    for b, (layout, number) in enumerate(ACCOUNTS.items()):
        opening = Decimal("1000.00")
        for m in range(4):
            start = dt.date(2024, 1 + m, 1)
            end = dt.date(2024, 2 + m, 1) - dt.timedelta(days=1)
            n = 40 if m == 1 else 10
            st = synth_statement(10 * b + m, start, end, n, opening=opening)
            opening = st.closing_balance
            (folder / layout).mkdir(parents=True, exist_ok=True)
            (folder / layout / f"{start:%Y-%m}.pdf").write_bytes(
                render_statement_pdf(st, layout=layout, account_number=number, rows_per_page=30))
            n_lines += n
    bad = synth_statement(99, dt.date(2024, 8, 1), dt.date(2024, 8, 31), 5)
    bad = dataclasses.replace(bad, closing_balance=bad.closing_balance + Decimal("0.01"))
    (folder / "lcl" / "2024-08-bad.pdf").write_bytes(
        render_statement_pdf(bad, layout="lcl", account_number=ACCOUNTS["lcl"]))
    return n_lines


def _warehouse(dd: DataDir) -> dict[str, list[tuple]]:
    """Every core table, without clock columns, rows sorted."""
    out = {}
    with dd.open_warehouse(read_only=True) as wh:
        tables = [r[0] for r in wh.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'core' "
            "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        for t in tables:
            cols = [r[0] for r in wh.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'core' "
                f"AND table_name = '{t}' ORDER BY ordinal_position").fetchall()]
            keep = ", ".join(f'"{c}"' for c in cols if c not in CLOCK_COLUMNS)
            root = str(dd.root)  # raw_files.path is absolute: compare it relative to the data dir
            rows = [tuple(v.replace(root, "<data>") if isinstance(v, str) else v for v in r)
                    for r in wh.query(f"SELECT {keep} FROM core.{t}").fetchall()]
            out[t] = sorted(rows, key=repr)
    return out


def _task_run_states(expected: int = 6, wait: float = 15.0) -> list[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    flows = FlowFilter(name=FlowFilterName(any_=["bankflow-parse-statements"]))
    deadline = time.monotonic() + wait
    with temporary_settings({PREFECT_API_URL: SubprocessASGIServer().api_url}), \
            get_client(sync_client=True) as pc:
        while True:  # task run states reach the server as events: give them a moment
            states = [r.state_type.value for r in pc.read_task_runs(flow_filter=flows)]
            if (len(states) >= expected and set(states) == {"COMPLETED"}) or time.monotonic() > deadline:
                return states
            time.sleep(0.5)


def test_backfill_on_a_dask_cluster_equals_the_serial_import(tmp_path):
    from prefect.server.api.server import SubprocessASGIServer

    from flows.backfill_dask import run_on_dask

    # start-up costs overlapped with the serial import below: Prefect's temporary server (the one
    # run_on_dask uses; ~15 s on a fresh home) and the workers' imports
    prefect_up = threading.Thread(target=SubprocessASGIServer().start, daemon=True)
    prefect_up.start()
    # set_as_default=False: the flow must find the cluster through the address it is given
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster, distributed.Client(cluster, set_as_default=False) as client:
        warm = [client.submit(exec, "import flows.backfill_dask, pdfplumber", workers=[w], pure=False)
                for w in client.scheduler_info()["workers"]]
        folder = tmp_path / "releves"
        n_lines = _statements(folder)
        files = sorted(folder.rglob("*.pdf"))
        assert len(files) == 9

        serial_dd, dask_dd = DataDir(tmp_path / "serial"), DataDir(tmp_path / "dask")
        for dd in (serial_dd, dask_dd):  # a rule of the user's must reach the new rows in both
            dd.root.mkdir(parents=True)
            add_rule(dd.root, "Courses de quartier", label="MONOPRIX")
        t0 = time.monotonic()
        serial = import_files(serial_dd, files, connection="backfill")
        t_serial = time.monotonic() - t0

        prefect_up.join()
        client.gather(warm)
        t0 = time.monotonic()
        got = run_on_dask(files, dask_dd.root, address=cluster.scheduler_address, chunk_size=3)
        t_dask = time.monotonic() - t0
        # the workers are processes of their own (not threads of this one)
        worker_pids = set(client.run(os.getpid).values())
        before = _warehouse(dask_dd)
        # a second run over the same files lands nothing new and adds nothing
        again = run_on_dask(files, dask_dd.root, address=cluster.scheduler_address)
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids
    print(f"measured: {len(files)} statements, serial import_files {t_serial:.1f} s; "
          f"Dask flow (2 workers) {t_dask:.1f} s")
    # the workers reported their task runs to this process's Prefect API (not to servers of their own):
    # 9 files in chunks of 3, then of 4
    states = _task_run_states()
    assert sorted(states) == ["COMPLETED"] * (3 + 3), states

    # same verdict per file: 8 loaded, the unreconciled one refused with the parser's message
    assert [(Path(r.file).name, r.bank, r.status) for r in got] == \
        [(Path(r.file).name, r.bank, r.status) for r in serial]
    bad = [r for r in got if r.status != "ok"]
    assert [Path(r.file).name for r in bad] == ["2024-08-bad.pdf"]
    assert bad[0].status == "parse_error" and "2024-08-bad.pdf" in bad[0].message
    assert [r.rows_inserted for r in got] == [r.rows_inserted for r in serial]

    # the refused file left no trace in raw/, and the lake holds exactly the good payloads
    def raw_names(dd):
        return sorted(p.name for p in dd.raw.root.rglob("*") if p.is_file() and not p.name.startswith("."))

    assert raw_names(dask_dd) == raw_names(serial_dd) and len(raw_names(dask_dd)) == 2 * 8
    lake = lambda dd: sorted(str(p.relative_to(dd.lake.root)) for p in dd.lake.root.rglob("*.parquet"))  # noqa: E731
    assert lake(dask_dd) == lake(serial_dd) != []

    # the warehouses are the same, table by table
    mine, theirs = _warehouse(dask_dd), _warehouse(serial_dd)
    assert mine.keys() == theirs.keys()
    for table in theirs:
        assert mine[table] == theirs[table], f"core.{table} differs"
    assert any(c == "Courses de quartier" for row in mine["rule_categories"] for c in row)
    assert len(mine["statements"]) == 8 and len(mine["statement_lines"]) == n_lines
    with dask_dd.open_warehouse(read_only=True) as wh:
        per_account = dict(wh.query("SELECT account_ref, count(*) FROM core.statement_lines GROUP BY 1").fetchall())
    assert per_account == {"004120123456Z": n_lines // 2, "00040754305": n_lines // 2}

    assert [r.new for r in again if r.status == "ok"] == [False] * 8
    assert sum(r.rows_inserted for r in again) == 0
    assert _warehouse(dask_dd) == before == mine
