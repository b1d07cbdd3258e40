import datetime as dt
from decimal import Decimal

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from connectors.records import Transaction
from pipeline.keys import transaction_keys
from transforms.identify import label_forms, normalize_label

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


# labels with every kind of whitespace Python knows in and out of ASCII, accents, ligatures, emoji
_CHARS = st.sampled_from(list("aZé É0/*.-'\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u2003\u3000œßﬁ€😀"))


@given(st.lists(st.text(_CHARS, max_size=12), min_size=1, max_size=20))
def test_column_wise_label_forms_equal_the_python_functions(labels):
    spaced, norm = label_forms(pa.array(labels, pa.string()))
    assert spaced.to_pylist() == [" ".join(x.split()) for x in labels]
    assert norm.to_pylist() == [normalize_label(x) for x in labels]


def test_label_forms_fast_path_is_checked_against_python():
    # a label whose only difference is ASCII whitespace Python splits on but a naive \s would not (\x1c)
    spaced, norm = label_forms(pa.array(["carte\x1ccafe  ", "\x0bprlv"]))
    assert spaced.to_pylist() == ["carte cafe", "prlv"] and norm.to_pylist() == ["CARTE CAFE", "PRLV"]


def _keys_in_child(_: int) -> list:
    return transaction_keys("b", [_t(), _t()], unique_ids=False)


def test_keys_in_a_forked_worker_equal_the_parents():
    # the PDF parse pool forks after the parent has used its in-memory DuckDB: the child opens its own
    import multiprocessing as mp

    parent = transaction_keys("b", [_t(), _t()], unique_ids=False)
    with mp.get_context("fork").Pool(1) as pool:
        child = pool.map_async(_keys_in_child, [0]).get(timeout=60)[0]
    assert child == parent and len({k[0] for k in child}) == 2
