"""What every command shares: the consoles, the common options, error output and progress displays."""
from __future__ import annotations

import errno
import functools
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

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


def fail(exc: BankflowError) -> NoReturn:
    error(exc.describe())


def error(message: str, code: int = 2) -> NoReturn:
    """Print one ``error:`` line (what, where, what to do) and exit with ``code``."""
    from rich.markup import escape

    console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def debug() -> bool:
    """``BANKFLOW_DEBUG=1``: show tracebacks instead of the one-line messages."""
    return os.environ.get("BANKFLOW_DEBUG", "") not in ("", "0", "false", "no")


def explain(exc: BaseException) -> tuple[str, int]:
    """The one place that turns an exception a command did not handle into a line for people, and the
    exit code: 2 for what the user can fix (config, input, the data dir), 1 for a bug, 130 for Ctrl-C."""
    if isinstance(exc, KeyboardInterrupt):
        return ("interrupted: whatever was being loaded was rolled back (a load is one transaction); "
                "run the command again to finish", 130)
    if isinstance(exc, BankflowError):
        return exc.describe(), 2
    import duckdb

    if isinstance(exc, duckdb.Error):
        from pipeline.datadir import unusable

        m = re.search(r'file "([^"]+)"', str(exc))
        known = unusable(Path(m.group(1)) if m else Path("warehouse.duckdb"), exc)
        if known is not None:
            return known.describe(), 2
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC):
        where = exc.filename or "the data dir"
        if exc.errno == errno.ENOSPC:
            return (f"cannot write {where}: the disk is full — free some space and run again (nothing "
                    "half-written is kept: a load is one transaction)", 2)
        what = "the file system is read-only" if exc.errno == errno.EROFS else "permission denied"
        verb = "write" if exc.errno == errno.EROFS else "access"
        return (f"cannot {verb} {where}: {what} — give a --data-dir you can write to (bankflow keeps raw/, "
                "lake/ and warehouse.duckdb there), or fix the permissions", 2)
    first = str(exc).splitlines()[0] if str(exc) else ""
    return (f"unexpected {type(exc).__name__}: {first} — this is a bankflow bug; run again with "
            "BANKFLOW_DEBUG=1 for the traceback and report it", 1)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so that the processes it starts die with it (:func:`pipeline.lifeline.guard`) and
    an exception it did not handle ends as one ``error:`` line (see :func:`explain`), or as the
    traceback under ``BANKFLOW_DEBUG=1``. Typer reads the wrapped
    function's signature (``functools.wraps`` keeps it)."""
    import click

    @functools.wraps(fn)
    def command(*args: Any, **kwargs: Any) -> Any:
        from pipeline.lifeline import guard

        guard()  # whatever this command starts ends with it, even on SIGKILL (pipeline/lifeline.py)
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            if debug():
                raise
            message, code = explain(exc)
            sys.stdout.flush()
            error(message, code)
    return command


def progress_display():
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[conn]}[/bold]", markup=True),
                        TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=False)
    tasks: dict[str, int] = {}

    def report(conn: str, event: str) -> None:
        if conn != "prefect" and "prefect" in tasks and not progress.tasks[tasks["prefect"]].finished:
            progress.update(tasks["prefect"], description="up", total=1, completed=1)
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
