"""``bankflow sync``, ``bankflow demo`` and ``bankflow sandbox``: fetch from the banks (or their simulators)."""
from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from connectors.errors import BankflowError
from flows.cli.common import ConfigOpt, DataDirOpt, console, fail, out, progress_display


def preflight(config: Path, data_dir: Path, only: list[str] | None) -> list[str]:
    """What can be checked before Prefect starts (its server takes seconds, and its failure log is a
    traceback): the config parses, the selection is not empty, the warehouse opens for writing. Raises
    the clear error; returns the names of the connections to run."""
    from pipeline.config import load_config, select_connections
    from pipeline.datadir import DataDir

    names = [c.name for c in select_connections(load_config(config), only)]
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    DataDir(data_dir).open_warehouse().close()
    return names


def run_sync(config: Path, data_dir: Path, only: list[str] | None, options: dict | None = None, *,
             prefect: bool = True) -> dict:
    """Sync as the ``bankflow-sync`` Prefect flow, or (``prefect=False``) run the same steps in this
    process (pipeline/sync_without_prefect.py says when and why). Returns the run's summary."""
    from pipeline.progress import set_progress

    names = preflight(config, data_dir, only)
    how = "starting Prefect..." if prefect else "without Prefect"
    console.print(f"syncing {', '.join(names)} into {data_dir} ({how})", soft_wrap=True)
    progress, report = progress_display()
    set_progress(report)
    try:
        with progress:
            if not prefect:
                return _sync_in_process(config, data_dir, only, options, report)
            from flows.sync import sync_flow

            report("prefect", "starting Prefect (a local temporary server unless PREFECT_API_URL is set)")
            return asyncio.run(sync_flow(config_path=str(config), data_dir=str(data_dir), connections=only,
                                         options=options))
    finally:
        set_progress(None)


def _sync_in_process(config: Path, data_dir: Path, only: list[str] | None, options: dict | None,
                     report: Callable[[str, str], None]) -> dict:
    """The sync's steps in this process, then the report the flow would rebuild at its end."""
    from outputs.report.artifact import report_after_sync
    from pipeline.datadir import DataDir
    from pipeline.sync_without_prefect import sync_in_process

    summary = sync_in_process(config, data_dir, only, options, progress=report)
    dd = DataDir(data_dir)
    report_after_sync(lambda: dd.open_warehouse(read_only=True), summary, dd.root / "report")
    return summary


#: what the outcome table's columns mean, printed under it (lines shorter than 80 columns)
LEGEND = ("  payloads  files and API answers fetched; new: not in raw/ yet",
          "  rows +    transactions inserted",
          "  rows ~    transactions updated (pending -> booked, label or category changed)",
          "  requests  HTTP requests made")


def print_outcomes(summary: dict) -> None:
    from rich import box

    title = f"sync run {summary['run_id']}"
    if summary.get("flow_run"):
        title += f" (Prefect flow run {summary['flow_run']})"
    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    rows = summary["connections"]

    def width(key: str, title: str) -> int:
        return max([len(title)] + [len(str(r[key])) for r in rows])

    # names, banks and statuses are never cut (also at 80 columns, also when not a terminal)
    t.add_column("connection", no_wrap=True, min_width=width("connection", "connection"))
    t.add_column("bank", no_wrap=True, min_width=width("bank", "bank"))
    t.add_column("status", no_wrap=True, min_width=width("status", "status"))
    for col, key in (("payloads", "artifacts_fetched"), ("new", "artifacts_new"), ("rows +", "rows_inserted"),
                     ("rows ~", "rows_updated"), ("requests", "requests")):
        t.add_column(col, justify="right", no_wrap=True, min_width=width(key, col))
    for r in rows:
        style = "green" if r["status"] == "ok" else "red"
        t.add_row(r["connection"], r["bank"], f"[{style}]{r['status']}[/{style}]", str(r["artifacts_fetched"]),
                  str(r["artifacts_new"]), str(r["rows_inserted"]), str(r["rows_updated"]), str(r["requests"]))
    out.print(t)
    for line in LEGEND:
        out.print(line, style="dim", highlight=False)
    for r in summary["connections"]:
        if r["status"] != "ok":  # the message names the connection
            console.print(f"[red]{r['status']}:[/red] {escape(r['message'])}", soft_wrap=True)


