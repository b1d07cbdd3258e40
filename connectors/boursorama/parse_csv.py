"""Pure parser of Boursorama account-movement CSV exports (every profile of reference/boursorama.md §8).

* Encoding sniffed: BOM -> utf-8-sig; else strict UTF-8; else cp1252 (2019 exports).
* Columns mapped **by header name** (``csv_columns.json``), never by position; unknown extra columns
  are tolerated, missing required ones refused.
* Rows are newest first; several accounts may share a file; pending rows have an empty ``dateVal``.
* ``accountbalance``: exports with a ``comment`` column (2022+) give the end-of-value-date balance, shared by
  the rows of one ``dateVal``: one BalanceSnapshot per (account, dateVal). Older exports give the balance
  at export time on every row: one snapshot per account, dated on the export date (read from the file
  name ``export-operations-DD-MM-YYYY_…`` when imported, else the fetch date).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import BinaryIO, TypeVar

from connectors.artifact import ArtifactMeta
from connectors.boursorama.amounts import operation_date_from_label, parse_amount, parse_date
from connectors.errors import ParseError
from connectors.records import Account, BalanceSnapshot, ParsedBatch, Transaction

COLUMNS_FILE = Path(__file__).with_name("csv_columns.json")
_EXPORT_NAME_DATE = re.compile(r"export-operations-(\d{2})-(\d{2})-(\d{4})")
_WS = re.compile(r"\s+")
#: transactions per batch of :func:`iter_movements_csv` (~15 MB of records at a time)
CHUNK_ROWS = 20_000
_PIECE = 1 << 20  # bytes decoded at a time when checking the encoding
CACHE_MAX = 50_000  # distinct texts kept per value cache of one parse


@cache
def _columns() -> dict:
    return json.loads(COLUMNS_FILE.read_text("utf-8"))


def decode(body: bytes) -> str:
    """Text of an export: BOM -> utf-8-sig, else strict UTF-8, else cp1252 (latin-1 as a last resort,
    which never fails, for the few bytes cp1252 leaves undefined)."""
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", errors="strict")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:
            return body.decode("latin-1")


def _norm(name: str) -> str:
    return name.strip().strip('"').strip().casefold()


@dataclass(frozen=True, slots=True)
class HeaderMap:
    index: dict[str, int]      # canonical field -> column index
    width: int
    legacy_balance: bool       # balance at export time (no comment column)


def map_header(header: list[str]) -> HeaderMap | None:
    """Column index per canonical field, or None when a required field is missing."""
    cfg = _columns()
    seen: dict[str, int] = {}
    positions: dict[str, int] = {}   # "name#k" -> index
    for i, raw in enumerate(header):
        n = _norm(raw)
        seen[n] = seen.get(n, 0) + 1
        positions[f"{n}#{seen[n]}"] = i
    index: dict[str, int] = {}
    for field, aliases in cfg["fields"].items():
        for alias in aliases:
            name, _, k = alias.partition("#")
            key = f"{_norm(name)}#{k or 1}"
            if key in positions:
                index[field] = positions[key]
                break
    if any(f not in index for f in cfg["required"]):
        return None
    return HeaderMap(index=index, width=len(header), legacy_balance="comment" not in index)


def looks_like_movements_header(first_line: str) -> bool:
    """True for the header line of an account-movements export (used by sniffing)."""
    cells = next(csv.reader([first_line], delimiter=";"), [])
    return len(cells) >= 5 and map_header(cells) is not None


def refuse_header(header_line: str, file: str) -> ParseError:
    cfg = _columns()
    expected = "a Boursorama account-movements export with a ';'-separated header naming " + \
        ", ".join(cfg["fields"][f][0] for f in cfg["required"])
    shown = header_line[:160]
    for sep, name in ((",", "','"), ("\t", "a tab")):
        if sep in header_line and ";" not in header_line:
            cells = next(csv.reader([header_line], delimiter=sep), [])
            if map_header(cells) is not None:
                return ParseError(f"wrong delimiter: expected ';', found {name} (was the file re-saved by "
                                  f"a spreadsheet?)", file=file, where="line 1")
    low = {_norm(c) for c in next(csv.reader([header_line], delimiter=";"), [])}
    for marker, what in cfg["other_products"].items():
        if _norm(marker) in low:
            return ParseError(f"expected {expected}; found {what}: header {shown!r}", file=file, where="line 1")
    return ParseError(f"expected {expected}; found header {shown!r}", file=file, where="line 1")


def file_name(meta: ArtifactMeta) -> str:
    return meta.source_name or f"{meta.bank}/{meta.resource}/{meta.sha256[:12]}"


def export_date_of(meta: ArtifactMeta) -> dt.date:
    m = _EXPORT_NAME_DATE.search(meta.source_name or "")
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    return meta.fetched_at.date()


def encoding_of(body: bytes | BinaryIO) -> str:
    """The codec :func:`decode` would use, found without building the whole text: BOM -> ``utf-8-sig``; else
    ``utf-8`` if the bytes are valid UTF-8; else ``cp1252`` if valid; else ``latin-1``. A stream is read from
    its current position and left there."""
    stream = io.BytesIO(body) if isinstance(body, bytes) else body
    start = stream.tell()
    try:
        if stream.read(3) == b"\xef\xbb\xbf":
            return "utf-8-sig"
        for codec in ("utf-8", "cp1252"):
            stream.seek(start)
            dec = codecs.getincrementaldecoder(codec)("strict")
            try:
                while piece := stream.read(_PIECE):
                    dec.decode(piece)
                dec.decode(b"", final=True)
                return codec
            except UnicodeDecodeError:
                continue
        return "latin-1"
    finally:
        stream.seek(start)


def parse_movements_csv(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    """Transactions, accounts and balances of one export. Raises ParseError naming file and line."""
    batch = ParsedBatch(window_start=meta.window_start, window_end=meta.window_end)
    for part in iter_movements_csv(body, meta):
        batch.transactions.extend(part.transactions)
        batch.accounts.extend(part.accounts)
        batch.balances.extend(part.balances)
    return batch


def iter_movements_csv(body: bytes | BinaryIO, meta: ArtifactMeta,
                       chunk_rows: int = CHUNK_ROWS) -> Iterator[ParsedBatch]:
    """:func:`parse_movements_csv` in batches of at most ``chunk_rows`` transactions, in file order, without
    holding the file's bytes, its text or all its records at once (a 500k-row export is ~80 MB of bytes but
    ~1 GB of Python objects). ``body``: the bytes, or a seekable binary file at the export's first byte (read
    from there; never closed here). The last batch carries the accounts and balances. A ParseError can come
    after some batches were yielded: the consumer keeps nothing of a payload that failed."""
    file = file_name(meta)
    stream = io.BytesIO(body) if isinstance(body, bytes) else body
    enc, head_text = open_export(stream, file)
    header_line = head_text.split("\n", 1)[0].rstrip("\r")
    text = io.TextIOWrapper(stream, encoding=enc, newline="")  # decoded as it is read
    try:
        yield from _batches(text, header_line, file, meta, chunk_rows)
    finally:
        text.detach()  # the caller's file stays open


def open_export(stream: BinaryIO, file: str) -> tuple[str, str]:
    """The codec of the export at the stream's position and its first (up to) 1 MB as text; the stream is
    left where it was. Refuses an empty file and an HTML page (a login page served instead of a file)."""
    start = stream.tell()
    head_bytes = stream.read(_PIECE)
    stream.seek(start)
    if not head_bytes.strip() and _blank(stream):
        raise ParseError("empty file: expected a Boursorama CSV export", file=file)
    enc = encoding_of(stream)
    head_text = head_bytes.decode(enc, errors="replace")
    head = head_text.lstrip()[:2048].lower()
    if head.startswith("<") or "<html" in head or "<!doctype" in head:
        hint = " (the Boursorama login page: the session had expired)" if "connexion" in head else ""
        raise ParseError(f"expected a CSV export, found an HTML page{hint}", file=file, where="line 1")
    return enc, head_text


def _blank(stream: BinaryIO) -> bool:
    """Whether the stream holds nothing but ASCII whitespace from its position on (left where it was)."""
    start = stream.tell()
    try:
        while piece := stream.read(_PIECE):
            if not piece.isspace():
                return False
        return True
    finally:
        stream.seek(start)


def _batches(text: io.TextIOWrapper, header_line: str, file: str, meta: ArtifactMeta,
             chunk_rows: int) -> Iterator[ParsedBatch]:
    reader = csv.reader(text, delimiter=";", strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        """(physical line where the record starts, cells) of every record."""
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ParseError(f"broken CSV quoting ({exc}); the file looks truncated or was edited",
                                 file=file, where=f"line {start}") from None
            yield start, row

    rows = records()
    first = next(rows, None)
    hm = map_header(first[1]) if first else None
    if hm is None:
        raise refuse_header(header_line, file)
    accounts: dict[str, Account] = {}
    balances: list[BalanceSnapshot] = []  # this batch's, each (account, day) once: the first row wins
    seen: dict[str, set[dt.date]] = {}    # account -> days that have their balance (the dates cache's objects)
    export_date = export_date_of(meta)
    ix = hm.index
    # one parse per distinct text: an export repeats dates, amounts and account numbers (the caches are
    # emptied when they grow past CACHE_MAX: distinct values never fill memory)
    dates: dict[str, dt.date] = {}
    amounts: dict[str, Decimal] = {}
    refs: dict[str, str] = {}
    out: list[Transaction] = []
    for lineno, row in rows:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line (e.g. a trailing one)
        if len(row) != hm.width:
            raise ParseError(f"expected {hm.width} ';'-separated fields, found {len(row)} "
                             f"(the file looks truncated or has a stray ';')", file=file, where=f"line {lineno}")

        def cell(field: str) -> str:
            return row[ix[field]].strip() if field in ix else ""

        def fail(field: str, exc: Exception) -> ParseError:
            return ParseError(str(exc), file=file, where=f"line {lineno}, column {field}")

        try:
            booked = _cached(dates, cell("date_op"), parse_date)
        except ValueError as exc:
            raise fail("dateOp", exc) from None
        value_raw = cell("date_val")
        try:
            value_date = _cached(dates, value_raw, parse_date) if value_raw else None
        except ValueError as exc:
            raise fail("dateVal", exc) from None
        try:
            amount = _cached(amounts, cell("amount"), parse_amount)
        except ValueError as exc:
            raise fail("amount", exc) from None
        ref = _cached(refs, cell("account_num"), lambda t: _WS.sub("", t))
        if not ref:
            raise ParseError("empty account number", file=file, where=f"line {lineno}, column accountNum")
        label_raw = row[ix["label"]]
        out.append(Transaction(
            account_ref=ref, booking_date=booked, amount=amount, label_raw=label_raw,
            value_date=value_date, operation_date=operation_date_from_label(label_raw, booked),
            pending=value_date is None, bank_category=cell("category") or None))
        if ref not in accounts:
            accounts[ref] = Account(account_ref=ref, number=ref, name=cell("account_label") or None)
        bal_raw = cell("balance")
        if bal_raw and value_date is not None:
            try:
                bal = parse_amount(bal_raw)  # a running balance: hardly ever repeated
            except ValueError as exc:
                raise fail("accountbalance", exc) from None
            day = export_date if hm.legacy_balance else value_date
            days = seen.setdefault(ref, set())
            if day not in days:
                days.add(day)
                balances.append(BalanceSnapshot(account_ref=ref, date=day, balance=bal, source="csv"))
        if len(out) >= chunk_rows:
            yield ParsedBatch(transactions=out, balances=balances, window_start=meta.window_start,
                              window_end=meta.window_end)
            out, balances = [], []
    # a connector run lands the accounts page as its own artifact (names, types, balances): the CSV's
    # accountLabel would only shadow it there; for imported files it is the only name there is
    yield ParsedBatch(transactions=out, accounts=list(accounts.values()) if meta.account_ref is None else [],
                      balances=balances, window_start=meta.window_start, window_end=meta.window_end)


T = TypeVar("T")


def _cached(cache: dict[str, T], text: str, parse: Callable[[str], T]) -> T:
    """``parse(text)`` once per distinct text (the values are immutable: sharing them is safe)."""
    v = cache.get(text)
    if v is None:
        if len(cache) >= CACHE_MAX:
            cache.clear()
        v = cache[text] = parse(text)
    return v


def count_rows(body: bytes) -> int:
    """Number of data rows (for cap detection by the client); 0 for anything that is not a CSV."""
    rows = csv.reader(io.StringIO(decode(body), newline=""), delimiter=";")
    return max(0, sum(1 for row in rows if any(c.strip() for c in row)) - 1)
