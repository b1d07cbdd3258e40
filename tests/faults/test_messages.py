"""Every failure a user can cause or meet ends as one clear ``error:`` line (what, where, what to do),
never a traceback; ``BANKFLOW_DEBUG=1`` brings the traceback back. One test per message."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from pipeline.datadir import DataDir
from tests.identity.helpers import T0, load_all, row, snapshot

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def small_dd(root: Path) -> DataDir:
    dd = DataDir(root)
    item = snapshot(dd, [row(3, "-12.50", "CB FRANPRIX 02/11"), row(4, "2000.00", "VIR SALAIRE ACME")],
                    start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 5), at=T0)
    load_all(dd, [item])
    return dd


def one_error(result, *needles: str) -> str:
    """The output is one ``error:`` line holding every needle, and no traceback."""
    text = result.output if hasattr(result, "output") else result.stderr + result.stdout
    assert "Traceback" not in text, text
    lines = [ln for ln in text.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, text
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def cli(*args: str, env: dict | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "400", **(env or {})}
    return subprocess.run([*prefix, sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True,
                          env=e, timeout=300)


def damage(dd: DataDir) -> None:
    """Cut the files to their first 16 KiB (headers kept, blocks gone): how a full disk or a copy cut
    short leaves them. Both the published snapshot (what readers open) and the writer file (what
    check, categorize, import and sync open) are cut."""
    for path in (dd.warehouse_path, dd.writer_path):
        with open(path, "r+b") as f:
            f.truncate(16384)


@pytest.mark.parametrize("command", [["query", "SELECT count(*) FROM marts.transactions"], ["check"], ["links"], ["categorize"]])
def test_damaged_warehouse_names_rebuild(tmp_path: Path, command: list[str]) -> None:
    dd = small_dd(tmp_path)
    damage(dd)
    r = runner.invoke(app, [*command, "--data-dir", str(tmp_path)])
    assert r.exit_code == 2
    # readers name the published file, writers the writer file; both name the data dir's rebuild
    one_error(r, "damaged", str(dd.warehouse_path if command[0] in ("query", "links") else dd.writer_path),
              f"bankflow rebuild --data-dir {tmp_path}")


def test_damaged_warehouse_on_import_then_rebuild_recovers(tmp_path: Path) -> None:
    """Import into a damaged warehouse: the line names rebuild, and rebuild (raw payloads plus edits)
    brings back everything, the file imported meanwhile included."""
    shared = Path(os.environ.get("BANKFLOW_SHARED_DIR", ROOT.parent / "shared"))
    csvs = sorted((shared / "samples" / "boursorama").glob("*.csv")) if shared.exists() else []
    if len(csvs) < 2:
        pytest.skip("needs the Boursorama CSV samples of ../shared (set BANKFLOW_SHARED_DIR)")
    assert runner.invoke(app, ["import", str(csvs[0]), "--data-dir", str(tmp_path)]).exit_code == 0
    dd = DataDir(tmp_path)
    damage(dd)
    r = runner.invoke(app, ["import", str(csvs[1]), "--data-dir", str(tmp_path)])
    assert r.exit_code == 2
    one_error(r, "damaged", "bankflow rebuild")
    r = runner.invoke(app, ["rebuild", "--data-dir", str(tmp_path)])
    assert r.exit_code == 0, r.output
    with dd.open_warehouse(read_only=True) as wh:
        files = {x[0] for x in wh.query("SELECT source_name FROM core.raw_files").fetchall()}
    assert files == {c.name for c in csvs[:2]}


def test_warehouse_held_by_another_process(tmp_path: Path) -> None:
    dd = small_dd(tmp_path)
    # a process that opened the writer file itself (an analyst's notebook on the published snapshot
    # never blocks a writer: tests/core/test_readers_and_writers.py)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(dd.writer_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        r = runner.invoke(app, ["check", "--data-dir", str(tmp_path)])
        assert r.exit_code == 2
        one_error(r, "in use by another bankflow process", f"PID {holder.pid}", "wait for it")
    finally:
        holder.kill()
        holder.wait()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    dd = small_dd(tmp_path)
    damage(dd)
    r = cli("check", "--data-dir", str(tmp_path), env={"BANKFLOW_DEBUG": "1"})
    assert r.returncode != 0 and "Traceback" in r.stderr and "WarehouseUnusable" in r.stderr


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) for a read-only bind mount")
def test_read_only_data_dir(tmp_path: Path) -> None:
    """A really read-only file system (a bind mount remounted ro in a user namespace), Errno 30."""
    ok = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if ok.returncode != 0:
        pytest.skip("user namespaces are not available here")
    data = tmp_path / "data"
    data.mkdir()
    f = tmp_path / "statement.csv"
    f.write_text("dateOp;dateVal;label;category;categoryParent;supplierFound;amount;comment;accountNum;"
                 "accountLabel;accountbalance\n", "utf-8")
    script = (f"mount --bind {data} {data} && mount -o remount,bind,ro {data} && "
              f"exec {sys.executable} -m flows.cli import {f} --data-dir {data}")
    r = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "400"})
    assert r.returncode == 2, r.stderr
    one_error(r, "cannot write", str(data), "read-only", "a --data-dir you can write to")


def test_no_config_file_before_prefect(tmp_path: Path) -> None:
    r = cli("sync", "--config", str(tmp_path / "bankflow.toml"), "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 2
    one_error(r, str(tmp_path / "bankflow.toml"), "no such file", "bankflow demo")
    assert len([ln for ln in (r.stderr + r.stdout).splitlines() if ln.strip()]) == 1  # before Prefect started


def test_plaintext_password_before_prefect(tmp_path: Path) -> None:
    cfg = tmp_path / "bankflow.toml"
    cfg.write_text('[connections.x]\nbank = "budgea"\nbase_url = "http://127.0.0.1:1"\ntoken = "s3cr3t-value"\n')
    r = cli("sync", "--config", str(cfg), "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 2
    one_error(r, "connection 'x'", "plaintext", "env:")
    assert "s3cr3t-value" not in r.stderr + r.stdout
    assert len([ln for ln in (r.stderr + r.stdout).splitlines() if ln.strip()]) == 1  # nothing of Prefect


def test_every_connection_disabled(tmp_path: Path) -> None:
    cfg = tmp_path / "bankflow.toml"
    cfg.write_text('[connections.x]\nbank = "budgea"\nbase_url = "http://127.0.0.1:1"\ntoken = "env:T"\n'
                   'enabled = false\n')
    r = runner.invoke(app, ["sync", "--config", str(cfg), "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2
    one_error(r, "every connection is disabled", "x", "--connection")


def test_import_a_folder(tmp_path: Path) -> None:
    r = runner.invoke(app, ["import", str(tmp_path), "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2
    one_error(r, "is a folder", f"bankflow backfill {tmp_path}")


def test_query_unknown_format(tmp_path: Path) -> None:
    small_dd(tmp_path)
    r = runner.invoke(app, ["query", "SELECT 1", "--format", "xml", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2
    one_error(r, "'xml'", "table, csv, json")


def test_categorize_unknown_category(tmp_path: Path) -> None:
    dd = small_dd(tmp_path)
    with dd.open_warehouse(read_only=True) as wh:
        txn = wh.query("SELECT min(txn_id) FROM marts.transactions").fetchone()[0]
    r = runner.invoke(app, ["categorize", txn, "Bogus:Category", "--data-dir", str(tmp_path)])
    assert r.exit_code == 2
    one_error(r, "unknown category 'Bogus:Category'", "bankflow categorize --list")
    assert not (tmp_path / "overrides.csv").exists()
    listed = runner.invoke(app, ["categorize", "--list", "--data-dir", str(tmp_path)]).output.splitlines()
    assert "Alimentation:Supermarché" in listed and "Bogus:Category" not in listed
    # a category of the user's own rules is known
    assert runner.invoke(app, ["categorize", "--merchant", "^ACME", "Bogus:Category", "--data-dir",
                               str(tmp_path), "--no-model"]).exit_code == 0
    r = runner.invoke(app, ["categorize", txn, "Bogus:Category", "--data-dir", str(tmp_path), "--no-model"])
    assert r.exit_code == 0, r.output


def test_an_unexpected_error_is_one_line(tmp_path: Path, monkeypatch) -> None:
    """A bug (here: the checks raising) is one line naming BANKFLOW_DEBUG, exit 1."""
    small_dd(tmp_path)
    from warehouse import db

    def broken(self, **kw):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(db.Warehouse, "run_checks", broken)
    r = runner.invoke(app, ["check", "--data-dir", str(tmp_path)])
    assert r.exit_code == 1
    one_error(r, "unexpected ZeroDivisionError: boom", "BANKFLOW_DEBUG=1")


def test_help_texts() -> None:
    unlink = runner.invoke(app, ["unlink", "--help"], env={"COLUMNS": "400"}).output
    assert "statement line" in unlink and "money still counts once" in unlink
    rebuild = runner.invoke(app, ["rebuild", "--help"], env={"COLUMNS": "400"}).output
    assert "raw payloads plus your edits" in rebuild and "alone" not in rebuild


def test_connection_named_once() -> None:
    from pipeline.runner import about

    assert about("x", "budgea", "connection 'x': token rejected") == "connection 'x' (budgea): token rejected"
    assert about("x", "budgea", "HTTP 500") == "connection 'x' (budgea): HTTP 500"
