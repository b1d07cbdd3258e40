"""One load of many payloads keeps, per key, the version loading them one by one keeps, read from the right
lake file and row: ``loads/01_stage.sql`` stages only keys, the action and where the kept version lies in the
lake; ``02``/``02b``/``05`` read the other columns from there (issue 13)."""
import datetime as dt
from decimal import Decimal

from connectors.artifact import make_artifact
from connectors.records import Account, ParsedBatch, Transaction
from pipeline.datadir import DataDir
from pipeline.ingest import load, load_many
from pipeline.normalize import normalize

#: every column of core.transactions but the load's own time (none: rows carry their payload's lineage)
ROWS = "SELECT * FROM core.transactions ORDER BY txn_id"
ACCOUNTS = "SELECT account_id, bank, connection, account_ref, currency, fetched_at, raw_sha256 FROM core.accounts"


def _land(dd: DataDir, hour: int, txns: list[Transaction], *, accounts=()) -> str:
    art = make_artifact(f"payload {hour}".encode(), bank="budgea", connection="c1", kind="json",
                        resource="transactions", fetched_at=dt.datetime(2026, 11, 2, hour))
    path, _ = dd.raw.land(art)
    dd.lake.write(art.meta, path, normalize(ParsedBatch(accounts=list(accounts), transactions=txns), art.meta,
                                            unique_ids=True))  # the key is bank_txn_id
    return art.meta.sha256


def _t(key: str, amount: str, label: str, *, updated: int | None = None, ref: str = "A1") -> Transaction:
    return Transaction(account_ref=ref, booking_date=dt.date(2026, 10, 1), amount=Decimal(amount),
                       label_raw=label, bank_txn_id=key, bank_category=f"cat {label}",
                       source_updated_at=dt.datetime(2026, 10, 1, updated) if updated else None)


def _payloads(dd: DataDir) -> list[str]:
    """Three fetches of one account: key k1 changes at the second fetch and stays (its kept version is the
    second payload's, at another row than in the others), k2 changes back and forth, k3 has a server
    version that goes up, k4 is seen once, in the last payload, at its last row; account B2 only there."""
    return [
        _land(dd, 9, [_t("k1", "-3.50", "CAFE A"), _t("k2", "-1.00", "BUS"), _t("k3", "-7.00", "EDF", updated=1)],
              accounts=[Account(account_ref="A1", number="0001", name="Courant")]),
        _land(dd, 10, [_t("k2", "-1.00", "BUS 2"), _t("k3", "-7.10", "EDF", updated=2), _t("k1", "-4.00", "CAFE B")]),
        _land(dd, 11, [_t("k3", "-7.10", "EDF", updated=2), _t("k1", "-4.00", "CAFE B"), _t("k2", "-1.00", "BUS"),
                       _t("k4", "12.00", "VIR", ref="B2")]),
    ]


def _tables(dd: DataDir, shas: list[str], *, one_by_one: bool) -> tuple[list, list, int]:
    with dd.open_warehouse() as wh:
        if one_by_one:
            updated = sum(load(dd, wh, "budgea", [s]).updated for s in shas)
        else:
            updated = load_many(dd, wh, [("budgea", s) for s in shas]).updated
        return _rows(wh), sorted(wh.query(ACCOUNTS).fetchall()), updated


def _rows(wh) -> list[dict]:
    cur = wh.query(ROWS)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def test_one_load_of_many_payloads_keeps_the_versions_of_loading_them_one_by_one(tmp_path):
    one = DataDir(tmp_path / "one")
    shas = _payloads(one)
    rows, accounts, updated = _tables(one, shas, one_by_one=False)
    seq = DataDir(tmp_path / "seq")
    assert _payloads(seq) == shas
    rows_seq, accounts_seq, updated_seq = _tables(seq, shas, one_by_one=True)

    assert rows == rows_seq
    assert accounts == accounts_seq
    assert (updated, updated_seq) == (0, 4)  # one load inserts the kept versions; one by one: k1, k2 twice, k3
    by_label = {r["label_raw"]: r for r in rows}
    assert sorted(by_label) == ["BUS", "CAFE B", "EDF", "VIR"]
    # the kept version's own columns, from its payload: the first sighting of the newest content
    cafe = by_label["CAFE B"]
    assert (cafe["amount"], cafe["bank_category"], cafe["raw_sha256"]) == (Decimal("-4.00"), "cat CAFE B", shas[1])
    assert by_label["BUS"]["raw_sha256"] == shas[2] and by_label["EDF"]["raw_sha256"] == shas[1]
    assert (by_label["VIR"]["amount"], by_label["VIR"]["raw_sha256"]) == (Decimal("12.00"), shas[2])
    assert sorted(a[3] for a in accounts) == ["A1", "B2"]  # B2 known only from its transaction (05)


def test_a_load_updates_a_row_from_the_lake_row_of_its_new_version(tmp_path):
    """The update path (``02b``): a later load's new version replaces every column of the row."""
    dd = DataDir(tmp_path)
    shas = _payloads(dd)
    with dd.open_warehouse() as wh:
        load(dd, wh, "budgea", shas[:1])
        r = load_many(dd, wh, [("budgea", s) for s in shas[1:]])
        rows = {row["label_raw"]: row for row in _rows(wh)}
    # k1 and k3 updated (from the second payload), k4 inserted (from the third), k2's newest content is the
    # row's own (BUS, fetched first): the same row, not rewritten
    assert (r.inserted, r.updated) == (1, 2)
    assert sorted(rows) == ["BUS", "CAFE B", "EDF", "VIR"]
    cafe, edf = rows["CAFE B"], rows["EDF"]
    assert (cafe["amount"], cafe["bank_category"], cafe["raw_sha256"]) == (Decimal("-4.00"), "cat CAFE B", shas[1])
    assert (edf["amount"], edf["source_updated_at"], edf["raw_sha256"]) == (
        Decimal("-7.10"), dt.datetime(2026, 10, 1, 2), shas[1])
    assert rows["BUS"]["raw_sha256"] == shas[0] and rows["VIR"]["raw_sha256"] == shas[2]
