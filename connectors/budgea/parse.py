"""Pure parsers for Powens API 2.0 payloads: ``parse(body, meta) -> ParsedBatch``.

Dispatch on ``meta.resource``: ``accounts`` (a ``{accounts: [...]}`` listing) or ``transactions``
(one page of ``{transactions: [...]}``, modern or legacy shape).

Field mapping (reference/budgea.md §5, §6.2): ``account_ref`` = the Powens account id (Budgea's exception to the
printed-number rule; ``Account.number`` keeps the printed number). ``label_raw`` = ``original_wording``
(falls back to ``wording`` only if the bank sent no original wording); ``label`` = ``wording`` (user
editable) or ``simplified_wording``; ``operation_date`` = ``rdate`` (or the ``CARTE dd/mm/yy`` date of
the label when rdate is missing). Amounts are numbers or strings, both read exactly as Decimal.
``deleted_at`` and ``source_updated_at`` stay naive Europe/Paris, the bank's own clock, because the
next run's ``last_update`` cursor is expressed in it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from connectors.accounts import account_type, mask_card_number
from connectors.artifact import ArtifactMeta
from connectors.errors import ParseError
from connectors.records import Account, BalanceSnapshot, ParsedBatch, Transaction, money

PARIS = ZoneInfo("Europe/Paris")
_CARD_DATE = re.compile(r"\bCARTE (\d{2})/(\d{2})/(\d{2})\b")


class _Ctx:
    def __init__(self, meta: ArtifactMeta) -> None:
        self.meta = meta
        self.file = meta.source_name or meta.sha256

    def error(self, msg: str, where: str) -> ParseError:
        return ParseError(msg, file=self.file, where=where)


def parse(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    """Parse one Budgea artifact. Raises :class:`ParseError` naming the file, row and field."""
    ctx = _Ctx(meta)
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ctx.error(f"not valid JSON ({exc})", "body") from None
    if not isinstance(data, dict):
        raise ctx.error(f"expected a JSON object, found {type(data).__name__}", "body")
    if meta.resource == "accounts":
        return _accounts(data, ctx)
    if meta.resource == "transactions":
        return _transactions(data, ctx)
    raise ctx.error(f"unknown resource {meta.resource!r}; expected 'accounts' or 'transactions'", "meta")


# ---------------------------------------------------------------------------------------------- accounts
def _accounts(data: dict[str, Any], ctx: _Ctx) -> ParsedBatch:
    rows = data.get("accounts")
    if not isinstance(rows, list):
        raise ctx.error(f"expected an 'accounts' list, found {type(rows).__name__}", "accounts")
    batch = ParsedBatch()
    for i, row in enumerate(rows):
        where = f"accounts[{i}]"
        if not isinstance(row, dict):
            raise ctx.error("expected an object", where)
        ref = str(_required(row, "id", ctx, where))
        disabled, deleted = bool(row.get("disabled")), bool(row.get("deleted"))
        balance = _amount(row.get("balance"), ctx, f"{where}.balance", required=False)
        updated = _datetime(row.get("last_update"), ctx, f"{where}.last_update")
        balance_date = updated.date() if updated else ctx.meta.fetched_at.date()
        kind = account_type(_opt_str(row.get("type")))
        number = _opt_str(row.get("number"))
        batch.accounts.append(Account(
            # Powens gives a card's full number: masked as every other bank shows it
            account_ref=ref, number=mask_card_number(number) if kind == "card" else number,
            iban=_opt_str(row.get("iban")),
            name=_opt_str(row.get("name")) or _opt_str(row.get("original_name")),
            type=kind, currency=_currency(row.get("currency")),
            balance=balance, balance_date=balance_date if balance is not None else None,
            deleted=deleted, disabled=disabled))
        if balance is not None and not disabled and not deleted:
            batch.balances.append(BalanceSnapshot(account_ref=ref, date=balance_date, balance=balance,
                                                  source="api"))
    return batch


# ---------------------------------------------------------------------------------------------- transactions
def _transactions(data: dict[str, Any], ctx: _Ctx) -> ParsedBatch:
    rows = data.get("transactions")
    if not isinstance(rows, list):
        raise ctx.error(f"expected a 'transactions' list, found {type(rows).__name__}", "transactions")
    currency = ctx.meta.extra.get("currency", "EUR") if ctx.meta.extra else "EUR"
    batch = ParsedBatch()
    for i, row in enumerate(rows):
        where = f"transactions[{i}]"
        if not isinstance(row, dict):
            raise ctx.error("expected an object", where)
        txn_id = _required(row, "id", ctx, where)
        account = row.get("id_account", ctx.meta.account_ref)
        if account is None:
            raise ctx.error("missing required field 'id_account'", f"{where}.id_account")
        booking = _date(_required(row, "date", ctx, where), ctx, f"{where}.date")
        label_raw = row.get("original_wording") or row.get("wording")
        if not isinstance(label_raw, str) or not label_raw:
            raise ctx.error("missing required field 'original_wording' (no 'wording' either)",
                            f"{where}.original_wording")
        rdate = _date(row.get("rdate"), ctx, f"{where}.rdate") if row.get("rdate") else _label_date(label_raw)
        batch.transactions.append(Transaction(
            account_ref=str(account), booking_date=booking,
            amount=_amount(_required(row, "value", ctx, where), ctx, f"{where}.value", required=True),
            label_raw=label_raw,
            label=_opt_str(row.get("wording")) or _opt_str(row.get("simplified_wording")),
            currency=currency,
            value_date=_date(row.get("vdate"), ctx, f"{where}.vdate") if row.get("vdate") else None,
            operation_date=rdate, pending=bool(row.get("coming")), bank_txn_id=str(txn_id),
            bank_category=_category(row.get("categories")), bank_type=_opt_str(row.get("type")),
            deleted_at=_datetime(row.get("deleted"), ctx, f"{where}.deleted"),
            source_updated_at=_datetime(row.get("last_update"), ctx, f"{where}.last_update")))
    return batch


# ---------------------------------------------------------------------------------------------- fields
def _required(row: dict[str, Any], name: str, ctx: _Ctx, where: str) -> Any:
    value = row.get(name)
    if value is None or value == "":
        raise ctx.error(f"missing required field {name!r}", f"{where}.{name}")
    return value


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _amount(value: Any, ctx: _Ctx, where: str, *, required: bool) -> Decimal | None:
    """A JSON number (already a Decimal thanks to ``parse_float``), an int, or a string like "-42.50"."""
    if value is None:
        if required:
            raise ctx.error("missing amount", where)
        return None
    if isinstance(value, bool):
        raise ctx.error(f"expected an amount, found {value!r}", where)
    try:
        text = value.strip().replace("\u00a0", "").replace(" ", "") if isinstance(value, str) else value
        return money(Decimal(text) if isinstance(text, str) else text)
    except (InvalidOperation, ValueError, TypeError):
        raise ctx.error(f"expected an amount with at most two decimals, found {value!r}", where) from None


def _date(value: Any, ctx: _Ctx, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ctx.error(f"expected a date YYYY-MM-DD, found {value!r}", where) from None


def _datetime(value: Any, ctx: _Ctx, where: str) -> dt.datetime | None:
    """Naive ``YYYY-MM-DD HH:MM:SS`` (Europe/Paris wall time, kept naive)."""
    if value in (None, ""):
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ctx.error(f"expected a datetime 'YYYY-MM-DD HH:MM:SS', found {value!r}", where) from None
    if parsed.tzinfo is not None:  # not what Powens sends, but keep the bank's clock if it ever does
        parsed = parsed.astimezone(PARIS).replace(tzinfo=None)
    return parsed


def _label_date(label: str) -> dt.date | None:
    m = _CARD_DATE.search(label)
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    try:
        return dt.date(2000 + year, month, day)
    except ValueError:
        return None


def _currency(value: Any) -> str:
    """Powens sends ``{id, name, symbol, precision}``; a bare code is accepted too."""
    if isinstance(value, dict) and value.get("id"):
        return str(value["id"])
    if isinstance(value, str) and value:
        return value
    return "EUR"


def _category(value: Any) -> str | None:
    if isinstance(value, list) and value and isinstance(value[0], dict) and value[0].get("code"):
        return str(value[0]["code"])
    return None
