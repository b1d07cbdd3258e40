"""Golden tests: stored PDFs parse to the stored rows and summaries (regen: golden/regen.py).

The cases and files live in the bank folders (``connectors/<bank>/statements/golden/``)."""
from __future__ import annotations

import hashlib
import json

import pytest

from connectors.statements import parse_statement_pdf
from tests.statements.golden.regen import CASES, render_case, rows_csv, summary


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_pdf_parses_to_golden_rows(name: str) -> None:
    case = CASES[name]
    body = case.path(".pdf").read_bytes()
    batch = parse_statement_pdf(body, source=f"{name}.pdf")
    assert rows_csv(batch) == case.path(".csv").read_text(encoding="utf-8")
    assert summary(batch, body) == json.loads(case.path(".json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_renderer_reproduces_golden_rows(name: str) -> None:
    """Today's renderer gives a PDF that parses to the same rows (the bytes may differ across fpdf2
    versions, so they are not compared; determinism within one install is tested elsewhere)."""
    body = render_case(name)
    batch = parse_statement_pdf(body, source=f"{name}.pdf")
    assert rows_csv(batch) == CASES[name].path(".csv").read_text(encoding="utf-8")
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(render_case(name)).hexdigest()


def test_golden_dec_jan_years() -> None:
    rows = CASES["lcl_2023-12_dec_jan"].path(".csv").read_text(encoding="utf-8").splitlines()[1:]
    years = {r[:4] for r in rows}
    assert years == {"2023", "2024"}


def test_golden_cases_come_from_every_bank_folder() -> None:
    """Each bank with a statement layout keeps golden cases in its own folder, beside the files."""
    banks = {c.folder.parent.parent.name for c in CASES.values()}
    assert banks == {"lcl", "boursorama"}
    for case in CASES.values():
        assert case.folder.parent.parent.name == case.layout
        assert all(case.path(s).is_file() for s in (".pdf", ".csv", ".json"))
