"""Every CSV format profile the simulator renders parses back to its ledger (pure, no network)."""
from __future__ import annotations

import collections
import datetime as dt
from decimal import Decimal

import pytest

from connectors.boursorama.amounts import operation_date_from_label, parse_amount
from connectors.boursorama.parse import parse, sniff_csv
from connectors.boursorama.simulator.csv_profiles import PROFILES, render_csv, select_rows
from connectors.boursorama.simulator.ledger import build_ledger

from .helpers import meta_for

TODAY = dt.date(2026, 3, 20)
LEDGER = build_ledger(seed=5, today=TODAY, months=3)


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("acc_index", [0, 2])
def test_profile_round_trip(profile: str, acc_index: int):
    acc = LEDGER.accounts[acc_index]
    start, end = TODAY - dt.timedelta(days=60), TODAY
    rows = select_rows(LEDGER, acc, start, end, None)
    body = render_csv(LEDGER, acc, rows, profile)
    assert sniff_csv(body, "export.csv")
    batch = parse(body, meta_for(body, window_start=start, window_end=end))
    assert (batch.window_start, batch.window_end) == (start, end)
    got = [(t.account_ref, t.booking_date, t.amount, t.label_raw, t.pending) for t in batch.transactions]
    want = [(acc.number, r.shown_date(TODAY), r.amount, r.label if r.booked(TODAY) else r.pending_label,
             not r.booked(TODAY)) for r in rows]
    assert got == want
    booked = [t for t in batch.transactions if not t.pending]
    if profile in ("p2018", "p2019", "p2020"):  # balance at export time, one per account
        assert [(b.account_ref, b.balance) for b in batch.balances] == [(acc.number, LEDGER.balance(acc.number))]
    else:  # end-of-value-date balance, one per (account, dateVal)
        assert {b.date for b in batch.balances} == {t.value_date for t in booked}
        for b in batch.balances:
            assert b.balance == LEDGER.balance(acc.number, b.date)


def test_card_account_has_pending_identical_rows_and_card_dates():
    acc = LEDGER.accounts[2]
    rows = select_rows(LEDGER, acc, LEDGER.start, TODAY, None)
    body = render_csv(LEDGER, acc, rows, "p2024")
    batch = parse(body, meta_for(body))
    pending = [t for t in batch.transactions if t.pending]
    assert pending and all(t.value_date is None and not t.label_raw.startswith("CARTE") for t in pending)
    keys = collections.Counter((t.booking_date, t.amount, t.label_raw) for t in batch.transactions if not t.pending)
    assert any(n >= 2 for n in keys.values()), "identical same-day rows must stay separate rows"
    card = [t for t in batch.transactions if t.label_raw.startswith("CARTE ")]
    assert card and all(t.operation_date is not None and t.operation_date <= t.booking_date for t in card)


def test_pending_row_books_later_with_a_new_label():
    later = build_ledger(seed=5, today=TODAY + dt.timedelta(days=4), months=3)
    acc = LEDGER.accounts[2]
    pending = [t for t in LEDGER.visible(acc.number) if not t.booked(TODAY)]
    assert pending
    for t in pending:
        twin = next(x for x in later.txns if x.account == t.account and x.op_date == t.op_date and x.seq == t.seq)
        assert twin.booked(later.today) and twin.label != t.pending_label and twin.amount == t.amount


def test_thousands_and_two_decimal_conventions_in_one_row():
    # p2019 writes "4 810,00" balances; p2022+ mixes comma amounts and dot balances
    assert parse_amount('1 718,70') == Decimal("1718.70")
    assert parse_amount("-1\u00a0234,56") == Decimal("-1234.56")
    assert parse_amount("-1\u202f234,56") == Decimal("-1234.56")
    assert parse_amount("226.68") == Decimal("226.68")
    assert parse_amount("1.234,56") == Decimal("1234.56")
    assert parse_amount("1,234.56") == Decimal("1234.56")
    assert parse_amount("\u2212 94\u202f959,82\u00a0€") == Decimal("-94959.82")
    for bad in ("", "abc", "1,2,3", "12.345"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_operation_date_from_labels():
    d = dt.date
    assert operation_date_from_label("CARTE 13/06/22 VELIB METROPOLE 2 CB*0000", d(2022, 6, 15)) == d(2022, 6, 13)
    assert operation_date_from_label("CARTE 31/12/24 SNCF", d(2025, 1, 2)) == d(2024, 12, 31)
    assert operation_date_from_label("RETRAIT DAB 1306/22 PARIS", d(2022, 6, 14)) == d(2022, 6, 13)
    assert operation_date_from_label("Velib | CARTE 13/06/22 VELIB", d(2022, 6, 15)) == d(2022, 6, 13)
    assert operation_date_from_label("PRLV SEPA EDF", d(2022, 6, 15)) is None
