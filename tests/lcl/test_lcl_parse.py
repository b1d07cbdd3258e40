"""Unit tests of the pure LCL parsers on hand-written payloads shaped like the reference's examples."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from connectors.artifact import make_artifact
from connectors.errors import ParseError
from connectors.lcl.parse import operation_date, parse

ACCOUNTS = {
    "total": "1234.56", "show_aggregate_account": False, "code_aggregation": "X",
    "accounts": [{"type": "current", "internal_id": "ABC", "external_id": "01234 567890A", "label": "Compte de dépôts",
                  "iban": "FR76 3000 2012 3400 0056 7890 A42",
                  "amount": {"value": 1200.10, "currency": "EUR", "date": "2023-08-25T22:45:46.892+0200"},
                  "accounted_amount": {"value": "1234.56", "currenty": "EUR",
                                       "date": "2023-08-25T22:45:46.892+0200"}}],
}


def _row(label: str, value: object, day: str = "2023-08-24", accounted: object = True, **extra: object) -> dict:
    return {"id": "1", "label": label, "booking_date_time": f"{day}T00:00:00.000Z",
            "value_date_time": f"{day}T00:00:00.000Z", "amount": {"value": value, "currency": "EUR"},
            "is_accounted": accounted, **extra}


def _art(data: object, resource: str, **meta: object):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return make_artifact(body, bank="lcl", connection="lcl-demo", kind="json", resource=resource, **meta)


def _parse(data: object, resource: str, **meta: object):
    a = _art(data, resource, **meta)
    return parse(a.body, a.meta)


def test_accounts_give_the_printed_number_without_spaces_and_the_booked_balance() -> None:
    batch = _parse(ACCOUNTS, "accounts")
    (acc,) = batch.accounts
    assert acc.account_ref == acc.number == "01234567890A"
    assert acc.iban == "FR7630002012340000567890A42" and acc.name == "Compte de dépôts"
    assert acc.balance == Decimal("1234.56") and acc.balance_date == dt.date(2023, 8, 25)
    (bal,) = batch.balances
    assert (bal.account_ref, bal.balance, bal.source) == ("01234567890A", Decimal("1234.56"), "api")


def test_transactions_keep_labels_exact_amounts_exact_and_pending_from_is_accounted() -> None:
    raw = (b'{"isFailover": false, "accountTransactions": ['
           b'{"id": "7", "label": "CB CARREFOUR CITY  24/08/23 ", "booking_date_time": "2023-08-25T00:00:00.000Z",'
           b' "amount": {"value": -5.30, "currency": "EUR"}, "is_accounted": true, "movement_code_type": 948},'
           b'{"id": "7", "label": "Operation Carte", "booking_date_time": "2023-08-26T00:00:00.000Z",'
           b' "amount": {"value": -0.1, "currency": "EUR"}, "is_accounted": "false"}]}')
    batch = _parse(raw, "transactions", account_ref="01234567890A")
    booked, pending = batch.transactions
    assert booked.label_raw == "CB CARREFOUR CITY  24/08/23 "
    assert booked.amount == Decimal("-5.30") and isinstance(booked.amount, Decimal)
    assert booked.operation_date == dt.date(2023, 8, 24) and booked.bank_type == "948"
    assert not booked.pending and pending.pending and pending.amount == Decimal("-0.10")
    assert booked.bank_txn_id is None, "LCL ids are not unique: never an identity key"


def test_envelope_pages_and_coverage_become_the_batch_window() -> None:
    page = json.dumps({"isFailover": False, "accountTransactions": [_row("PRLV SEPA EDF", "-60.00")]}).encode()
    body = (b'{"bankflow_envelope":1,"internal_id":"ABC","coverage":{"start":"2023-06-01","end":"2023-08-30",'
            b'"stop":"history_gate"},"pages":[{"range":"0-99","body":' + page + b'},{"range":"100-149","body":'
            + page + b"}]}")
    batch = _parse(body, "transactions", account_ref="X1")
    assert len(batch.transactions) == 2 and batch.transactions[0].amount == Decimal("-60.00")
    assert (batch.window_start, batch.window_end) == (dt.date(2023, 6, 1), dt.date(2023, 8, 30))


@pytest.mark.parametrize("label,booking,expected", [
    ("CB MONOPRIX PARIS 11 30/12/23", dt.date(2024, 1, 2), dt.date(2023, 12, 30)),
    ("CB RETRAIT DU 28/12 LYON", dt.date(2024, 1, 3), dt.date(2023, 12, 28)),   # no year: the one before booking
    ("CB PICARD SURGELES LE 03/01", dt.date(2024, 1, 4), dt.date(2024, 1, 3)),  # statement style
    ("CARTE 13/06/22 CARREFOUR CITY PARIS", dt.date(2022, 6, 14), dt.date(2022, 6, 13)),
    ("CB FNAC 31/02/24", dt.date(2024, 3, 2), None),          # not a date: label text, not an error
    ("VIR SEPA RECU /DE ACME 12/03/24", dt.date(2024, 3, 12), None),  # not a card row
    ("CB SNCF 01/01/20", dt.date(2024, 3, 2), None),          # too far from the booking date
])
def test_operation_date_from_card_labels(label: str, booking: dt.date, expected: dt.date | None) -> None:
    assert operation_date(label, booking) == expected


def test_a_bad_amount_is_a_parse_error_naming_file_and_field() -> None:
    data = {"accountTransactions": [_row("A", "-1.00"), _row("B", "douze")]}
    a = _art(data, "transactions", account_ref="X1", source_name="lcl_page.json")
    with pytest.raises(ParseError) as err:
        parse(a.body, a.meta)
    assert err.value.file == "lcl_page.json" and err.value.where == "accountTransactions[1].amount.value"
    assert "douze" in str(err.value)


@pytest.mark.parametrize("data,resource,meta,where", [
    ({"accountTransactions": [_row("A", "-1.005")]}, "transactions", {"account_ref": "X"},
     "accountTransactions[0].amount.value"),
    ({"accountTransactions": [_row("A", "-1.00", day="24/08/2023")]}, "transactions", {"account_ref": "X"},
     "accountTransactions[0].booking_date_time"),
    ({"accountTransactions": [_row("A", "-1.00", accounted="maybe")]}, "transactions", {"account_ref": "X"},
     "accountTransactions[0].is_accounted"),
    ({"accountTransactions": []}, "transactions", {}, "meta"),
    ({"elements": []}, "transactions", {"account_ref": "X"}, "body"),
    (b"<html>maintenance</html>", "accounts", {}, "body"),
    ({"accounts": [{"label": "sans numero"}]}, "accounts", {}, "accounts[0]"),
    ({}, "loans", {}, "meta.resource"),
])
def test_malformed_payloads_are_parse_errors_saying_where(data: object, resource: str, meta: dict,
                                                          where: str) -> None:
    with pytest.raises(ParseError) as err:
        _parse(data, resource, **meta)
    assert err.value.where == where and err.value.file


def test_a_statement_list_loads_nothing() -> None:
    batch = _parse([{"datprddoccli": "2020-12-02", "downloadToken": "t"}], "statement_list")
    assert not (batch.accounts or batch.transactions or batch.statements)


def test_a_pdf_that_is_not_a_statement_is_a_parse_error() -> None:
    a = make_artifact(b"%PDF-1.4 broken", bank="lcl", connection="lcl-demo", kind="pdf", resource="statement",
                      account_ref="X1", source_name="releve.pdf")
    with pytest.raises(ParseError) as err:
        parse(a.body, a.meta)
    assert "releve.pdf" in str(err.value)
