"""What a categories refresh (:func:`pipeline.edits.refresh`) decides for the rows of
``queries/categorize_rows.sql``: which rows a user rule categorizes, which rows are categorized (training
examples) and which rows are left to the model.

Two implementations with the same result:

* :func:`decide_columns` (used): the rows as Arrow columns; the user's rules are tried once per distinct
  value of the fields they read, the model's feature text is computed once per distinct (label, merchant,
  kind, sign); with no user rules, no override and no training, no Python runs per row at all.
* :func:`decide_rows` (the reference, and the path for the never-expected case of a txn_id listed twice):
  the rows as Python tuples, one by one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms import learn
from transforms.categorize import CategoryRule, fold

#: the columns of ``queries/categorize_rows.sql``, in order
COLUMNS = ("txn_id", "label_raw", "kind", "amount", "merchant", "account_number", "account_id", "category",
           "category_source")


@dataclass(frozen=True, slots=True)
class Decided:
    #: (txn_id, category, rule name) of each row a user rule categorizes, in row order
    rule_hits: list[tuple[str, str, str]]
    #: (feature text, category) of each categorized row (override, user rule, default rule), in the order
    #: of the first row of each txn_id; None when not asked for (no training)
    examples: list[tuple[str, str]] | None
    #: txn_id and feature text of each row left to the model, in row order
    todo_txns: list[str]
    todo_texts: list[str]


def first_rule(rules: tuple[CategoryRule, ...], label_raw: str, kind: str, amount: Decimal, merchant: str | None,
               acc_no: str | None, acc_id: str) -> CategoryRule | None:
    """The first of the user's ``rules`` matching a row (by account number or by account_id)."""
    if not rules:
        return None
    up = fold(label_raw)
    for rule in rules:
        if rule.matches(up, kind, amount, merchant, acc_no) or (
                rule.account is not None and rule.matches(up, kind, amount, merchant, acc_id)):
            return rule
    return None


def decide_rows(rows: Sequence[tuple], overrides: dict[str, Any], user_rules: tuple[CategoryRule, ...], *,
                examples: bool) -> Decided:
    """The reference: row by row (rows as ``categorize_rows.sql`` returns them)."""
    rule_hits: list[tuple[str, str, str]] = []
    labelled: dict[str, str] = {}
    for txn, label_raw, kind, amount, merchant, acc_no, acc_id, cat, source in rows:
        hit = first_rule(user_rules, label_raw, kind, amount, merchant, acc_no, acc_id)
        if hit is not None:
            rule_hits.append((txn, hit.category, hit.name))
            labelled[txn] = hit.category
        elif source == "rule" and cat:
            labelled[txn] = cat
        if txn in overrides:
            labelled[txn] = overrides[txn][0]
    out_examples = None
    if examples:
        texts = {r[0]: learn.features(r[1], r[4], r[2], r[3]) for r in rows}
        out_examples = [(texts[t], c) for t, c in labelled.items()]
    todo = list({r[0]: r for r in rows if r[0] not in labelled}.values())
    return Decided(rule_hits, out_examples, [r[0] for r in todo],
                   [learn.features(r[1], r[4], r[2], r[3]) for r in todo])


