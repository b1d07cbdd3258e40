"""The ``bankflow`` command line. Every command takes ``--data-dir`` (default ``./data`` or
``$BANKFLOW_DATA_DIR``)."""
from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from connectors.errors import BankflowError

if TYPE_CHECKING:
    from flows.importer import ImportResult

# Prefect defaults for a command-line tool on a machine that may have no network: no telemetry, quiet
# logs (our own progress display says what happens), a generous start-up timeout for the local server.
for _k, _v in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
               "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
               "PREFECT_LOGGING_LOG_PRINTS": "false"}.items():
    os.environ.setdefault(_k, _v)

app = typer.Typer(help="bankflow: your whole bank history as data (sync, backfill, query).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console(stderr=True)
out = Console()

DataDirOpt = Annotated[Path, typer.Option("--data-dir", envvar="BANKFLOW_DATA_DIR",
                                          help="Where raw payloads, the lake and warehouse.duckdb live.")]
ConfigOpt = Annotated[Path, typer.Option("--config", "-c", envvar="BANKFLOW_CONFIG",
                                         help="The bankflow.toml listing your connections.")]


def _fail(exc: BankflowError) -> None:
    console.print(f"[red]error:[/red] {exc.describe()}")
    raise typer.Exit(2)


def _progress():
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[conn]}[/bold]"),
                        TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=False)
    tasks: dict[str, int] = {}

    def report(conn: str, event: str) -> None:
        if conn not in tasks:
            tasks[conn] = progress.add_task(event, conn=conn, total=None)
        else:
            progress.update(tasks[conn], description=event)
        if event in ("done",) or event.endswith("error") or event in ("sca_required", "action_needed",
                                                                     "protocol_changed", "rate_limited"):
            progress.update(tasks[conn], total=1, completed=1)

    return progress, report


def _run_sync(config: Path, data_dir: Path, only: list[str] | None, options: dict | None = None) -> dict:
    from flows.progress import set_progress
    from flows.sync import sync_flow

    progress, report = _progress()
    set_progress(report)
    try:
        with progress:
            return asyncio.run(sync_flow(config_path=str(config), data_dir=str(data_dir), connections=only,
                                         options=options))
    finally:
        set_progress(None)


def _print_outcomes(summary: dict) -> None:
    t = Table(title=f"sync run {summary['run_id']}")
    for col in ("connection", "bank", "status", "payloads (new)", "rows +", "rows ~", "requests"):
        t.add_column(col)
    for r in summary["connections"]:
        style = "green" if r["status"] == "ok" else "red"
        t.add_row(r["connection"], r["bank"], f"[{style}]{r['status']}[/{style}]",
                  f"{r['artifacts_fetched']} ({r['artifacts_new']})", str(r["rows_inserted"]),
                  str(r["rows_updated"]), str(r["requests"]))
    out.print(t)
    for r in summary["connections"]:
        if r["status"] != "ok":
            console.print(f"[red]{r['connection']}[/red]: {r['message']}")


@app.command()
def sync(data_dir: DataDirOpt = Path("data"), config: ConfigOpt = Path("bankflow.toml"),
         connection: Annotated[Optional[list[str]], typer.Option("--connection", help="Only these (repeatable).")] = None) -> None:
    """Fetch every enabled connection of bankflow.toml concurrently and load the warehouse."""
    try:
        summary = _run_sync(config, data_dir, connection)
    except BankflowError as exc:
        _fail(exc)
    _print_outcomes(summary)
    raise typer.Exit(0 if summary["ok"] else 1)


@app.command()
def demo(data_dir: DataDirOpt = Path("data"),
         wrong_password: Annotated[Optional[list[str]], typer.Option(
             "--wrong-password", help="Make this bank's simulator reject the demo password (repeatable).")] = None,
         latency: Annotated[float, typer.Option(help="Seconds each simulator waits per request.")] = 0.0,
         seed: Annotated[int, typer.Option(help="Seed of the simulators' ledgers.")] = 0) -> None:
    """Run everything against the built-in bank simulators: sync, land, lake, warehouse, then a summary."""
    from flows.sandbox import SandboxProcess

    started = time.monotonic()
    data_dir.mkdir(parents=True, exist_ok=True)
    knobs = {b: {"wrong_password": True} for b in (wrong_password or [])}
    console.print(f"[bold]bankflow demo[/bold]: starting the bank simulators on 127.0.0.1 (data in {data_dir})")
    with SandboxProcess(knobs=knobs, common={"latency": latency, "seed": seed}) as sims:
        unknown = set(knobs) - set(sims.banks)
        if unknown:
            console.print(f"[red]error:[/red] no simulator for {sorted(unknown)}; banks: {', '.join(sims.banks)}")
            raise typer.Exit(2)
        text, env = sims.config(env_prefix="BANKFLOW_DEMO")
        cfg_path = data_dir / "bankflow.demo.toml"
        cfg_path.write_text(text, "utf-8")
        os.environ.update(env)  # the demo's fake credentials, for this process only
        n_truth = sims.write_truth(data_dir / "sandbox-truth.parquet")
        try:
            summary = _run_sync(cfg_path, data_dir, None)
        except BankflowError as exc:
            _fail(exc)
    _print_outcomes(summary)
    _print_demo_footer(data_dir, n_truth, time.monotonic() - started)
    raise typer.Exit(0 if summary["ok"] else 1)


