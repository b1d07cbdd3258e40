"""describe_columns with a DescribeMemo kept across calls (the parts of one rebuild) gives, row by row,
exactly what categorize.describe gives, and forgets what it kept when the rule files change."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms import categorize as c
from transforms import describe_bulk as b

from .test_describe_bulk import BANKS, COLUMNS, Row, labeled_rows, rows as random_row


def described(rows: list[Row], memo: b.DescribeMemo | None) -> list[tuple]:
    labels, amounts, banks = zip(*rows) if rows else ((), (), ())
    out = b.describe_columns(pa.array(labels, pa.string()), pa.array(amounts, pa.decimal128(18, 2)),
                             pa.array(banks, pa.string()), memo)
    return list(zip(*(out[col].to_pylist() for col in COLUMNS))) if rows else []


def parts_differences(parts: list[list[Row]], memo: b.DescribeMemo) -> list[tuple[Row, tuple, tuple]]:
    """(row, with the memo, describe) for every row where they differ, the parts described in turn."""
    return [(r, g, want) for part in parts for r, g in zip(part, described(part, memo))
            if g != (want := c.describe(*r))]


def test_parts_of_real_and_labeled_rows() -> None:
    rows = labeled_rows()
    # overlapping parts, labels seen again with the other sign and another bank category
    again = [(lab, -amt, BANKS[(i + 3) % len(BANKS)]) for i, (lab, amt, _) in enumerate(rows)]
    parts = [rows[:300], rows[200:] + again[:100], again[50:], rows[::7]]
    memo = b.DescribeMemo()
    assert parts_differences(parts, memo) == []
    assert len(memo.entries) > 500


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(random_row, max_size=25), max_size=4))
def test_random_parts(parts: list[list[Row]]) -> None:
    assert parts_differences(parts, b.DescribeMemo()) == []


SWAPPED = c.parse_rules('[[rule]]\ncategory = "Test:Tout"\nlabel = "MONOP"\n', "test.toml")
ROWS = [("CB MONOP 12/03", Decimal("-3.10"), None), ("CB MONOP 12/03", Decimal("3.10"), None)]


def swap_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = SWAPPED + c.default_rules()
    monkeypatch.setattr(c, "default_rules", lambda: rules)
    c.clear_caches()


def test_new_rules_empty_the_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    memo = b.DescribeMemo()
    assert parts_differences([ROWS], memo) == []
    swap_rules(monkeypatch)
    try:
        assert parts_differences([ROWS], memo) == []
        assert described(ROWS, memo)[0][2] == "Test:Tout"
    finally:
        monkeypatch.undo()
        c.clear_caches()


def test_a_memo_that_keeps_stale_results_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without its check of the rule files, the memo answers from the old rules: the equality check must
    see it."""
    memo = b.DescribeMemo()
    assert parts_differences([ROWS], memo) == []
    monkeypatch.setattr(b.DescribeMemo, "check", lambda self: None)
    swap_rules(monkeypatch)
    try:
        assert [g[2] for _r, g, _w in parts_differences([ROWS], memo)] == [
            "Alimentation:Commerces de bouche", "Revenus:Remboursements"]  # the old rules' answers
    finally:
        monkeypatch.undo()
        c.clear_caches()
