"""The generic reader on the three real statement layouts in shared/samples/statements: every row,
amount, date and balance as the statement prints them (expected figures parsed from MANIFEST.tsv,
which states them from the statements' own printed figures)."""
from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.statements import parse_statement_pdf
from connectors.statements.generic import read_statement

# shared/ sits beside the checkout (as in CI); BANKFLOW_SHARED_DIR overrides
SHARED_DIR = Path(os.environ.get("BANKFLOW_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
SAMPLES = SHARED_DIR / "samples/statements"
pytestmark = pytest.mark.skipif(not (SAMPLES / "MANIFEST.tsv").is_file(),
                                reason=f"real statement samples not found in {SAMPLES} (set BANKFLOW_SHARED_DIR)")


def manifest() -> dict[str, str]:
    rows = (SAMPLES / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {r.split("\t")[0]: r.split("\t")[3] for r in rows if r.strip()}


def _num(pattern: str, text: str) -> Decimal:
    m = re.search(pattern + r"\s*([-+]?\d+\.\d{2})", text)
    assert m, f"{pattern!r} not in MANIFEST line {text!r}"
    return Decimal(m[1])


def _names() -> list[str]:
    return sorted(manifest()) if (SAMPLES / "MANIFEST.tsv").is_file() else []


@pytest.mark.parametrize("name", _names())
def test_sample_reads_exactly(name: str) -> None:
    expected = manifest()[name]
    batch = read_statement((SAMPLES / name).read_bytes(), source=name)
    assert len(batch.statements) == 1
    s = batch.statements[0]
    amounts = [ln.amount for ln in s.lines]
    assert s.opening_balance == _num("opening", expected)
    assert s.closing_balance == _num("closing", expected)
    n = int(re.search(r"(\d+) (?:transactions|credits)", expected)[1])  # type: ignore[index]
    assert len(s.lines) == n
    if "sum" in expected:
        assert sum(amounts) == _num("sum", expected)
    if "debits" in expected:
        assert -s.total_debits == _num("debits", expected)
        assert s.total_credits == _num("credits", expected)
    if "none a debit" in expected:
        assert all(a > 0 for a in amounts)
    rows = re.search(r"\((\d\d/\d\d [^)]*)\)", expected)
    if rows:   # "17/07 +200.00; 29/07 -30.00, +400.00, -3.44"
        want = [(day, Decimal(a)) for part in rows[1].split("; ")
                for day, amts in [part.split(" ", 1)] for a in amts.split(", ")]
        assert [(f"{ln.booking_date:%d/%m}", ln.amount) for ln in s.lines] == want
    for ln in s.lines:
        assert s.period_start - dt.timedelta(days=7) <= ln.booking_date <= s.period_end + dt.timedelta(days=7)
        assert ln.label_raw and ln.page and ln.line
    assert batch.balances[0].balance == s.closing_balance


def test_boursobank_sample_details() -> None:
    """BoursoBank: the overdraft figure and the rate on the account line are not operations; the
    balance date SOLDE AU 17/08/2020 opens the period; continuation lines join the row's label."""
    name = "boursobank_releve_2020_1_rebuilt_from_wordboxes.pdf"
    s = parse_statement_pdf((SAMPLES / name).read_bytes(), source=name).statements[0]
    assert Decimal("300.00") in [ln.amount for ln in s.lines]     # the VIREMENT CREATION COMPTE row
    assert [ln.amount for ln in s.lines].count(Decimal("300.00")) == 1
    assert (s.period_start, s.period_end) == (dt.date(2020, 8, 18), dt.date(2020, 8, 31))
    assert s.account_ref.startswith("FR76")
    assert any("Réf :" in ln.label_raw for ln in s.lines)


def test_n26_card_rows_keep_their_category_line() -> None:
    name = "n26_releve_2020-09_rebuilt_from_wordboxes.pdf"
    s = read_statement((SAMPLES / name).read_bytes(), source=name).statements[0]
    first = s.lines[0]
    assert first.label_raw == "BARNABE Mastercard • Courses alimentaires"
    assert (first.booking_date, first.amount) == (dt.date(2020, 9, 2), Decimal("-2.10"))