def _print_demo_footer(data_dir: Path, n_truth: int, elapsed: float) -> None:
    from warehouse.ingest import DataDir

    with DataDir(data_dir).open_warehouse(read_only=True) as wh:
        n_acc, = wh.fetch("count_accounts.sql")[0]
        n_txn, n_pending = wh.fetch("count_transactions.sql")[0]
    out.print(f"\n[bold]{n_acc}[/bold] accounts, [bold]{n_txn}[/bold] transactions "
              f"({n_pending} pending) in {data_dir / 'warehouse.duckdb'}  "
              f"(simulators' ground truth: {n_truth} booked rows in {data_dir / 'sandbox-truth.parquet'}); "
              f"{elapsed:.1f} s")
    out.print(f"raw payloads: {data_dir / 'raw'}   lake: {data_dir / 'lake'}")
    if (data_dir / "report" / "index.html").exists():
        out.print(f"report (open it in a browser): {data_dir / 'report' / 'index.html'}")
    out.print("\nTry:\n  bankflow query --data-dir " + str(data_dir) +
              " \"SELECT account_number, count(*) AS n, sum(amount) AS total FROM marts.transactions "
              "WHERE NOT pending GROUP BY 1 ORDER BY 1\"")


@app.command()
def query(sql_text: Annotated[str, typer.Argument(metavar="SQL", help="A query; read-only.")],
          data_dir: DataDirOpt = Path("data"),
          fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
          limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50) -> None:
    """Query the warehouse (read-only). Analysts use the marts.* views."""
    from warehouse.ingest import DataDir

    dd = DataDir(data_dir)
    if not dd.warehouse_path.exists():
        console.print(f"[red]error:[/red] no warehouse at {dd.warehouse_path}; run `bankflow sync` or `bankflow demo` first")
        raise typer.Exit(2)
    import duckdb

    with dd.open_warehouse(read_only=True) as wh:
        try:
            cur = wh.query(sql_text)
            columns = [d[0] for d in cur.description or []]
            rows = cur.fetchall()
        except duckdb.Error as exc:
            console.print(f"[red]query failed:[/red] {exc}")
            raise typer.Exit(2) from None
    # no pandas here: it would turn DECIMAL amounts into floats (6122.5 for 6122.50)
    if fmt == "csv":
        import csv

        from outputs.export.csv_safe import cell

        # text cells are neutralised: a label like =cmd|' /C calc'!A0 must not run in a spreadsheet
        w = csv.writer(sys.stdout)
        w.writerow([cell(c) for c in columns])
        w.writerows([cell(v) for v in r] for r in rows)
    elif fmt == "json":
        import json

        sys.stdout.write(json.dumps([dict(zip(columns, r)) for r in rows], default=str, ensure_ascii=False) + "\n")
    else:
        t = Table(show_lines=False)
        for c in columns:
            t.add_column(str(c))
        for row in rows[:limit]:
            t.add_row(*["" if v is None else str(v) for v in row])
        out.print(t)
        if len(rows) > limit:
            console.print(f"({len(rows)} rows, {limit} shown; use --limit or --format csv)")


@app.command("import")
def import_(files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CSV exports or PDF statements.")],
            data_dir: DataDirOpt = Path("data"),
            connection: Annotated[str, typer.Option(help="Name to file these imports under.")] = "import",
            bank: Annotated[Optional[str], typer.Option(help="Skip detection: the bank these files come from.")] = None) -> None:
    """Load files you downloaded from your bank by hand. A file bankflow cannot read is refused and
    changes nothing; importing a file twice adds nothing."""
    _import_and_report(files, data_dir, connection, bank)


