"""Golden tests on real Boursorama exports (shared/samples/boursorama, skipped without the shared dir): every
row, amount, date, account and balance."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connectors.boursorama.parse import parse, sniff_csv
from connectors.records import BalanceSnapshot
from tests.shared_samples import shared_sample

from .helpers import meta_for

D = dt.date


def _rows(batch):
    return [(t.account_ref, t.booking_date, t.value_date, t.amount, t.label_raw, t.bank_category, t.pending)
            for t in batch.transactions]


def test_2019_cp1252_export_two_accounts():
    body = shared_sample("samples/boursorama/export-2019-03_latin1.csv").read_bytes()
    # the publisher's original name carries the export date: the 2019 balance is the balance at export time
    batch = parse(body, meta_for(body, source_name="export-operations-30-03-2019_08-50-51.csv"))
    d = D(2019, 3, 12)
    assert _rows(batch) == [
        ("001234", d, d, Decimal("80.00"), "Prime Parrainage", "Virements reçus", False),
        ("001234", d, d, Decimal("300.00"), "VIR VIREMENT CREATION COMPTE", "Virements reçus", False),
        ("001234", d, d, Decimal("-10.00"), "VIR VIREMENT CREATION COMPTE", "Virements émis de comptes à comptes", False),
        ("003607", d, d, Decimal("10.00"), "VIR VIREMENT CREATION COMPTE", "Virements reçus de comptes à comptes", False),
    ]
    assert sorted(batch.balances, key=lambda b: b.account_ref) == [
        BalanceSnapshot("001234", D(2019, 3, 30), Decimal("370.00"), "csv"),
        BalanceSnapshot("003607", D(2019, 3, 30), Decimal("4810.00"), "csv"),
    ]
    assert {(a.account_ref, a.number, a.name) for a in batch.accounts} == {
        ("001234", "001234", "BOURSORAMA BANQUE"), ("003607", "003607", "COMPTE SUR LIVRET")}
    assert all(t.operation_date is None for t in batch.transactions)
    assert batch.window_start is None and batch.window_end is None
    assert sniff_csv(body, "export-2019-03_latin1.csv")


def test_2022_utf8_export_dot_balance():
    body = shared_sample("samples/boursorama/export-2022-06_utf8.csv").read_bytes()
    batch = parse(body, meta_for(body, source_name="export-2022-06_utf8.csv"))
    d = D(2021, 8, 17)
    assert _rows(batch) == [("001234", d, d, Decimal("130.00"), "Prime Parrainage", "Virements reçus", False)]
    # 2022+: end-of-value-date balance, with a dot decimal
    assert batch.balances == [BalanceSnapshot("001234", d, Decimal("226.68"), "csv")]
    assert sniff_csv(body, "whatever.csv")


def test_2022_export_with_bom_is_the_same():
    body = shared_sample("samples/boursorama/export-2022-06_utf8.csv").read_bytes()
    plain = parse(body, meta_for(body))
    bom = parse(b"\xef\xbb\xbf" + body, meta_for(b"\xef\xbb\xbf" + body))
    assert _rows(bom) == _rows(plain) and bom.balances == plain.balances
