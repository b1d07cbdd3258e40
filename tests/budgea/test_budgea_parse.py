"""Pure parser: Powens JSON -> canonical records, exact amounts, ParseError naming file, row and field."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from connectors.artifact import make_artifact
from connectors.budgea import parse
from connectors.errors import ParseError

ACCOUNTS = {"accounts": [
    {"id": 17, "id_connection": 7, "name": "Compte chèque", "number": "3002900000",
     "iban": "FR7613104837940530029000001", "type": "checking", "balance": 7481.01,
     "currency": {"id": "EUR", "symbol": "€", "precision": 2}, "last_update": "2015-07-04 15:17:30",
     "deleted": None, "disabled": None},
    {"id": 18, "id_connection": 7, "name": "LDDS", "number": None, "iban": None, "type": "ldds",
     "balance": None, "currency": {"id": "EUR"}, "last_update": None, "deleted": None,
     "disabled": "2015-07-04 15:17:30"},
]}

ROW = {"id": 309, "id_account": 17, "date": "2015-06-18", "rdate": "2015-06-17", "vdate": "2015-06-18",
       "value": -16.22, "type": "card", "original_wording": "FACTURE CB HALL'S BEER",
       "simplified_wording": "HALL'S BEER", "wording": "HALL'S BEER", "coming": False,
       "last_update": "2015-07-04 15:17:30", "deleted": None,
       "categories": [{"code": "bars", "parent_code": "food_and_restaurants"}]}


def _art(obj, resource="transactions", **meta):
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return make_artifact(body, bank="budgea", connection="budgea-perso", kind="json", resource=resource,
                         account_ref="17", **meta)


def _parse(obj, resource="transactions", **meta):
    art = _art(obj, resource, **meta)
    return parse(art.body, art.meta)


def test_accounts_and_balances():
    batch = _parse(ACCOUNTS, "accounts")
    first, second = batch.accounts
    assert (first.account_ref, first.number, first.iban, first.type, first.currency) == \
        ("17", "3002900000", "FR7613104837940530029000001", "checking", "EUR")
    assert first.balance == Decimal("7481.01") and first.balance_date == dt.date(2015, 7, 4)
    assert second.disabled and second.type == "savings" and second.balance is None  # Powens "ldds", one vocabulary
    assert [(b.account_ref, b.balance, b.source) for b in batch.balances] == [("17", Decimal("7481.01"), "api")]


def test_transaction_fields():
    (t,) = _parse({"transactions": [ROW]}).transactions
    assert t.bank_txn_id == "309" and t.account_ref == "17"
    assert (t.booking_date, t.value_date, t.operation_date) == \
        (dt.date(2015, 6, 18), dt.date(2015, 6, 18), dt.date(2015, 6, 17))
    assert t.amount == Decimal("-16.22") and isinstance(t.amount, Decimal)
    assert t.label_raw == "FACTURE CB HALL'S BEER" and t.label == "HALL'S BEER"
    assert t.bank_category == "bars" and t.bank_type == "card" and not t.pending
    assert t.source_updated_at == dt.datetime(2015, 7, 4, 15, 17, 30) and t.deleted_at is None


@pytest.mark.parametrize("value,expected", [
    ("-42.50", "-42.50"), ("1234.1", "1234.10"), (-0.1, "-0.10"), (12, "12.00"), ("0.07", "0.07"),
    (123456789.99, "123456789.99"),
])
def test_amounts_numbers_or_strings_are_exact(value, expected):
    (t,) = _parse({"transactions": [{**ROW, "value": value}]}).transactions
    assert str(t.amount) == expected


def test_pending_deleted_unknown_type_and_label_date_fallback():
    row = {**ROW, "coming": True, "deleted": "2026-11-10 09:12:00", "type": "brand_new_kind",
           "rdate": None, "original_wording": "CARTE 13/06/22 CARREFOUR CITY PARIS", "wording": "",
           "categories": []}
    (t,) = _parse({"transactions": [row], "_links": {"next": None}}).transactions
    assert t.pending and t.deleted_at == dt.datetime(2026, 11, 10, 9, 12)
    assert t.bank_type == "brand_new_kind" and t.bank_category is None
    assert t.operation_date == dt.date(2022, 6, 13) and t.label == "HALL'S BEER"


def test_missing_field_names_row_and_field():
    rows = [ROW, {k: v for k, v in ROW.items() if k != "date"}]
    with pytest.raises(ParseError) as err:
        _parse({"transactions": rows}, source_name="page-3.json")
    assert "page-3.json" in str(err.value) and "transactions[1].date" in str(err.value)
    assert "'date'" in str(err.value)


@pytest.mark.parametrize("payload,where", [
    ({"transactions": [{**ROW, "value": "12.345"}]}, "transactions[0].value"),
    ({"transactions": [{**ROW, "value": "abc"}]}, "transactions[0].value"),
    ({"transactions": [{**ROW, "date": "18/06/2015"}]}, "transactions[0].date"),
    ({"transactions": [{**ROW, "original_wording": None, "wording": None}]}, "transactions[0].original_wording"),
    ({"transactions": {"oops": 1}}, "transactions"),
    (b"{not json", "body"),
])
def test_bad_payloads_raise_parse_error(payload, where):
    art = _art(payload)
    with pytest.raises(ParseError) as err:
        parse(art.body, art.meta)
    assert where in str(err.value) and art.meta.sha256 in str(err.value)


def test_unknown_resource_is_refused():
    with pytest.raises(ParseError, match="unknown resource"):
        _parse({"x": []}, "investments")