@app.command()
def backfill(folder: Annotated[Optional[Path], typer.Argument(
                 metavar="[DIR]", help="A folder of PDF statements you already have (searched recursively).")] = None,
             connection: Annotated[Optional[str], typer.Option(
                 help="Download every statement from this connection's bank instead.")] = None,
             since: Annotated[Optional[str], typer.Option(help="Only statements from this date on (YYYY-MM-DD).")] = None,
             data_dir: DataDirOpt = Path("data"), config: ConfigOpt = Path("bankflow.toml"),
             bank: Annotated[Optional[str], typer.Option(help="Skip detection: the bank of the PDFs in DIR.")] = None) -> None:
    """History older than the bank's API gives, from PDF statements: downloaded from a connection's
    statement portal (--connection), or read from a folder. Only statements whose balances reconcile
    are loaded; statement lines outside the API's coverage become transactions."""
    if (folder is None) == (connection is None):
        console.print("[red]error:[/red] give either a folder of statements or --connection NAME")
        raise typer.Exit(2)
    if since:
        import datetime as dt
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            console.print(f"[red]error:[/red] --since {since!r} is not a YYYY-MM-DD date")
            raise typer.Exit(2) from None
    if connection:
        try:
            summary = _run_sync(config, data_dir, [connection],
                                {"statements": "always", **({"statements_since": since} if since else {})})
        except BankflowError as exc:
            _fail(exc)
        _print_outcomes(summary)
        raise typer.Exit(0 if summary["ok"] else 1)
    assert folder is not None
    _import_and_report(pdfs_in(folder), data_dir, "backfill", bank)


def pdfs_in(folder: Path) -> list[Path]:
    """The PDF files under ``folder`` (recursively), or a clear exit when there are none."""
    if not folder.is_dir():
        console.print(f"[red]error:[/red] {folder} is not a folder")
        raise typer.Exit(2)
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf")
    if not files:
        console.print(f"[yellow]no PDF file under {folder}[/yellow]")
        raise typer.Exit(1)
    return files


def _import_and_report(files: list[Path], data_dir: Path, connection: str, bank: str | None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.importer import import_files
    from warehouse.ingest import DataDir

    with Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("files", total=len(files))
        results = import_files(DataDir(data_dir), files, connection=connection, bank=bank,
                               progress=lambda i, n: progress.update(task, completed=i, total=n))
    report_imports(results)


def report_imports(results: "list[ImportResult]") -> None:
    """One line per imported file, then exit 1 if any was refused."""
    for r in results:
        if r.status == "ok":
            out.print(f"[green]ok[/green] {r.file} ({r.bank}): {r.rows_inserted} rows loaded"
                      + ("" if r.new else " (file already imported)"))
        else:
            console.print(f"[red]{r.status}[/red] {r.message}")
    bad = sum(r.status != "ok" for r in results)
    if bad:
        console.print(f"{bad} of {len(results)} files refused; nothing of them was loaded")
    raise typer.Exit(0 if not bad else 1)


@app.command()
def rebuild(data_dir: DataDirOpt = Path("data")) -> None:
    """Recreate the lake and the warehouse from the raw payloads alone."""
    from rich.progress import Progress

    from warehouse.ingest import DataDir, rebuild as do_rebuild

    with Progress(console=console) as progress:
        task = progress.add_task("re-parsing raw payloads", total=None)
        res = do_rebuild(DataDir(data_dir), progress=lambda i, n: progress.update(task, completed=i, total=n))
    out.print(f"rebuilt from {res['payloads']} raw payloads: {res['transactions']} transactions")


@app.command()
def sandbox(write_config: Annotated[Path, typer.Option(help="Where to write the ready bankflow.toml.")] = Path("bankflow.sandbox.toml"),
            latency: Annotated[float, typer.Option(help="Seconds each simulator waits per request.")] = 0.0,
            seed: Annotated[int, typer.Option(help="Seed of the simulators' ledgers.")] = 0) -> None:
    """Start the bank simulators and print a ready config; runs until Ctrl-C."""
    from flows.sandbox import SandboxSet

    with SandboxSet(common={"latency": latency, "seed": seed}) as sims:
        text, env = sims.config(env_prefix="BANKFLOW_SANDBOX")
        write_config.write_text(text, "utf-8")
        out.print("Simulators running: " + ", ".join(f"{b} at {u}" for b, u in sims.urls().items()))
        out.print(f"Config written to {write_config}. In another shell (these are the simulators' fake credentials):")
        for k, v in env.items():
            out.print(f"  export {k}={v}")
        out.print(f"  bankflow sync --config {write_config}\nCtrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


# commands kept in their own modules register themselves on `app`
import flows.cli_backfill_dask  # noqa: E402,F401
import flows.cli_categorize  # noqa: E402,F401
import flows.cli_ledger  # noqa: E402,F401
import flows.cli_ops  # noqa: E402,F401
import flows.cli_outputs  # noqa: E402,F401


def main() -> None:
    app()


if __name__ == "__main__":
    # run as `python -m flows.cli`: this file is then `__main__`, while the command modules above
    # registered themselves on the `app` of `flows.cli`; use that one
    from flows.cli import main as _main

    _main()
