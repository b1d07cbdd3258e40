"""Pure parsers for LCL payloads: ``parse(body, meta) -> ParsedBatch`` (docs/design.md §3), dispatching on ``meta``.

* ``accounts`` (JSON of ``/api/user/accounts``): one :class:`Account` per account, ``account_ref`` = ``Account.number``
  = ``external_id`` (the number as statements print it) with spaces removed, plus a :class:`BalanceSnapshot` of the
  booked balance (``accounted_amount``; ``amount`` also holds pending rows).
* ``transactions``: the connector's envelope of pages (see :mod:`connectors.lcl.client`) or one bare page. Rows keep
  the label exactly as sent; ``is_accounted`` false means pending; LCL's ``id`` is not unique, so it is not used as
  ``bank_txn_id``. ``window_start``/``window_end`` come from the envelope's coverage.
* ``statement_list``: nothing to load (kept as raw evidence).
* kind ``pdf``: the shared statement parser (:mod:`connectors.statements`).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.accounts import account_type
from connectors.artifact import ArtifactMeta
from connectors.errors import ParseError
from connectors.labels import label_date
from connectors.records import Account, BalanceSnapshot, ParsedBatch, Transaction, money

# card payment date inside a label: "CB CARREFOUR CITY 24/08/23", "CB RETRAIT DU 24/08 LYON" (API) and
# "CB CARREFOUR CITY LE 24/08" (statements); also "CARTE 13/06/22 ..." as other French banks write it
_CARD_DATE = re.compile(r"^(?:CB|CARTE)\b.*?\b(\d\d)/(\d\d)(?:/(\d\d(?:\d\d)?))?\b")


def _file(meta: ArtifactMeta) -> str:
    return meta.source_name or meta.sha256


def _load(body: bytes, meta: ArtifactMeta) -> Any:
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"expected JSON, found undecodable bytes ({exc.__class__.__name__})", file=_file(meta),
                         where="body") from None


def _amount(value: Any, meta: ArtifactMeta, where: str) -> Decimal:
    """A JSON number (parsed as Decimal) or a numeric string; the SEED shows both as placeholders."""
    if isinstance(value, dict):
        value = value.get("value")
    try:
        if isinstance(value, bool) or value is None:
            raise TypeError
        return money(value if not isinstance(value, str) else value.replace(",", ".").strip())
    except (TypeError, ValueError, InvalidOperation):
        raise ParseError(f"expected an amount with at most two decimals, found {value!r}", file=_file(meta),
                         where=where) from None


def _date(value: Any, meta: ArtifactMeta, where: str, *, required: bool = True) -> dt.date | None:
    if value in (None, "") and not required:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ParseError(f"expected an ISO date like 2023-08-24T00:00:00.000Z, found {value!r}", file=_file(meta),
                         where=where) from None


def _bool(value: Any, meta: ArtifactMeta, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ParseError(f"expected true or false, found {value!r}", file=_file(meta), where=where)


def operation_date(label: str, booking: dt.date) -> dt.date | None:
    """Card payment date written in a label (see :func:`connectors.labels.label_date`): anything
    implausible gives None (it is label text, not a parse failure)."""
    m = _CARD_DATE.match(label)
    return label_date(int(m[1]), int(m[2]), m[3], booking) if m else None


def parse_accounts(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    data = _load(body, meta)
    rows = data.get("accounts") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise ParseError("expected an object with an 'accounts' list", file=_file(meta), where="accounts")
    batch = ParsedBatch()
    for i, a in enumerate(rows):
        where = f"accounts[{i}]"
        if not isinstance(a, dict) or not a.get("external_id"):
            raise ParseError("expected an account with an 'external_id'", file=_file(meta), where=where)
        ref = str(a["external_id"]).replace(" ", "")
        booked = a.get("accounted_amount") or a.get("amount")
        balance = _amount(booked, meta, f"{where}.accounted_amount.value") if booked else None
        when = _date(booked.get("date"), meta, f"{where}.accounted_amount.date", required=False) if booked else None
        currency = (booked or {}).get("currency") or (booked or {}).get("currenty") or "EUR"  # seed's typo
        batch.accounts.append(Account(account_ref=ref, number=ref, iban=(a.get("iban") or "").replace(" ", "") or None,
                                      name=a.get("label"), type=account_type(a.get("type")), currency=currency,
                                      balance=balance, balance_date=when))
        if balance is not None and when is not None:
            batch.balances.append(BalanceSnapshot(account_ref=ref, date=when, balance=balance, source="api"))
    return batch


def _pages(data: Any, meta: ArtifactMeta) -> list[tuple[str, list[Any]]]:
    if isinstance(data, dict) and "pages" in data:
        out = []
        for i, p in enumerate(data["pages"]):
            rows = (p.get("body") or {}).get("accountTransactions") if isinstance(p, dict) else None
            if not isinstance(rows, list):
                raise ParseError("expected a page body with an 'accountTransactions' list", file=_file(meta),
                                 where=f"pages[{i}]")
            out.append((f"pages[{i}].accountTransactions", rows))
        return out
    if isinstance(data, dict) and isinstance(data.get("accountTransactions"), list):
        return [("accountTransactions", data["accountTransactions"])]
    raise ParseError("expected an 'accountTransactions' list or a bankflow envelope with 'pages'",
                     file=_file(meta), where="body")


def parse_transactions(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    if not meta.account_ref:
        raise ParseError("transactions artifact without an account_ref", file=_file(meta), where="meta")
    data = _load(body, meta)
    batch = ParsedBatch(window_start=meta.window_start, window_end=meta.window_end)
    coverage = data.get("coverage") if isinstance(data, dict) else None
    if isinstance(coverage, dict):
        batch.window_start = _date(coverage.get("start"), meta, "coverage.start", required=False)
        batch.window_end = _date(coverage.get("end"), meta, "coverage.end", required=False)
    for where0, rows in _pages(data, meta):
        for j, r in enumerate(rows):
            where = f"{where0}[{j}]"
            if not isinstance(r, dict) or not isinstance(r.get("label"), str):
                raise ParseError("expected a transaction with a string 'label'", file=_file(meta), where=where)
            booking = _date(r.get("booking_date_time"), meta, f"{where}.booking_date_time")
            assert booking is not None
            amount = r.get("amount")
            code = r.get("movement_code_type")
            batch.transactions.append(Transaction(
                account_ref=meta.account_ref, booking_date=booking,
                amount=_amount(amount, meta, f"{where}.amount.value"), label_raw=r["label"],
                currency=(amount.get("currency") if isinstance(amount, dict) else None) or "EUR",
                value_date=_date(r.get("value_date_time"), meta, f"{where}.value_date_time", required=False),
                operation_date=operation_date(r["label"], booking),
                pending=not _bool(r.get("is_accounted", True), meta, f"{where}.is_accounted"),
                bank_type=str(code) if code not in (None, "") else None))
    return batch


def parse_statement(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    from connectors.statements import parse_statement_pdf  # the shared PDF parser

    result = parse_statement_pdf(body, source=_file(meta), account_ref=meta.account_ref)
    if isinstance(result, ParsedBatch):
        return result
    raise ParseError(f"the statement parser returned {type(result).__name__}, expected ParsedBatch",
                     file=_file(meta), where="statement")


def parse(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    """Dispatch on ``meta.kind`` / ``meta.resource``."""
    if meta.kind == "pdf":
        return parse_statement(body, meta)
    if meta.resource == "accounts":
        return parse_accounts(body, meta)
    if meta.resource == "transactions":
        return parse_transactions(body, meta)
    if meta.resource == "statement_list":
        _load(body, meta)
        return ParsedBatch()
    raise ParseError(f"unknown LCL resource {meta.resource!r} of kind {meta.kind!r}", file=_file(meta),
                     where="meta.resource")
