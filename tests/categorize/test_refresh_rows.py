"""The column-wise categories refresh (pipeline.refresh_rows.decide_columns) decides exactly what the
row-by-row reference (decide_rows) decides, on real labels, with user rules, overrides and training."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import refresh_rows as r
from tests.bench_data import csv_rows
from transforms import categorize as c
from transforms import learn

USER_RULES = c.parse_rules('''
[[rule]]
category = "Courses de quartier"
merchant = "^FRANPRIX|^MONOP"
[[rule]]
category = "Gros achats"
label = "CARTE|CB"
sign = "debit"
min_amount = 100
[[rule]]
category = "Compte joint"
account = "ACC-2"
kind = "transfer"
[[rule]]
category = "Remboursements"
label = "DECATHLON|AVOIR"
sign = "credit"
''', "rules.toml")
SCHEMA = pa.schema([("txn_id", pa.string()), ("label_raw", pa.string()), ("kind", pa.string()),
                    ("amount", pa.decimal128(18, 2)), ("merchant", pa.string()), ("account_number", pa.string()),
                    ("account_id", pa.string()), ("category", pa.string()), ("category_source", pa.string())])


def real_rows() -> list[tuple]:
    """categorize_rows.sql-shaped rows from the real labels (and the labeled French set), described by the
    default rules, each label also with the opposite sign and on two accounts."""
    labels = []
    for name in ("real_labels.csv", "labeled_labels.csv"):
        labels += [(row["label_raw"], Decimal(row["amount"]), row.get("bank_category") or None)
                   for row in csv_rows(name)]
    rows = []
    for i, (label, amount, bank) in enumerate(labels):
        for j, a in enumerate((amount, -amount)):
            kind, merchant, cat, source = c.describe(label, a, bank)
            acc = f"ACC-{(i + j) % 3}"
            rows.append((f"t{i}-{j}", label, kind, a, merchant, acc if i % 5 else None, f"id-{acc}", cat, source))
    return rows


def table(rows: list[tuple]) -> pa.Table:
    return pa.table(list(zip(*rows)) if rows else [[] for _ in SCHEMA], schema=SCHEMA)


def same(rows: list[tuple], overrides: dict, rules: tuple, examples: bool) -> None:
    want = r.decide_rows(rows, overrides, rules, examples=examples)
    got = r.decide_columns(table(rows), overrides, rules, examples=examples)
    assert got == want


@pytest.mark.parametrize("examples", [False, True])
@pytest.mark.parametrize("rules", [(), USER_RULES], ids=["no user rules", "user rules"])
def test_real_labels(rules: tuple, examples: bool) -> None:
    rows = real_rows()
    assert len(rows) > 2000
    at = dt.datetime(2026, 1, 1)
    overrides = {rows[k][0]: ("Enfants et éducation", at) for k in range(0, len(rows), 37)}
    overrides["not-a-row"] = ("Loisirs:Sport", at)
    for ov in ({}, overrides):
        same(rows, ov, rules, examples)
    decided = r.decide_columns(table(rows), overrides, rules, examples=examples)
    # the case is not empty: rule hits (when there are user rules), model rows and examples
    assert bool(decided.rule_hits) == bool(rules) and decided.todo_txns
    assert decided.examples is None or len(decided.examples) > 1000


def test_a_txn_id_twice_goes_row_by_row() -> None:
    rows = real_rows()[:200]
    rows = rows + [(rows[3][0], *rows[10][1:]), (rows[11][0], *rows[4][1:])]
    same(rows, {rows[4][0]: ("Loisirs:Sport", None)}, USER_RULES, True)


def test_no_rows() -> None:
    same([], {}, USER_RULES, True)


row = st.tuples(st.sampled_from(["CB MONOP 12/03", "CARTE 01/02/24 FRANPRIX", "VIR SEPA M DUPONT", "AVOIR DECATHLON",
                                 "PRLV SEPA EDF", "Prélèvement ORANGE", "", "RETRAIT DAB"]),
                st.decimals(min_value=-500, max_value=500, places=2),
                st.sampled_from([None, "ACC-2", "ACC-1"]), st.sampled_from(["rule", "bank", "none"]),
                st.booleans())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, max_size=30), st.booleans())
def test_random_rows(drawn: list, examples: bool) -> None:
    rows, overrides = [], {}
    for i, (label, amount, acc, source, overridden) in enumerate(drawn):
        kind, merchant, cat, _ = c.describe(label, amount, None)
        rows.append((f"t{i}", label, kind, amount, merchant, acc, f"id-{acc}", cat if source != "none" else None,
                     source))
        if overridden:
            overrides[f"t{i}"] = ("Loisirs:Sport", None)
    same(rows, overrides, USER_RULES, examples)


def test_a_feature_text_cached_without_the_sign_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model reads the amount's sign: feature texts cached per (label, merchant, kind) only would
    give a credit the debit's text. The equality check must see it."""
    rows = [("a", "CB MONOP 12/03", "card", Decimal("-3.10"), "MONOP", None, "x", None, "none"),
            ("b", "CB MONOP 12/03", "card", Decimal("3.10"), "MONOP", None, "x", None, "none")]
    same(rows, {}, (), False)

    def unsigned(t: pa.Table, rows_: object) -> list[str]:
        first = learn.features(t["label_raw"][0].as_py(), t["merchant"][0].as_py(), t["kind"][0].as_py(), -1)
        return [first] * len(rows_)

    monkeypatch.setattr(r, "_texts", unsigned)
    with pytest.raises(AssertionError):
        same(rows, {}, (), False)
