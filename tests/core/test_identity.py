import datetime as dt
from decimal import Decimal

from connectors.records import Transaction
from transforms.identify import normalize_label, transaction_keys

D = dt.date(2026, 11, 2)


def _t(label="CARTE 02/11/26 CAFE DE FLORE", amount="-3.50", **kw):
    return Transaction(account_ref="A1", booking_date=D, amount=Decimal(amount), label_raw=label, **kw)


def test_identical_same_day_rows_stay_distinct():
    keys = transaction_keys("b", [_t(), _t()], unique_ids=False)
    assert len({k[0] for k in keys}) == 2
    assert [k[2] for k in keys] == [0, 1]


def test_overlapping_snapshots_give_the_same_ids_and_the_max_count():
    one = transaction_keys("b", [_t()], unique_ids=False)
    two = transaction_keys("b", [_t(label="PRLV SEPA EDF", amount="-40.00"), _t(), _t()], unique_ids=False)
    union = {k[0] for k in one} | {k[0] for k in two}
    assert {k[0] for k in one} <= {k[0] for k in two}
    assert len(union) == 3  # EDF + two coffees: the larger snapshot's count wins


def test_label_normalisation_ignores_case_accents_and_spaces():
    assert normalize_label("  Prélèvement   edf ") == normalize_label("PRELEVEMENT EDF")
    a = transaction_keys("b", [_t(label="carte 02/11/26  café")], unique_ids=False)
    b = transaction_keys("b", [_t(label="CARTE 02/11/26 CAFE")], unique_ids=False)
    assert a[0][0] == b[0][0]


def test_pending_and_booked_are_different_rows_and_bank_ids_win_when_unique():
    p = transaction_keys("b", [_t(pending=True)], unique_ids=False)
    b = transaction_keys("b", [_t()], unique_ids=False)
    assert p[0][0] != b[0][0]
    x = transaction_keys("b", [_t(bank_txn_id="42"), _t(bank_txn_id="43")], unique_ids=True)
    y = transaction_keys("b", [_t(bank_txn_id="42", label="EDITED LABEL")], unique_ids=True)
    assert x[0][0] == y[0][0] and x[1][0] != x[0][0]
    # with non-unique bank ids, the content decides
    z = transaction_keys("b", [_t(bank_txn_id="42"), _t(bank_txn_id="42")], unique_ids=False)
    assert z[0][0] != z[1][0]
