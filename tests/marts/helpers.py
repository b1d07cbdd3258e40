"""Hand-built payloads for the mart tests: transactions, balances and statements written straight into
a data dir's raw/ and lake (no bank), then loaded like any sync would."""
from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal

from connectors.artifact import make_artifact
from connectors.records import BalanceSnapshot, ParsedBatch, Statement, StatementLine, Transaction
from pipeline.normalize import normalize
from pipeline.datadir import DataDir
from pipeline.ingest import load_many

D = dt.date
AT = dt.datetime(2026, 12, 1, 8, 0)
_seq = itertools.count()


def tx(day: dt.date, amount: str, label: str, *, pending: bool = False, account: str = "ACC1") -> Transaction:
    return Transaction(account_ref=account, booking_date=day, amount=Decimal(amount), label_raw=label, pending=pending)


def _write(dd: DataDir, batch: ParsedBatch, *, kind: str, resource: str, account: str,
           at: dt.datetime, bank: str = "boursorama") -> tuple[str, str]:
    # the body only has to be unique per payload: the lake rows come from ``batch``
    body = json.dumps({"n": next(_seq), "resource": resource, "account": account}).encode()
    art = make_artifact(body, bank=bank, connection="c1", kind=kind, resource=resource, fetched_at=at,
                        account_ref=account, window_start=batch.window_start, window_end=batch.window_end)
    path, _ = dd.raw.land(art)
    dd.lake.write(art.meta, path, normalize(batch, art.meta, unique_ids=False))
    return bank, art.meta.sha256


def snapshot(dd: DataDir, rows: list[Transaction], *, start: dt.date, end: dt.date, account: str = "ACC1",
             at: dt.datetime = AT) -> tuple[str, str]:
    """One API payload listing ``rows`` as the complete listing of [start, end]."""
    return _write(dd, ParsedBatch(transactions=rows, window_start=start, window_end=end), kind="json",
                  resource="transactions", account=account, at=at)


def balances(dd: DataDir, figures: list[tuple[dt.date, str, str]], *, account: str = "ACC1",
             at: dt.datetime = AT) -> tuple[str, str]:
    """Bank-reported balances: (date, balance, source) with source api|csv|statement."""
    snaps = [BalanceSnapshot(account_ref=account, date=d, balance=Decimal(b), source=s) for d, b, s in figures]
    return _write(dd, ParsedBatch(balances=snaps), kind="json", resource="balances", account=account, at=at)


def statement(dd: DataDir, lines: list[tuple[dt.date, str, str]], *, start: dt.date, end: dt.date,
              opening: str = "0.00", account: str = "ACC1", at: dt.datetime = AT) -> tuple[str, str]:
    """A statement of [start, end] with lines (date, amount, label)."""
    sl = tuple(StatementLine(d, Decimal(a), lab) for d, a, lab in lines)
    debits = -sum((x.amount for x in sl if x.amount < 0), Decimal(0))
    credits = sum((x.amount for x in sl if x.amount > 0), Decimal(0))
    st = Statement(account_ref=account, period_start=start, period_end=end, opening_balance=Decimal(opening),
                   closing_balance=Decimal(opening) + credits - debits, total_debits=debits,
                   total_credits=credits, lines=sl)
    return _write(dd, ParsedBatch(statements=[st], window_start=start, window_end=end), kind="pdf",
                  resource="statement", account=account, at=at)


def load(dd: DataDir, items) -> None:
    with dd.open_warehouse() as wh:
        load_many(dd, wh, items)


def rows(dd: DataDir, text: str, params=None) -> list[tuple]:
    with dd.open_warehouse(read_only=True) as wh:
        return wh.query(text, params).fetchall()


def dicts(dd: DataDir, text: str, params=None) -> list[dict]:
    with dd.open_warehouse(read_only=True) as wh:
        cur = wh.query(text, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
