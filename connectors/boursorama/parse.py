"""``parse(body, meta) -> ParsedBatch``: the pure entry point for every Boursorama artifact.

Dispatch:
* kind ``csv`` (resource ``transactions``, or any imported file): account-movement export
  (:mod:`connectors.boursorama.parse_csv`);
* kind ``html``, resource ``accounts``: the dashboard accounts fragment. The dashboard does not print
  account numbers, so the client records the key -> number map it read from the statements filter in
  ``meta.extra["account_numbers"]`` (JSON; numbers are not secrets);
* kind ``pdf``, resource ``statement``: handed to :func:`connectors.statements.parse_statement_pdf`.
"""
from __future__ import annotations

import json

from connectors.accounts import account_type
from connectors.artifact import ArtifactMeta
from connectors.boursorama.pages import parse_accounts_fragment
from collections.abc import Iterator
from typing import BinaryIO

from connectors.boursorama.parse_columns import iter_movement_columns
from connectors.boursorama.parse_csv import decode, file_name, looks_like_movements_header, parse_movements_csv
from connectors.errors import ParseError
from connectors.records import Account, ParsedBatch


def parse(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    if meta.kind == "csv":
        return parse_movements_csv(body, meta)
    if meta.kind == "html" and meta.resource == "accounts":
        return parse_accounts(body, meta)
    if meta.kind == "pdf":
        return parse_statement(body, meta)
    raise ParseError(f"no Boursorama parser for kind {meta.kind!r} / resource {meta.resource!r}",
                     file=file_name(meta))


def parse_chunks(source: bytes | BinaryIO, meta: ArtifactMeta) -> Iterator[ParsedBatch]:
    """:func:`parse` in batches: a CSV export streamed and read column-wise (a user's export can hold years of
    rows: :mod:`connectors.boursorama.parse_columns`), any other payload in one batch."""
    if meta.kind == "csv":
        return iter_movement_columns(source, meta)
    return iter([parse(source if isinstance(source, bytes) else source.read(), meta)])


def parse_accounts(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    file = file_name(meta)
    html = body.decode("utf-8", errors="replace")
    items = parse_accounts_fragment(html)
    if not items:
        raise ParseError("expected the accounts list (links to /compte/<type>/<32-hex key>/), found none",
                         file=file)
    try:
        numbers: dict[str, str] = json.loads(meta.extra.get("account_numbers") or "{}")
    except json.JSONDecodeError:
        raise ParseError("meta.extra account_numbers is not JSON", file=file, where="meta") from None
    accounts = []
    for it in items:
        number = numbers.get(it.key)
        # without a printed number the key is the only stable reference (reference/boursorama.md §5)
        accounts.append(Account(account_ref=number or it.key, number=number, name=it.label, type=account_type(it.type),
                                balance=it.balance,
                                balance_date=meta.fetched_at.date() if it.balance is not None else None))
    return ParsedBatch(accounts=accounts)


def parse_statement(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    file = file_name(meta)
    if not body.startswith(b"%PDF"):
        raise ParseError("expected a PDF statement (bytes starting with %PDF)", file=file)
    try:
        from connectors.statements import parse_statement_pdf
    except ImportError:
        raise ParseError("PDF statement parsing is not available (connectors.statements missing)",
                         file=file) from None
    return parse_statement_pdf(body, source=file, account_ref=meta.account_ref)


def sniff_csv(body: bytes, filename: str) -> bool:
    """Is this file a Boursorama account-movements export? (for ``bankflow import``). Never raises."""
    try:
        if not filename.lower().endswith((".csv", ".txt")) and b";" not in body[:512]:
            return False
        first = decode(body[:4096]).split("\n", 1)[0].rstrip("\r")
        return looks_like_movements_header(first)
    except Exception:
        return False
