"""``bankflow query``: read-only SQL on the warehouse."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.cli.common import DataDirOpt, console, error, out

FORMATS = ("table", "csv", "json")


def query(sql_text: Annotated[str, typer.Argument(metavar="SQL", help="A query; read-only.")],
          data_dir: DataDirOpt = Path("data"),
          fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
          limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50) -> None:
    """Query the warehouse (read-only). Analysts use the marts.* views."""
    from pipeline.datadir import DataDir

    if fmt not in FORMATS:
        error(f"--format {fmt!r} is not a format bankflow writes — use one of: {', '.join(FORMATS)}")
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

        w = csv.writer(sys.stdout)
        w.writerow(columns)
        w.writerows(["" if v is None else str(v) for v in r] for r in rows)
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


COMMANDS = {"query": query}
