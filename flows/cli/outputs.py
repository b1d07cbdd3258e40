"""``bankflow report`` (the HTML page) and ``bankflow export`` (OFX, QIF, beancount, CSV): thin commands
over ``outputs.report`` and ``outputs.export``."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from connectors.errors import BankflowError
from flows.cli.common import DataDirOpt, console, fail, out


def _open(data_dir: Path):
    from pipeline.datadir import DataDir

    dd = DataDir(data_dir)
    if not dd.warehouse_path.exists():
        console.print(f"[red]error:[/red] no warehouse at {dd.warehouse_path}; run `bankflow sync` or `bankflow demo` first")
        raise typer.Exit(2)
    return dd.open_warehouse(read_only=True)


def report(data_dir: DataDirOpt = Path("data"),
           open_: Annotated[bool, typer.Option("--open", help="Open the page in your browser.")] = False) -> None:
    """Write DATA_DIR/report/index.html: balances, cash flow, spending, recurring payments, coverage and
    data health in one page that works offline."""
    from outputs.report import build_report

    with _open(data_dir) as wh:
        path = build_report(wh, data_dir / "report")
    out.print(f"report written to {path}")
    if open_:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())


def export(fmt: Annotated[str, typer.Option("--format", help="ofx, qif, beancount or csv")],
           data_dir: DataDirOpt = Path("data"),
           account: Annotated[Optional[str], typer.Option(help="Only this account (its number or id).")] = None,
           since: Annotated[Optional[str], typer.Option(help="Only transactions from this date on (YYYY-MM-DD).")] = None,
           output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Write here instead of stdout.")] = None) -> None:
    """Export the booked transactions for another bookkeeping tool (GnuCash, HomeBank, Firefly III, YNAB,
    beancount, a spreadsheet). The same ledger always gives the same bytes."""
    from outputs.export import export as do_export

    since_d = None
    if since:
        try:
            since_d = dt.date.fromisoformat(since)
        except ValueError:
            console.print(f"[red]error:[/red] --since {since!r} is not a YYYY-MM-DD date")
            raise typer.Exit(2) from None
    try:
        with _open(data_dir) as wh:
            data = do_export(wh, fmt.lower(), account=account, since=since_d)
    except BankflowError as exc:
        fail(exc)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        console.print(f"{fmt} export written to {output}")
COMMANDS = {"report": report, "export": export}
