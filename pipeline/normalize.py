"""Parsed payloads -> lake tables (Arrow, one per entity, schemas in ``connectors.lake_schemas``).

:func:`normalize_many` works column-wise over any number of payloads at once (a sync normalizes one
payload, ``bankflow rebuild`` hundreds of thousands of rows): transaction keys are computed by DuckDB
(:func:`pipeline.keys.transaction_key_columns`) and kind/merchant/category once per distinct label
(:func:`transforms.describe_bulk.describe_columns`). Accounts, balances and statements are few and stay
row-wise.

Lineage on every row: ``raw_sha256`` (the landed file), ``connection``, ``fetched_at``, ``row_number``
(position in its payload).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from connectors.artifact import ArtifactMeta
from connectors.records import ParsedBatch, Transaction
from transforms.describe_bulk import DescribeMemo, describe_columns
from connectors.lake_schemas import SCHEMAS
from pipeline.keys import transaction_key_columns
from transforms.identify import account_id, account_id_column, label_forms, statement_id, statement_line_keys

SOURCE_BY_KIND = {"json": "api", "html": "api", "csv": "csv", "pdf": "statement"}
ENTITIES = ("accounts", "transactions", "balances", "statements", "statement_lines")

# (meta, batch, unique_ids): unique_ids says the bank's transaction ids are unique and stable
Item = tuple[ArtifactMeta, ParsedBatch, bool]


def normalize(batch: ParsedBatch, meta: ArtifactMeta, *, unique_ids: bool) -> dict[str, pa.Table]:
    """The lake tables of one payload."""
    return normalize_many([(meta, batch, unique_ids)])


def normalize_many(items: Sequence[Item], memo: DescribeMemo | None = None) -> dict[str, pa.Table]:
    """The lake tables of several payloads (each row keeps its own lineage), entity -> table. ``memo``:
    kind/merchant/category per label kept across the calls of one rebuild (the same tables, less work)."""
    rows: dict[str, list[dict[str, Any]]] = {e: [] for e in ENTITIES if e != "transactions"}
    for meta, batch, _u in items:
        _small_entities(meta, batch, rows)
    out = {e: pa.Table.from_pylist(r, schema=SCHEMAS[e]) for e, r in rows.items()}
    out["transactions"] = _transactions(items, memo)
    return {e: out[e] for e in ENTITIES}


def _lineage(meta: ArtifactMeta) -> dict[str, Any]:
    return {"bank": meta.bank, "connection": meta.connection, "raw_sha256": meta.sha256,
            "fetched_at": meta.fetched_at}


#: Transaction fields the lake keeps as they are; ``label`` here is the bank's display label (may be empty)
RECORD_FIELDS = ("account_ref", "booking_date", "value_date", "operation_date", "amount", "currency", "label_raw",
                 "label", "pending", "bank_txn_id", "bank_category", "bank_type", "deleted_at", "source_updated_at")
#: rows per table yielded by :func:`normalize_batches` (one Parquet row group each)
SLICE_ROWS = 20_000


def record_columns(txs: Sequence[Transaction]) -> pa.Table:
    """The :data:`RECORD_FIELDS` of ``txs`` as Arrow columns (the only per-row Python step)."""
    schema = SCHEMAS["transactions"]
    return pa.table({f: pa.array(list(map(attrgetter(f), txs)), schema.field(f).type) for f in RECORD_FIELDS})


def _complete(columns: pa.Table) -> pa.Table:
    """A column-wise parser's transactions (``ParsedBatch.transaction_columns``) as :func:`record_columns`
    gives them: every :data:`RECORD_FIELDS` column, a field the parser left out at its default. String
    columns may come dictionary-encoded: they stay so until :func:`_slices` takes its groups."""
    schema, n = SCHEMAS["transactions"], columns.num_rows
    defaults = {f.name: f.default for f in dataclasses.fields(Transaction)}
    out = {}
    for f in RECORD_FIELDS:
        c = columns[f] if f in columns.column_names else _repeated(defaults[f], schema.field(f).type, n)
        kept = pa.types.is_dictionary(c.type) and c.type.value_type == schema.field(f).type
        out[f] = c if kept else c.cast(schema.field(f).type)
    return pa.table(out)


def _decoded(table: pa.Table) -> pa.Table:
    """``table`` with its dictionary-encoded columns as plain ones."""
    return pa.table({n: c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c
                     for n, c in zip(table.column_names, table.columns)})


def _transactions(items: Sequence[Item], memo: DescribeMemo | None = None) -> pa.Table:
    """The transactions of all ``items`` as one table: the records' columns in one pass over all rows, the
    payloads' lineage repeated column-wise (no Python value per row)."""
    txs: list[Transaction] = []
    counts = np.zeros(len(items), np.int64)
    for p, (_meta, batch, _u) in enumerate(items):
        txs += batch.transactions
        counts[p] = len(batch.transactions)
    if not txs:
        return SCHEMAS["transactions"].empty_table()
    base = record_columns(txs)
    del txs
    schema = SCHEMAS["transactions"]
    payload = pa.array(np.repeat(np.arange(len(items), dtype=np.int32), counts))
    per_payload: dict[str, list[Any]] = {k: [] for k in (
        "bank", "connection", "raw_sha256", "fetched_at", "source", "window_start", "window_end")}
    unique = []
    for meta, batch, unique_ids in items:
        for k, v in (*_lineage(meta).items(), ("source", SOURCE_BY_KIND.get(meta.kind, meta.kind)),
                     ("window_start", batch.window_start), ("window_end", batch.window_end)):
            per_payload[k].append(v)
        unique.append(unique_ids)
    lineage: dict[str, Any] = {k: pa.array(v, schema.field(k).type).take(payload) for k, v in per_payload.items()}
    starts = np.cumsum(counts) - counts
    lineage["row_number"] = pa.array((np.arange(int(counts.sum())) - np.repeat(starts, counts)).astype(np.int32))
    keyed = _keyed(base, lineage["bank"], payload, pa.array(unique, pa.bool_()).take(payload), memo)
    return _assemble(base, lineage, *keyed)


