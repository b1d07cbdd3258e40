"""The analyst surface of issue 12: one vocabulary of account types, card accounts that do not count
twice in a sum of balances, card numbers masked the same way for every bank, a coverage row for every
account (so an empty marts.coverage_gaps is never complete by omission)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connectors.accounts import TYPES, account_type, mask_card_number
from connectors.artifact import make_artifact
from connectors.records import Account, BalanceSnapshot, ParsedBatch, Transaction
from pipeline.datadir import DataDir
from pipeline.ingest import load_many
from pipeline.normalize import normalize
from tests.identity.helpers import T0, row, snapshot

D = dt.date


def test_each_banks_words_map_to_one_vocabulary() -> None:
    assert {account_type(w) for w in ("checking", "current", "joint", "CAV")} == {"checking"}
    assert {account_type(w) for w in ("savings", "saving", "ldds", "livret_a", "epargne")} == {"savings"}
    assert account_type("carte") == account_type("card") == "card"
    assert account_type("a brand new kind") == "other" and account_type(None) is None
    assert set(TYPES) >= {"checking", "savings", "card", "loan"}


def test_card_numbers_masked_like_boursorama() -> None:
    assert mask_card_number("4974411995836461") == "4974********6461"
    assert mask_card_number("4974 4119 9583 6461") == "4974********6461"
    assert mask_card_number("4979********1859") == "4979********1859"  # already masked: unchanged
    assert mask_card_number("00048558860") == "00048558860"            # an account number: unchanged


def test_budgea_card_number_is_masked_by_the_parser() -> None:
    from connectors.registry import get_spec

    body = (b'{"accounts": [{"id": 5, "id_connection": 1, "name": "Carte Visa Premier", "number": '
            b'"4974411995836461", "iban": null, "type": "card", "currency": {"id": "EUR"}, "balance": -120.5}]}')
    art = make_artifact(body, bank="budgea", connection="c", kind="json", resource="accounts", fetched_at=T0)
    acc, = get_spec("budgea").parse(art.body, art.meta).accounts
    assert (acc.number, acc.type) == ("4974********6461", "card")


def _accounts_payload(dd: DataDir, accounts: list[Account], balances: list[BalanceSnapshot]):
    art = make_artifact(repr(accounts).encode(), bank="boursorama", connection="c1", kind="json",
                        resource="accounts", fetched_at=T0)
    path, _ = dd.raw.land(art)
    dd.lake.write(art.meta, path, normalize(ParsedBatch(accounts=accounts, balances=balances), art.meta,
                                            unique_ids=False))
    return "boursorama", art.meta.sha256


def test_a_card_balance_does_not_count_in_the_total(tmp_path) -> None:
    dd = DataDir(tmp_path)
    accounts = [Account("ACC1", number="ACC1", type="checking"), Account("CARD", number="4979********1859", type="card"),
                Account("SAV", number="SAV", type="savings")]
    balances = [BalanceSnapshot("ACC1", D(2026, 11, 5), Decimal("1000.00"), "api"),
                BalanceSnapshot("CARD", D(2026, 11, 5), Decimal("-300.00"), "api"),
                BalanceSnapshot("SAV", D(2026, 11, 5), Decimal("5000.00"), "api")]
    items = [_accounts_payload(dd, accounts, balances)]
    with dd.open_warehouse() as wh:
        load_many(dd, wh, items)
        total, = wh.query("SELECT sum(balance) FROM marts.accounts").fetchone()
        card = wh.query("SELECT balance, card_outstanding, counts_in_total FROM marts.accounts "
                        "WHERE type = 'card'").fetchone()
        flags = wh.query("SELECT count(*) FROM marts.accounts WHERE counts_in_total").fetchone()[0]
    assert total == Decimal("6000.00")  # without the card's -300.00, settled from ACC1 anyway
    assert card == (None, Decimal("-300.00"), False) and flags == 2


def test_an_account_nobody_covers_has_coverage_rows_and_a_gap(tmp_path) -> None:
    """A Budgea-like account: transactions, no payload window, no statement."""
    dd = DataDir(tmp_path)
    covered = snapshot(dd, [row(3, "-5.00", "CARTE FNAC")], start=D(2026, 11, 1), end=D(2026, 11, 30), at=T0)
    body = b"no-window"
    art = make_artifact(body, bank="budgea", connection="b", kind="json", resource="transactions", fetched_at=T0)
    path, _ = dd.raw.land(art)
    txns = [Transaction("B1", D(2026, 10, 30), Decimal("-7.00"), "CB X"), Transaction("B1", D(2026, 11, 2),
                                                                                    Decimal("-8.00"), "CB Y")]
    dd.lake.write(art.meta, path, normalize(ParsedBatch(transactions=txns), art.meta, unique_ids=True))
    with dd.open_warehouse() as wh:
        load_many(dd, wh, [covered, ("budgea", art.meta.sha256)])
        cov = wh.query("SELECT month, days_in_month, days_covered_api, gap_days, first_covered FROM marts.coverage "
                       "WHERE account_number = 'B1' ORDER BY month").fetchall()
        gaps = wh.query("SELECT account_number, gap_start, gap_end, days, reason FROM marts.coverage_gaps "
                        "ORDER BY 1").fetchall()
        every = wh.query("SELECT count(DISTINCT account_id) FROM marts.coverage").fetchone()[0]
        accounts = wh.query("SELECT count(*) FROM marts.accounts").fetchone()[0]
    assert cov == [(D(2026, 10, 1), 31, 0, 2, None), (D(2026, 11, 1), 30, 0, 2, None)]
    assert gaps == [("B1", D(2026, 10, 30), D(2026, 11, 2), 4, "never covered")]
    assert every == accounts == 2
