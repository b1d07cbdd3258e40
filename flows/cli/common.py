"""What every command shares: the consoles, the common options, error output and progress displays."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from connectors.errors import BankflowError

if TYPE_CHECKING:
    from pipeline.importer import ImportResult

# Prefect defaults for a command-line tool on a machine that may have no network: no telemetry, quiet
# logs (our own progress display says what happens), a generous start-up timeout for the local server.
for _k, _v in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
               "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
               "PREFECT_LOGGING_LOG_PRINTS": "false"}.items():
    os.environ.setdefault(_k, _v)

console = Console(stderr=True)
out = Console()

DataDirOpt = Annotated[Path, typer.Option("--data-dir", envvar="BANKFLOW_DATA_DIR",
                                          help="Where raw payloads, the lake and warehouse.duckdb live.")]
ConfigOpt = Annotated[Path, typer.Option("--config", "-c", envvar="BANKFLOW_CONFIG",
                                         help="The bankflow.toml listing your connections.")]


def fail(exc: BankflowError) -> None:
    console.print(f"[red]error:[/red] {exc.describe()}")
    raise typer.Exit(2)


def progress_display():
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[conn]}[/bold]"),
                        TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=False)
    tasks: dict[str, int] = {}

    def report(conn: str, event: str) -> None:
        if conn not in tasks:
            tasks[conn] = progress.add_task(event, conn=conn, total=None)
        else:
            progress.update(tasks[conn], description=event)
        if event in ("done",) or event.endswith("error") or event in (
                "sca_required", "otp_timeout", "otp_refused", "action_needed", "protocol_changed", "rate_limited"):
            progress.update(tasks[conn], total=1, completed=1)

    return progress, report




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