def decide_columns(table: pa.Table, overrides: dict[str, Any], user_rules: tuple[CategoryRule, ...], *,
                   examples: bool) -> Decided:
    """:func:`decide_rows` on the same rows as Arrow columns (``table``: :data:`COLUMNS`)."""
    n = table.num_rows
    txn = _col(table, "txn_id")
    if n and len(pc.unique(txn)) != n:  # a txn_id twice: its rows decide together (reference)
        return decide_rows(list(zip(*(table[c].to_pylist() for c in COLUMNS))), overrides, user_rules,
                           examples=examples)
    hit = _user_rule_hits(table, user_rules)
    has_hit = hit >= 0
    cat = _col(table, "category")
    by_default = pc.fill_null(pc.and_(pc.equal(_col(table, "category_source"), "rule"), pc.not_equal(cat, "")),
                              False).to_numpy(zero_copy_only=False)
    overridden = (pc.is_in(txn, pa.array(list(overrides), pa.string())).to_numpy(zero_copy_only=False)
                  if overrides else np.zeros(n, bool))
    labelled = has_hit | by_default | overridden
    hit_rows = np.flatnonzero(has_hit)
    txns = txn.take(pa.array(hit_rows)).to_pylist() if hit_rows.size else []
    rule_hits = [(t, user_rules[k].category, user_rules[k].name) for t, k in zip(txns, hit[hit_rows].tolist())]
    out_examples = None
    if examples:
        rows = np.flatnonzero(labelled)
        names = pa.array([r.category for r in user_rules] + [None], pa.string())
        chosen = pc.if_else(pa.array(overridden), _override_column(txn, overrides, overridden),
                            pc.if_else(pa.array(has_hit), names.take(pa.array(np.where(has_hit, hit, len(user_rules)))), cat))
        out_examples = list(zip(_texts(table, rows), chosen.take(pa.array(rows)).to_pylist()))
    todo = np.flatnonzero(~labelled)
    return Decided(rule_hits, out_examples, txn.take(pa.array(todo)).to_pylist(), _texts(table, todo))


def _col(table: pa.Table, name: str) -> pa.Array:
    c = table[name]
    return c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c


def _override_column(txn: pa.Array, overrides: dict[str, Any], mask: np.ndarray) -> pa.Array:
    """Per row, the override's category where ``mask``, else null."""
    rows = np.flatnonzero(mask)
    values = [overrides[t][0] for t in txn.take(pa.array(rows)).to_pylist()]
    out = np.full(len(txn), None, object)
    out[rows] = values
    return pa.array(out, pa.string())


def _texts(table: pa.Table, rows: np.ndarray) -> list[str]:
    """``learn.features`` of each of ``rows``, computed once per distinct (label, merchant, kind, sign)."""
    if not rows.size:
        return []
    take = pa.array(rows)
    debit = pc.less(_col(table, "amount").take(take), 0).to_numpy(zero_copy_only=False).tolist()
    keys = zip(*(_col(table, c).take(take).to_pylist() for c in ("label_raw", "merchant", "kind")), debit)
    memo: dict[tuple, str] = {}
    out = []
    for k in keys:
        text = memo.get(k)
        if text is None:
            text = memo[k] = learn.features(k[0], k[1], k[2], -1 if k[3] else 0)
        out.append(text)
    return out


def _user_rule_hits(table: pa.Table, rules: tuple[CategoryRule, ...]) -> np.ndarray:
    """Per row, the index in ``rules`` of the first user rule matching it, or -1; each rule is tried once
    per distinct value of the fields the rules read (label, kind, sign or amount, merchant, account)."""
    n = table.num_rows
    out = np.full(n, -1, np.int64)
    if not rules or not n:
        return out
    bounded = any(r.min_amount is not None or r.max_amount is not None for r in rules)
    fields = ["label_raw", "kind", "amount", "merchant"]
    if any(r.account is not None for r in rules):
        fields += ["account_number", "account_id"]
    cols = {f: _col(table, f).to_pylist() for f in fields}
    amounts = cols["amount"]
    sign_key = amounts if bounded else [a < 0 for a in amounts]
    keys = zip(*(cols[f] if f != "amount" else sign_key for f in fields))
    memo: dict[tuple, int] = {}
    index = {id(r): i for i, r in enumerate(rules)}
    for i, key in enumerate(keys):
        k = memo.get(key)
        if k is None:
            row = dict(zip(fields, key))
            amount = amounts[i]
            hit = first_rule(rules, row["label_raw"], row["kind"], amount, row["merchant"],
                             row.get("account_number"), row.get("account_id", ""))
            k = memo[key] = -1 if hit is None else index[id(hit)]
        out[i] = k
    return out
