"""``bankflow import``, ``bankflow backfill`` and ``bankflow rebuild``: files the user has, and replaying raw/."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from connectors.errors import BankflowError
from flows.cli.common import ConfigOpt, DataDirOpt, console, error, fail, out, pdfs_in, report_imports
from flows.cli.sync import print_outcomes, run_sync


def import_(files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CSV exports or PDF statements.")],
            data_dir: DataDirOpt = Path("data"),
            connection: Annotated[str, typer.Option(help="Name to file these imports under.")] = "import",
            bank: Annotated[Optional[str], typer.Option(help="Skip detection: the bank these files come from.")] = None) -> None:
    """Load files you downloaded from your bank by hand. A file bankflow cannot read is refused and
    changes nothing; importing a file twice adds nothing."""
    folders = [f for f in files if f.is_dir()]
    if folders:
        error(f"{folders[0]} is a folder, not a file — for a folder of PDF statements run "
              f"`bankflow backfill {folders[0]}`; otherwise list the files (bankflow import {folders[0]}/*.csv)")
    _import_and_report(files, data_dir, connection, bank)


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
            summary = run_sync(config, data_dir, [connection],
                                {"statements": "always", **({"statements_since": since} if since else {})})
        except BankflowError as exc:
            fail(exc)
        print_outcomes(summary)
        raise typer.Exit(0 if summary["ok"] else 1)
    assert folder is not None
    _import_and_report(pdfs_in(folder), data_dir, "backfill", bank)


def _import_and_report(files: list[Path], data_dir: Path, connection: str, bank: str | None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.importer import import_files
    from pipeline.datadir import DataDir

    with Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("files", total=len(files))
        results = import_files(DataDir(data_dir), files, connection=connection, bank=bank,
                               progress=lambda i, n: progress.update(task, completed=i, total=n))
    report_imports(results)


def rebuild(data_dir: DataDirOpt = Path("data")) -> None:
    """Recreate the lake and the warehouse from the raw payloads plus your edits (overrides.csv,
    rules.toml, links.csv in the data dir); the run history is kept. Also the cure for a damaged
    warehouse.duckdb."""
    from rich.progress import Progress

    from pipeline.datadir import DataDir
    from pipeline.rebuild import rebuild as do_rebuild

    with Progress(console=console) as progress:
        task = progress.add_task("re-parsing raw payloads", total=None)
        res = do_rebuild(DataDir(data_dir), progress=lambda i, n: progress.update(task, completed=i, total=n))
    out.print(f"rebuilt from {res['payloads']} raw payloads: {res['transactions']} transactions")


COMMANDS = {"import": import_, "backfill": backfill, "rebuild": rebuild}
