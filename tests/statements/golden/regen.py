"""Regenerate the golden fixtures: ``python -m tests.statements.golden.regen`` (from the repo root).

For each case: ``<name>.pdf`` (rendered by connectors.statements.render), ``<name>.csv`` (the parsed
rows) and ``<name>.json`` (the statement summary). test_golden.py parses the stored PDFs and compares
with the stored CSV and JSON, so a parser change that alters any output shows up as a diff.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

from connectors.records import ParsedBatch
from connectors.statements import parse_statement_pdf, render_statement_pdf
from connectors.statements.synth import synth_statement

HERE = Path(__file__).parent

CASES = {
    # name: (layout, account number, seed, start, end, n lines, rows per page)
    "lcl_2023-12_dec_jan": ("lcl", "00412 0123456Z", 101, dt.date(2023, 12, 15), dt.date(2024, 1, 14), 45, None),
    "lcl_2024-05_three_pages": ("lcl", "00412 0123456Z", 102, dt.date(2024, 5, 1), dt.date(2024, 5, 31), 50, 22),
    "boursorama_2023-12_dec_jan": ("boursorama", "00040754305", 103, dt.date(2023, 12, 1), dt.date(2024, 1, 4), 40, 30),
}


def render_case(name: str) -> bytes:
    layout, number, seed, start, end, n, rows = CASES[name]
    statement = synth_statement(seed, start, end, n, opening=Decimal("1523.40"))
    return render_statement_pdf(statement, layout=layout, account_number=number, rows_per_page=rows)


def rows_csv(batch: ParsedBatch) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["booking_date", "value_date", "amount", "label_raw"])
    for ln in batch.statements[0].lines:
        w.writerow([ln.booking_date.isoformat(), ln.value_date.isoformat() if ln.value_date else "",
                    str(ln.amount), ln.label_raw])
    return buf.getvalue()


def summary(batch: ParsedBatch, body: bytes) -> dict[str, object]:
    s = batch.statements[0]
    return {"sha256": hashlib.sha256(body).hexdigest(), "account_ref": s.account_ref,
            "period_start": s.period_start.isoformat(), "period_end": s.period_end.isoformat(),
            "opening_balance": str(s.opening_balance), "closing_balance": str(s.closing_balance),
            "total_debits": str(s.total_debits), "total_credits": str(s.total_credits),
            "n_lines": len(s.lines)}


def main() -> None:
    for name in CASES:
        body = render_case(name)
        batch = parse_statement_pdf(body, source=f"{name}.pdf")
        (HERE / f"{name}.pdf").write_bytes(body)
        (HERE / f"{name}.csv").write_text(rows_csv(batch), encoding="utf-8")
        (HERE / f"{name}.json").write_text(json.dumps(summary(batch, body), indent=2) + "\n",
                                           encoding="utf-8")
        print(f"wrote {name}: {len(batch.statements[0].lines)} rows")


if __name__ == "__main__":
    main()