def _keys(base: pa.Table, bank: pa.Array, payload: pa.Array, unique: pa.Array) -> tuple[pa.Table, pa.Array]:
    """Identity keys (``txn_id``, ``source_key``, ``occurrence``) of every row of ``base`` and its labels with
    single spaces. Over whole payloads: the occurrence counts identical rows anywhere in the payload."""
    label_raw, bank_txn_id = _array(base["label_raw"]), _array(base["bank_txn_id"])
    spaced, nlabel = label_forms(label_raw)
    # the bank's id is the key when its ids are unique (ConnectorSpec.unique_txn_ids) and the row has one
    has_id = pc.and_(pc.is_valid(bank_txn_id), pc.not_equal(pc.fill_null(bank_txn_id, ""), ""))
    ids = transaction_key_columns({
        "payload": payload, "bank": bank, "account_ref": _array(base["account_ref"]),
        "pending": _array(base["pending"]), "booking_date": _array(base["booking_date"]),
        "amount": _array(base["amount"]), "nlabel": nlabel, "bank_txn_id": bank_txn_id,
        "by_id": pc.and_(unique, has_id)})
    return ids, spaced


#: fewer rows than this: keys and labels one after the other (a helper thread would cost more than it saves)
OVERLAP_ROWS = 5_000


def _keyed(base: pa.Table, bank: pa.Array, payload: pa.Array, unique: pa.Array,
           memo: DescribeMemo | None = None) -> tuple[pa.Table, pa.Array, pa.Table]:
    """:func:`_keys` and ``describe_columns`` of the same rows. From :data:`OVERLAP_ROWS` rows, the keys
    (DuckDB and Arrow, which release the GIL) are computed in a helper thread while this one describes
    the labels (Python), so on 2 cores the two overlap (a thread per call, not a pool: fork-safe)."""
    def describe() -> pa.Table:
        return describe_columns(_array(base["label_raw"]), _array(base["amount"]), _array(base["bank_category"]),
                                memo)

    if base.num_rows < OVERLAP_ROWS:
        return (*_keys(base, bank, payload, unique), describe())
    with ThreadPoolExecutor(1, thread_name_prefix="txn-keys") as pool:
        keys = pool.submit(_keys, base, bank, payload, unique)
        described = describe()
        ids, spaced = keys.result()
    return ids, spaced, described