def sync(data_dir: DataDirOpt = Path("data"), config: ConfigOpt = Path("bankflow.toml"),
         connection: Annotated[Optional[list[str]], typer.Option("--connection", help="Only these (repeatable).")] = None) -> None:
    """Fetch every enabled connection of bankflow.toml concurrently and load the warehouse."""
    try:
        summary = run_sync(config, data_dir, connection)
    except BankflowError as exc:
        fail(exc)
    print_outcomes(summary)
    raise typer.Exit(0 if summary["ok"] else 1)


def demo(data_dir: DataDirOpt = Path("data"),
         wrong_password: Annotated[Optional[list[str]], typer.Option(
             "--wrong-password", help="Make this bank's simulator reject the demo password (repeatable).")] = None,
         latency: Annotated[float, typer.Option(help="Seconds each simulator waits per request.")] = 0.0,
         seed: Annotated[int, typer.Option(help="Seed of the simulators' ledgers.")] = 0,
         prefect: Annotated[Optional[bool], typer.Option(
             "--prefect/--no-prefect",
             help="Run the sync as a Prefect flow (on a temporary local server unless PREFECT_API_URL is set: "
                  "5-10 s more), or its same steps in this process. Default: a flow when a Prefect server is "
                  "configured (PREFECT_API_URL), else in this process.")] = None) -> None:
    """Run everything against the built-in bank simulators: sync, land, lake, warehouse, then a summary."""
    from pipeline.sandbox import SandboxProcess
    from pipeline.sync_without_prefect import prefect_server_configured

    as_flow = prefect_server_configured() if prefect is None else prefect

    started = time.monotonic()
    data_dir.mkdir(parents=True, exist_ok=True)
    knobs = {b: {"wrong_password": True} for b in (wrong_password or [])}
    console.print(f"[bold]bankflow demo[/bold]: starting the bank simulators on 127.0.0.1 (data in {data_dir})",
                  soft_wrap=True)
    with SandboxProcess(knobs=knobs, common={"latency": latency, "seed": seed}) as sims:
        console.print(f"simulators up in {time.monotonic() - started:.1f} s: "
                      + ", ".join(f"{b} at {u}" for b, u in sims.urls().items()), soft_wrap=True)
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
            summary = run_sync(cfg_path, data_dir, None, prefect=as_flow)
        except BankflowError as exc:
            fail(exc)
    print_outcomes(summary)
    _print_demo_footer(data_dir, n_truth, time.monotonic() - started)
    if not as_flow:
        out.print("\n(no Prefect server configured, so the sync ran without Prefect: the same steps as the "
                  "bankflow-sync flow, in this process. `bankflow demo --prefect` runs it as a Prefect flow; "
                  "`bankflow sync` always does.)", style="dim", highlight=False)
    raise typer.Exit(0 if summary["ok"] else 1)


def _print_demo_footer(data_dir: Path, n_truth: int, elapsed: float) -> None:
    from pipeline.datadir import DataDir

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
    dd = str(data_dir)
    steps = [("the ledger per account (analysts use the marts.* views)",
              f"bankflow query --data-dir {dd} \"SELECT account_number, count(*) AS n, sum(amount) AS total "
              "FROM marts.transactions WHERE NOT pending GROUP BY 1 ORDER BY 1\""),
             ("balances, with card accounts apart (counts_in_total)",
              f"bankflow query --data-dir {dd} \"SELECT account_number, type, balance, card_outstanding, "
              "counts_in_total FROM marts.accounts\""),
             ("the reconciliation checks", f"bankflow check --data-dir {dd}")]
    steps.append(("a report of the whole history, in your browser", f"bankflow report --data-dir {dd} --open"))
    out.print("\nNext steps:")
    for what, cmd in steps:
        out.print(f"  # {what}", style="dim", highlight=False)
        out.print(f"  {cmd}", soft_wrap=True, markup=False, highlight=False)


def sandbox(write_config: Annotated[Path, typer.Option(help="Where to write the ready bankflow.toml.")] = Path("bankflow.sandbox.toml"),
            latency: Annotated[float, typer.Option(help="Seconds each simulator waits per request.")] = 0.0,
            seed: Annotated[int, typer.Option(help="Seed of the simulators' ledgers.")] = 0) -> None:
    """Start the bank simulators and print a ready config; runs until Ctrl-C."""
    from pipeline.sandbox import SandboxSet

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


COMMANDS = {"sync": sync, "demo": demo, "sandbox": sandbox}
