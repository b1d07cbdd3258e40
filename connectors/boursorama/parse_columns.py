"""Column-wise parse of a Boursorama movements export: the streamed path of a large file (``bankflow import``
of years of history), giving exactly the records of :func:`~connectors.boursorama.parse_csv.iter_movements_csv`
as Arrow columns, without a Python object per row.

How it stays exact. Arrow's CSV reader splits the cells (all read as strings); each value is then either
* computed by the per-row parser's own functions, once per distinct text (dates, account numbers,
  categories, account names) or per distinct (label date, booking day) (the card date of a label), or
* computed by an Arrow kernel, only for cells of a strict shape where the kernel gives the same value
  (amounts such as ``-1 234,56`` or ``226.68``; the card date pattern on ASCII labels).
Anything else sends the whole payload to the per-row parser, the reference, which parses the unusual file or
refuses it naming the line and the field: a cell of another shape (``1.234,56 €``, a malformed amount or
date), a line Arrow cannot split (a blank line of spaces, a missing field), a cell holding ``;`` or a line
break, or a quote that does not open a cell and is followed by text (Python's ``csv`` refuses a closing quote
followed by text; Arrow would read on). Nothing is handed out before the whole payload was read, so the
fallback never duplicates anything.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from connectors.artifact import ArtifactMeta
from connectors.boursorama.amounts import operation_date_from_label, parse_date
from connectors.boursorama.parse_csv import (_WS, HeaderMap, export_date_of, file_name, iter_movements_csv,
                                             map_header, open_export)
from connectors.labels import label_date
from connectors.lake_schemas import MONEY
from connectors.records import Account, ParsedBatch

#: bytes of the file Arrow reads and converts at a time: Arrow's reader holds several blocks ahead (measured on
#: a 500k-row export: +180 MB resident with 4 MB blocks, +22 MB with 256 kB, and no slower)
BLOCK_BYTES = 256 << 10
#: rows handed to the kernels at a time (blocks are gathered up to this: fewer, larger kernel calls)
GROUP_ROWS = 32_768
CACHE_MAX = 50_000  # distinct texts kept per value cache of one parse
_PIECE = 1 << 20
# amounts an Arrow cast reads exactly as parse_amount does, once these spaces (all of which parse_amount
# drops) are removed: a sign, up to 16 digits, a comma or dot and one or two decimals
_AMOUNT_SPACES = "[ \u00a0\u202f\u2009]"
_PLAIN_AMOUNT = r"^[+-]?[0-9]{1,16}(?:[.,][0-9]{1,2})?$"
# amounts.py's card-date pattern for ASCII text: Python's \s is [\t\n\v\f\r\x1c-\x1f ] there (RE2's lacks \v
# and \x1c-\x1f), \d and \b are ASCII on ASCII text in both engines; both take the leftmost match, and the
# alternatives in the same order of preference
_LABEL_DATE_ASCII = (r"(?:^|\|[\t-\r\x1c-\x1f ]*)(?:ACHAT |PAIEMENT )?(?:CARTE|AVOIR|RETRAIT DAB)[\t-\r\x1c-\x1f ]+"
                     r"(?P<d>[0-9]{2})/?(?P<m>[0-9]{2})/(?P<y>[0-9]{2}|[0-9]{4})\b")
_LABEL_WORDS = "CARTE|AVOIR|RETRAIT DAB"  # every label the pattern matches holds one of these
_EPOCH = dt.date(1970, 1, 1)
_DAY_SHIFT = 800_000  # makes the day number of any date (from year 1) positive
_QUOTE, _SEMI, _CR, _LF = 34, 59, 13, 10


class _Irregular(Exception):
    """A line or cell this path does not vouch for: the per-row parser decides."""


def iter_movement_columns(source: bytes | BinaryIO, meta: ArtifactMeta, block_bytes: int = BLOCK_BYTES,
                          group_rows: int = GROUP_ROWS) -> Iterator[ParsedBatch]:
    """The records of :func:`iter_movements_csv` as Arrow columns, in one batch (``ParsedBatch.transaction_columns``,
    ``balance_columns`` and the accounts; the file is read in groups of ``group_rows``, the result handed out
    once). ``source``: the bytes, or a seekable binary file at the export's first byte (read from there; never
    closed here). Raises ParseError naming the file, line and field (from the per-row parser) on a malformed
    file."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    start = stream.tell()
    file = file_name(meta)
    enc, head_text = open_export(stream, file)
    try:
        hm = _header(head_text)
        if not _quotes_plain(stream):
            raise _Irregular
        batches = _read(stream, enc, hm, meta, block_bytes, group_rows)
    except _Irregular:
        stream.seek(start)
        yield from iter_movements_csv(stream, meta)
        return
    yield from batches