def _assemble(base: pa.Table, lineage: dict[str, Any], ids: pa.Table, spaced: pa.Array,
              described: pa.Table) -> pa.Table:
    """The lake's transactions table from record columns, lineage columns (arrays or lists, one value per
    row), identity keys, single-spaced labels and ``describe_columns``' output, all aligned row by row."""
    schema = SCHEMAS["transactions"]
    col = {f: _array(base[f]) for f in RECORD_FIELDS}
    bank = lineage["bank"] if isinstance(lineage["bank"], pa.Array) else pa.array(lineage["bank"], pa.string())
    shown = col["label"]  # the bank's display label, else the raw one with single spaces
    label = pc.if_else(pc.fill_null(pc.not_equal(shown, ""), False), shown, _array(spaced))
    cols: dict[str, Any] = {
        **lineage, **col, "bank": bank, "label": label,
        "txn_id": ids["txn_id"], "account_id": account_id_column(bank, col["account_ref"]),
        "source_key": ids["source_key"], "occurrence": ids["occurrence"],
        "merchant": described["merchant"], "kind": described["kind"], "category": described["category"],
        "category_source": described["category_source"]}
    arrays = [c if isinstance(c, (pa.Array, pa.ChunkedArray)) else pa.array(c, f.type)
              for f in schema for c in (cols[f.name],)]
    return pa.Table.from_arrays([a.cast(f.type) if a.type != f.type else a for a, f in zip(arrays, schema)],
                                schema=schema)


def _array(c: pa.Array | pa.ChunkedArray) -> pa.Array:
    return c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c


def normalize_batches(batches: Iterable[ParsedBatch], meta: ArtifactMeta, *, unique_ids: bool,
                      slice_rows: int = SLICE_ROWS) -> dict[str, pa.Table | Iterator[pa.Table]]:
    """:func:`normalize` of ONE payload parsed in batches (``ConnectorSpec.parse_chunks``), with the
    same rows: the transactions come as an iterator of tables of ``slice_rows`` rows (written as Parquet
    row groups), so only the records of one batch and the payload's compact Arrow columns are in memory
    at once, never a Python object per row of a 500k-row export. The batches are consumed here (a parse
    error surfaces before anything is yielded); the identity keys are computed over the whole payload."""
    parts: list[pa.Table] = []
    balances: list[pa.Table] = []  # as many as the rows when an account has a balance per day: compact Arrow
    merged = ParsedBatch()
    for b in batches:
        if b.transaction_columns is not None:
            parts.append(_complete(b.transaction_columns))
        elif b.transactions:
            parts.append(record_columns(b.transactions))
        if b.balance_columns is not None:
            balances.append(b.balance_columns.select(["account_ref", "date", "balance", "source"]))
        elif b.balances:
            balances.append(pa.table({f: pa.array(list(map(attrgetter(f), b.balances)), SCHEMAS["balances"].field(f).type)
                                      for f in ("account_ref", "date", "balance", "source")}))
        merged.accounts += b.accounts
        merged.statements += b.statements
        merged.window_start, merged.window_end = b.window_start, b.window_end
    small: dict[str, list[dict[str, Any]]] = {e: [] for e in ENTITIES if e != "transactions"}
    _small_entities(meta, merged, small)
    out: dict[str, pa.Table | Iterator[pa.Table]] = {
        e: pa.Table.from_pylist(r, schema=SCHEMAS[e]) for e, r in small.items()}
    out["balances"] = _balance_tables(balances, meta)
    out["transactions"] = _slices(parts, meta, merged, unique_ids, slice_rows)
    return {e: out[e] for e in ENTITIES}


def _balance_tables(parts: list[pa.Table], meta: ArtifactMeta) -> Iterator[pa.Table]:
    """The lake's balances of a streamed payload, one table per parsed batch, lineage added only here."""
    schema, offset = SCHEMAS["balances"], 0
    for t in parts:
        k = t.num_rows
        bank = _repeated(meta.bank, pa.string(), k)
        cols = {**{n: _repeated(v, schema.field(n).type, k) for n, v in _lineage(meta).items()},
                "row_number": pa.array(np.arange(offset, offset + k, dtype=np.int32)), "bank": bank,
                "account_id": account_id_column(bank, t["account_ref"].combine_chunks()),
                **{n: t[n] for n in t.column_names}}
        offset += k
        yield pa.table([cols[f.name] for f in schema], schema=schema)


