"""Regenerate the golden fixtures: ``python -m tests.statements.golden.regen`` (from the repo root).

The cases are the bank folders' business: each ``connectors/<bank>/statements/golden/cases.toml``
names its statements (layout, account number, synth seed, period, lines, rows per page) and keeps
the files beside it. For each case: ``<name>.pdf`` (rendered by connectors.statements.render),
``<name>.csv`` (the parsed rows) and ``<name>.json`` (the statement summary). test_golden.py parses
the stored PDFs and compares with the stored CSV and JSON, so a parser change that alters any output
shows up as a diff. Nothing here is specific to a bank.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from connectors.records import ParsedBatch
from connectors.statements import parse_statement_pdf, render_statement_pdf
from connectors.statements.layouts import bank_files
from connectors.statements.synth import synth_statement

CASES_GLOB = "*/statements/golden/cases.toml"
OPENING = Decimal("1523.40")


@dataclass(frozen=True)
class Case:
    """One golden statement, as its bank's ``cases.toml`` describes it; files live in ``folder``."""

    name: str
    folder: Path
    layout: str
    account_number: str
    seed: int
    start: dt.date
    end: dt.date
    lines: int
    rows_per_page: int | None = None

    def path(self, suffix: str) -> Path:
        return self.folder / f"{self.name}{suffix}"


def discover_cases() -> dict[str, Case]:
    """Every bank folder's golden cases, by name (a name used twice is refused)."""
    cases: dict[str, Case] = {}
    for path in bank_files(CASES_GLOB):
        for name, raw in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if name in cases:
                raise ValueError(f"{path}: golden case {name!r} also in {cases[name].folder}")
            cases[name] = Case(name=name, folder=path.parent, **raw)
    return cases


CASES = discover_cases()


def render_case(name: str) -> bytes:
    c = CASES[name]
    statement = synth_statement(c.seed, c.start, c.end, c.lines, opening=OPENING)
    return render_statement_pdf(statement, layout=c.layout, account_number=c.account_number,
                                rows_per_page=c.rows_per_page)


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
    for name, case in CASES.items():
        body = render_case(name)
        batch = parse_statement_pdf(body, source=f"{name}.pdf")
        case.path(".pdf").write_bytes(body)
        case.path(".csv").write_text(rows_csv(batch), encoding="utf-8")
        case.path(".json").write_text(json.dumps(summary(batch, body), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {case.path('.pdf')}: {len(batch.statements[0].lines)} rows")


if __name__ == "__main__":
    main()