def _header(head_text: str) -> HeaderMap:
    """The header record as Python's csv reads it, when it is one line of known columns."""
    if "\n" not in head_text and "\r" not in head_text:
        raise _Irregular
    try:
        cells = next(csv.reader(io.StringIO(head_text, newline=""), delimiter=";", strict=True))
    except (csv.Error, StopIteration):
        raise _Irregular from None
    hm = map_header(cells)
    if hm is None or any("\n" in c or "\r" in c for c in cells):
        raise _Irregular  # refused by the per-row parser with its message
    return hm


def _quotes_plain(stream: BinaryIO) -> bool:
    """False when a quote is followed by a character other than a quote, ``;`` or a line end while the
    character before it is not ``;`` or a line end (a quote that does not open a cell). That covers every
    closing quote followed by text but one right after ``;`` or a line break inside a quoted cell (such a
    cell is caught by :func:`_check_cells`); a quote inside an unquoted cell is legal but rare. The bytes
    compared are ASCII in UTF-8, cp1252 and latin-1 alike. The stream is left where it was."""
    start = stream.tell()
    carry = b"\n"  # the file's start counts as a line start
    if stream.read(3) != b"\xef\xbb\xbf":  # a BOM is no cell's text
        stream.seek(start)
    try:
        while piece := stream.read(_PIECE):
            w = np.frombuffer(carry + piece, dtype=np.uint8)
            q = np.flatnonzero(w[1:-1] == _QUOTE) + 1  # quotes with a byte on each side in this window
            after, before = w[q + 1], w[q - 1]
            text_after = (after != _QUOTE) & (after != _SEMI) & (after != _CR) & (after != _LF)
            not_opening = (before != _SEMI) & (before != _CR) & (before != _LF)
            if np.any(text_after & not_opening):
                return False
            carry = bytes(w[-2:])  # the last byte is checked in the next window, with its successor
        return True
    finally:
        stream.seek(start)


def _read(stream: BinaryIO, enc: str, hm: HeaderMap, meta: ArtifactMeta, block_bytes: int,
          group_rows: int) -> list[ParsedBatch]:
    names = [f"c{i}" for i in range(hm.width)]
    read = pacsv.ReadOptions(block_size=block_bytes, skip_rows=1, column_names=names,
                             encoding="utf8" if enc.startswith("utf-8") else enc)  # the BOM is in the header
    parse = pacsv.ParseOptions(delimiter=";", quote_char='"', double_quote=True, escape_char=False,
                               newlines_in_values=True, ignore_empty_lines=True)
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                                   quoted_strings_can_be_null=False)
    state = _State(hm, meta)
    out: list[pa.Table] = []
    pending: list[pa.RecordBatch] = []

    def flush() -> None:
        group = pa.Table.from_batches(pending).combine_chunks().to_batches()[0]
        pending.clear()
        out.append(state.block(group))
        del group
        # the group's cells are freed: hand them back (with the C allocator's pool this trims the heap; measured
        # on a 500k-row export: ~50 MB less resident at the end of the parse)
        pa.default_memory_pool().release_unused()

    try:
        reader = pacsv.open_csv(pa.PythonFile(stream, mode="r"), read_options=read, parse_options=parse,
                                convert_options=convert)
        for block in reader:
            if block.num_rows:
                pending.append(block)
                if sum(b.num_rows for b in pending) >= group_rows:
                    flush()
        if pending:
            flush()
    except pa.ArrowException:
        raise _Irregular from None
    # one batch of single-chunk columns: normalize takes groups of whole days from anywhere in the payload, and a
    # take from 16 chunks (a string or decimal column concatenates them at each take) cost ~35 ms per group of
    # 20k rows (500k rows: ~0.9 s), the one concatenation here ~0.08 s (+~45 MB at the end of the parse)
    columns = pa.concat_tables(out).combine_chunks() if out else None
    out.clear()
    return [ParsedBatch(transaction_columns=columns, window_start=meta.window_start, window_end=meta.window_end,
                        accounts=list(state.accounts.values()) if meta.account_ref is None else [],
                        balance_columns=state.balances())]