def _slices(parts: list[pa.Table], meta: ArtifactMeta, batch: ParsedBatch, unique_ids: bool,
            slice_rows: int) -> Iterator[pa.Table]:
    """The payload's transactions table in groups of whole booking days of ~``slice_rows`` rows: each group's
    identity keys are computed in DuckDB on that group alone (its memory stays that of one group), and are
    exact: identical rows share their booking day (it is part of the content key), so every run of identical
    rows is counted inside one group, in payload order. The rows come grouped by days; ``row_number`` keeps
    each row's position in the payload (a payload's rows have distinct ``txn_id``: no load reads the order)."""
    if not parts:
        return
    base = pa.concat_tables(parts)  # no copy: the batches' columns, chunked
    parts.clear()
    days = pc.fill_null(_array(base["booking_date"]).cast(pa.int32()), 0).to_numpy(zero_copy_only=False)
    values, counts = np.unique(days, return_counts=True)
    edges, filled = [], 0  # first day of each group but the first
    for day, c in zip(values.tolist(), counts.tolist()):
        if filled and filled + c > slice_rows:
            edges.append(day)
            filled = 0
        filled += c
    group = np.searchsorted(np.array(edges, dtype=np.int64), days, side="right")
    perm = np.argsort(group, kind="stable")  # rows by group, payload order inside each
    bounds = np.searchsorted(group[perm], np.arange(len(edges) + 2))
    del days, group
    memo = DescribeMemo()  # a label seen in an earlier group is not described again
    constant = {**_lineage(meta), "source": SOURCE_BY_KIND.get(meta.kind, meta.kind),
                "window_start": batch.window_start, "window_end": batch.window_end}
    schema = SCHEMAS["transactions"]
    for g in range(len(edges) + 1):
        rows = perm[bounds[g]:bounds[g + 1]]
        sub = _decoded(base.take(pa.array(rows)))
        k = sub.num_rows
        lineage: dict[str, Any] = {name: _repeated(v, schema.field(name).type, k) for name, v in constant.items()}
        lineage["row_number"] = pa.array(rows.astype(np.int32))
        yield _assemble(sub, lineage, *_keyed(sub, lineage["bank"], pa.array(np.zeros(k, dtype=np.int32)),
                                              pa.array(np.full(k, unique_ids)), memo))


def _repeated(value: Any, typ: pa.DataType, k: int) -> pa.Array:
    """``k`` times ``value`` (a payload's lineage on each of its rows), with no Python list of ``k`` items."""
    return pa.repeat(pa.scalar(value, typ), k)


def _small_entities(meta: ArtifactMeta, batch: ParsedBatch, out: dict[str, list[dict[str, Any]]]) -> None:
    """Accounts, balances, statements and their lines of one payload, as rows."""
    from transforms.categorize import describe

    bank = meta.bank
    lineage = _lineage(meta)
    for i, a in enumerate(batch.accounts):
        out["accounts"].append({
            **lineage, "row_number": i, "account_id": account_id(bank, a.account_ref),
            "account_ref": a.account_ref, "account_number": a.number or a.account_ref, "iban": a.iban,
            "name": a.name, "type": a.type, "currency": a.currency, "balance": a.balance,
            "balance_date": a.balance_date, "deleted": a.deleted, "disabled": a.disabled})
    for i, b in enumerate(batch.balances):
        out["balances"].append({**lineage, "row_number": i, "account_id": account_id(bank, b.account_ref),
                                "account_ref": b.account_ref, "date": b.date, "balance": b.balance,
                                "source": b.source})
    for i, s in enumerate(batch.statements):
        sid = statement_id(bank, s)      # by content (account, period), not by the file's bytes
        out["statements"].append({
            **lineage, "row_number": i, "statement_id": sid, "account_id": account_id(bank, s.account_ref),
            "account_ref": s.account_ref, "period_start": s.period_start, "period_end": s.period_end,
            "opening_balance": s.opening_balance, "closing_balance": s.closing_balance,
            "total_debits": s.total_debits, "total_credits": s.total_credits, "line_count": len(s.lines)})
        line_keys = statement_line_keys(bank, s)
        for j, (ln, txn_id) in enumerate(zip(s.lines, line_keys, strict=True)):
            kind, merchant, category, cat_source = describe(ln.label_raw, ln.amount, None)
            out["statement_lines"].append({
                **lineage, "row_number": j, "statement_id": sid, "txn_id": txn_id,
                "account_id": account_id(bank, s.account_ref), "account_ref": s.account_ref,
                "booking_date": ln.booking_date, "value_date": ln.value_date, "operation_date": None,
                "amount": ln.amount, "currency": "EUR", "label_raw": ln.label_raw,
                "label": " ".join(ln.label_raw.split()), "merchant": merchant, "kind": kind,
                "category": category, "category_source": cat_source, "page": ln.page, "line": ln.line})
