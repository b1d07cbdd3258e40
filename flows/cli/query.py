"""``bankflow query``: read-only SQL on the warehouse."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from flows.cli.common import DataDirOpt, console, error, out

FORMATS = ("table", "csv", "json", "parquet")


def query(sql_text: Annotated[str, typer.Argument(metavar="SQL", help="A query; read-only.")],
          data_dir: DataDirOpt = Path("data"),
          fmt: Annotated[str, typer.Option("--format", help="table, csv, json or parquet (needs --output)")] = "table",
          limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
          output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (parquet).")] = None,
          ) -> None:
    """Query the warehouse (read-only: the published snapshot, never blocking a sync). Analysts use the
    marts.* views. --format parquet keeps amounts exact (Parquet decimals) for pandas and others."""
    from pipeline.datadir import DataDir

    if fmt not in FORMATS:
        error(f"--format {fmt!r} is not a format bankflow writes — use one of: {', '.join(FORMATS)}")
    dd = DataDir(data_dir)
    if not dd.warehouse_path.exists():
        console.print(f"[red]error:[/red] no warehouse at {dd.warehouse_path}; run `bankflow sync` or `bankflow demo` first")
        raise typer.Exit(2)
    import duckdb

    if fmt == "parquet" and output is None:
        console.print("[red]error:[/red] --format parquet needs --output FILE.parquet")
        raise typer.Exit(2)
    with dd.open_warehouse(read_only=True) as wh:
        if fmt == "parquet":
            try:
                n = wh.export_parquet(sql_text, output)
            except duckdb.Error as exc:
                console.print(f"[red]query failed:[/red] {exc}")
                raise typer.Exit(2) from None
            console.print(f"{n} rows written to {output}")
            return
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


COMMANDS = {"query": query}