class _State:
    """What a parse carries from group to group: accounts in order of appearance, the (account, day) pairs
    that have their balance, value caches."""

    def __init__(self, hm: HeaderMap, meta: ArtifactMeta) -> None:
        self.ix = hm.index
        self.legacy = hm.legacy_balance
        self.export_day = (export_date_of(meta) - _EPOCH).days
        self.accounts: dict[str, Account] = {}
        self.codes: dict[str, int] = {}          # account -> small int (for the balance keys)
        self.balance_keys = np.zeros(0, dtype=np.int64)  # (account, day) pairs that have their balance, sorted
        self.balance_parts: list[pa.Table] = []
        self.caches: dict[str, dict[str, Any]] = {"date": {}, "value_date": {}, "ref": {}, "category": {}}

    def cell(self, block: pa.RecordBatch, field: str) -> pa.Array:
        return block.column(self.ix[field])

    def block(self, block: pa.RecordBatch) -> pa.Table:
        _check_cells(block)
        booked = _per_distinct(self.cell(block, "date_op"), _date, pa.date32(), self.caches["date"])
        value = _per_distinct(self.cell(block, "date_val"), _value_date, pa.date32(), self.caches["value_date"])
        refs, codes = self._refs(self.cell(block, "account_num"))
        label = self.cell(block, "label")
        cols = {"account_ref": refs, "booking_date": booked, "value_date": value,
                "operation_date": _operation_dates(label, booked), "amount": _amounts(self.cell(block, "amount")),
                "label_raw": label, "pending": pc.is_null(value),
                "bank_category": (_per_distinct(self.cell(block, "category"), _stripped, pa.string(),
                                                self.caches["category"], dictionary=True)
                                  if "category" in self.ix else pa.nulls(len(label), pa.string()))}
        self._new_accounts(block, refs, codes)
        if "balance" in self.ix:
            self._balances(self.cell(block, "balance"), refs, codes, value)
        return pa.table(cols)

    def _refs(self, raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
        """The account of every row, and its code."""
        cells = pc.dictionary_encode(raw)
        cache = self.caches["ref"]
        if len(cache) >= CACHE_MAX:
            cache.clear()
        refs = [cache[t] if t in cache else cache.setdefault(t, _account_ref(t)) for t in cells.dictionary.to_pylist()]
        codes = np.array([self.codes.setdefault(r, len(self.codes)) for r in refs], dtype=np.int64)
        # dictionary-encoded: a file repeats a few account numbers (500k rows: 9 MB as strings)
        return pa.DictionaryArray.from_arrays(cells.indices, pa.array(refs, pa.string())), codes[cells.indices.to_numpy()]

    def _new_accounts(self, block: pa.RecordBatch, refs: pa.Array, codes: np.ndarray) -> None:
        _, first = np.unique(codes, return_index=True)
        names = self.cell(block, "account_label") if "account_label" in self.ix else None
        for row in sorted(first.tolist()):
            ref = refs[row].as_py()
            if ref not in self.accounts:
                name = (names[row].as_py().strip() or None) if names is not None else None
                self.accounts[ref] = Account(account_ref=ref, number=ref, name=name)

    def _balances(self, raw: pa.Array, refs: pa.Array, codes: np.ndarray, value: pa.Array) -> None:
        """Every row with a balance and a value date has its balance parsed (a malformed one refuses the
        file, as in the per-row parser); the first row per (account, day) in the file gives the day's balance."""
        rows = pc.indices_nonzero(pc.and_(pc.not_equal(raw, ""), pc.is_valid(value))).to_numpy()
        if not len(rows):
            return
        amounts = _amounts(raw.take(rows))
        days = (np.full(len(rows), self.export_day, dtype=np.int64) if self.legacy
                else value.take(rows).cast(pa.int32()).to_numpy().astype(np.int64))
        keys = codes[rows] * (1 << 32) + (days + (1 << 31))
        uniq, first = np.unique(keys, return_index=True)
        seen = self.balance_keys
        at = np.searchsorted(seen, uniq)  # where each key is, or would go, in the sorted keys seen so far
        inside = at < len(seen)
        new = np.ones(len(uniq), bool)
        new[inside] = seen[at[inside]] != uniq[inside]
        pick = np.sort(first[new])
        self.balance_keys = np.insert(seen, at[new], uniq[new])  # stays sorted (uniq is)
        self.balance_parts.append(pa.table({
            "account_ref": refs.take(rows[pick]).cast(pa.string()), "date": pa.array(days[pick].astype(np.int32)).cast(pa.date32()),
            "balance": amounts.take(pick)}))

    def balances(self) -> pa.Table:
        """The day balances in file order (the row that first gave each)."""
        t = (pa.concat_tables(self.balance_parts) if self.balance_parts else pa.table({
            "account_ref": pa.array([], pa.string()), "date": pa.array([], pa.date32()), "balance": pa.array([], MONEY)}))
        return t.append_column("source", pa.array(["csv"] * t.num_rows, pa.string()))


def _check_cells(block: pa.RecordBatch) -> None:
    """No cell holds ``;`` or a line break (a quoted one, or a quote Arrow read differently from Python's
    csv: see :func:`_quotes_plain`), and none exceeds Python csv's field limit (the per-row parser refuses it)."""
    limit = csv.field_size_limit()
    for c in block.columns:
        if not len(c):
            continue
        # the cells' bytes in one piece (a string array's data buffer between its first and last offsets): the
        # three bytes are ASCII, so never part of another character in UTF-8, cp1252 or latin-1
        offsets = np.frombuffer(c.buffers()[1], dtype=np.int32)[c.offset:c.offset + len(c) + 1]
        data = c.buffers()[2]
        text = b"" if data is None else data.slice(int(offsets[0]), int(offsets[-1] - offsets[0])).to_pybytes()
        if any(ch in text for ch in (b";", b"\n", b"\r")):
            raise _Irregular
        # a cell's length in characters is at most its length in bytes: counted only when that could pass the limit
        if np.diff(offsets).max() > limit and pc.max(pc.utf8_length(c)).as_py() > limit:
            raise _Irregular


def _per_distinct(arr: pa.Array, fn: Callable[[str], Any], typ: pa.DataType, cache: dict[str, Any],
                  dictionary: bool = False) -> pa.Array:
    """``fn`` of every cell, called once per distinct text (an export repeats dates, accounts, categories);
    ``cache`` keeps the results from group to group (emptied past CACHE_MAX: the values are immutable).
    ``dictionary``: the result dictionary-encoded (a None result is a null row, never a null value)."""
    codes = pc.dictionary_encode(arr)
    if len(cache) >= CACHE_MAX:
        cache.clear()
    values = [cache[s] if s in cache else cache.setdefault(s, fn(s)) for s in codes.dictionary.to_pylist()]
    if not dictionary:
        return pa.array(values, typ).take(codes.indices)
    indices = codes.indices.to_numpy()
    missing = np.array([v is None for v in values], dtype=bool)[indices]
    return pa.DictionaryArray.from_arrays(pa.array(indices, mask=missing),
                                          pa.array(["" if v is None else v for v in values], typ))


def _date(text: str) -> dt.date:
    try:
        return parse_date(text.strip())
    except ValueError:
        raise _Irregular from None


def _value_date(text: str) -> dt.date | None:
    return _date(text) if text.strip() else None


def _account_ref(text: str) -> str:
    ref = _WS.sub("", text.strip())
    if not ref:
        raise _Irregular
    return ref


def _stripped(text: str) -> str | None:
    return text.strip() or None


def _amounts(raw: pa.Array) -> pa.Array:
    """``parse_amount`` of every cell as ``decimal128(18, 2)``, by an Arrow cast for the cells of the plain
    shape (the cast is exact: Arrow refuses a value it would have to round), else the per-row parser."""
    plain = pc.replace_substring_regex(raw, _AMOUNT_SPACES, "")
    if not pc.all(pc.match_substring_regex(plain, _PLAIN_AMOUNT), min_count=0).as_py():
        raise _Irregular
    return pc.cast(pc.replace_substring(plain, ",", "."), MONEY)


def _operation_dates(label: pa.Array, booked: pa.Array) -> pa.Array:
    """``operation_date_from_label`` of every row: the pattern by RE2 on ASCII labels, the date resolved by
    ``label_date`` once per distinct (day, month, year, booking day); a non-ASCII label that may hold a card
    date goes through the per-row function itself (Python's \\s, \\d and \\b are Unicode there)."""
    n = len(label)
    days = np.zeros(n, dtype=np.int32)
    found = np.zeros(n, dtype=bool)
    maybe = pc.fill_null(pc.match_substring_regex(label, _LABEL_WORDS), False)
    booked_days = booked.cast(pa.int32()).to_numpy(zero_copy_only=False)
    fast = pc.and_(maybe, pc.string_is_ascii(label))
    rows = pc.indices_nonzero(fast).to_numpy()
    if len(rows):
        parts = pc.extract_regex(label.take(rows), _LABEL_DATE_ASCII)
        matched = parts.is_valid().to_numpy(zero_copy_only=False)
        rows, parts = rows[matched], parts.filter(pa.array(matched))
        if len(rows):
            year = parts.field("y")
            # one int64 per (booking day, day, month, year, year's width): all small non-negative numbers
            key = (((((booked_days[rows].astype(np.int64) + _DAY_SHIFT) * 100 + _ints(parts.field("d"))) * 100
                     + _ints(parts.field("m"))) * 10_000 + _ints(year)) * 2
                   + (pc.utf8_length(year).to_numpy(zero_copy_only=False) == 4))
            combos, inverse = np.unique(key, return_inverse=True)
            resolved = [_resolve(k) for k in combos.tolist()]
            ok = np.array([r is not None for r in resolved])[inverse]
            got = np.array([(r - _EPOCH).days if r else 0 for r in resolved], dtype=np.int32)[inverse]
            days[rows[ok]], found[rows[ok]] = got[ok], True
    slow = pc.indices_nonzero(pc.and_(maybe, pc.invert(pc.string_is_ascii(label)))).to_numpy()
    for i in slow.tolist():
        r = operation_date_from_label(label[i].as_py(), _EPOCH + dt.timedelta(days=int(booked_days[i])))
        if r is not None:
            days[i], found[i] = (r - _EPOCH).days, True
    return pa.array(days, mask=~found).cast(pa.date32())


def _resolve(key: int) -> dt.date | None:
    """``label_date`` of one key of :func:`_operation_dates`."""
    key, four = divmod(key, 2)
    key, year = divmod(key, 10_000)
    key, month = divmod(key, 100)
    booked, day = divmod(key, 100)
    return label_date(day, month, f"{year:0{4 if four else 2}d}", _EPOCH + dt.timedelta(days=booked - _DAY_SHIFT))


def _ints(arr: pa.Array) -> np.ndarray:
    return pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
