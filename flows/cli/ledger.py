"""``bankflow check``, ``bankflow links``, ``bankflow link`` / ``unlink``: the ledger's evidence and the
user's say over it."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from flows.cli.common import DataDirOpt, console, out


def _warehouse(data_dir: Path, *, read_only: bool = False):
    from pipeline.datadir import DataDir

    dd = DataDir(data_dir)
    if not dd.warehouse_path.exists():
        console.print(f"[red]error:[/red] no warehouse at {dd.warehouse_path}; run `bankflow sync` first")
        raise typer.Exit(2)
    return dd, dd.open_warehouse(read_only=read_only)


def check(data_dir: DataDirOpt = Path("data"),
          show: Annotated[int, typer.Option(help="Violating rows shown per check.")] = 5) -> None:
    """Run the reconciliation checks (statements add up, bank balances match the ledger, statement lines
    match API rows, no money counted twice); exit 1 if an error-level check fails."""
    _dd, wh = _warehouse(data_dir)
    with wh:
        results = wh.run_checks(sample=show)
    t = Table(title="bankflow check")
    for col in ("check", "severity", "violations"):
        t.add_column(col)
    for r in results:
        style = "green" if not r.violations else ("red" if r.severity == "error" else "yellow")
        t.add_row(r.name, r.severity, f"[{style}]{r.violations}[/{style}]")
    out.print(t)
    for r in results:
        if r.violations:
            console.print(f"\n[bold]{r.name}[/bold] ({r.violations}): {', '.join(r.columns)}")
            for row in r.sample:
                console.print("  " + " | ".join("" if v is None else str(v) for v in row))
    raise typer.Exit(1 if any(r.violations and r.severity == "error" for r in results) else 0)


def links(data_dir: DataDirOpt = Path("data"),
          txn: Annotated[Optional[str], typer.Option(help="Only links of this transaction id.")] = None) -> None:
    """Every link bankflow made between rows (pending -> booked, statement line -> API row, expired
    pending rows), with the rule and score behind it."""
    _dd, wh = _warehouse(data_dir, read_only=True)
    with wh:
        rows = wh.fetch("links_for.sql", {"txn": txn})
    t = Table(title="links")
    for col in ("a", "b", "rule", "score"):
        t.add_column(col, no_wrap=True)
    for col in ("a label", "b label"):
        t.add_column(col)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    out.print(t)


def _edit_link(data_dir: Path, a_id: str, b_id: str, action: str) -> None:
    from pipeline.edits import add_link, mirror_links

    dd, wh = _warehouse(data_dir)
    with wh:
        known = {r[0] for r in wh.fetch("known_ids.sql", {"a": a_id, "b": b_id})}
        missing = [x for x in (a_id, b_id) if x not in known]
        if missing:
            console.print(f"[red]error:[/red] unknown transaction id(s): {', '.join(missing)} "
                          "(see `bankflow links` or marts.transactions.txn_id)")
            raise typer.Exit(2)
        add_link(dd.root, a_id, b_id, action)
        mirror_links(dd.root, wh)
    out.print(f"{action} {a_id} {b_id}: recorded in {dd.root / 'links.csv'} (kept across rebuilds)")


def unlink(a_id: str, b_id: str, data_dir: DataDirOpt = Path("data")) -> None:
    """Undo a link bankflow made. For a pending -> booked link the two rows then count as two
    transactions. For a statement line matched to an API row, the money still counts once: a statement
    line on a date the API covers never becomes a transaction; the line just loses its match and
    `bankflow check` reports it under statement_line_unmatched."""
    _edit_link(data_dir, a_id, b_id, "unlink")


def link(pending_id: str, booked_id: str, data_dir: DataDirOpt = Path("data")) -> None:
    """Say that a pending row became this booked row (bankflow then counts only the booked one)."""
    _edit_link(data_dir, pending_id, booked_id, "link")


COMMANDS = {"check": check, "links": links, "unlink": unlink, "link": link}
