"""Build snapshots (payloads) directly in a data dir, without a bank: for identity scenarios."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from connectors.artifact import make_artifact
from connectors.records import ParsedBatch, Statement, StatementLine, Transaction
from pipeline.normalize import normalize
from pipeline.datadir import DataDir
from pipeline.ingest import load_many

T0 = dt.datetime(2026, 11, 1, 8, 0)


def row(day: int, amount: str, label: str, *, pending: bool = False, account: str = "ACC1",
        month: int = 11) -> Transaction:
    return Transaction(account_ref=account, booking_date=dt.date(2026, month, day), amount=Decimal(amount),
                       label_raw=label, pending=pending)


def parse_snapshot(body: bytes, meta) -> ParsedBatch:
    """The parser of the payloads :func:`snapshot` writes (for ``rebuild``, which re-parses raw/)."""
    data = json.loads(body)
    *rows, start, end, _at = data
    txns = [Transaction(account_ref=meta.account_ref, booking_date=dt.date.fromisoformat(d), amount=Decimal(a),
                        label_raw=lab, pending=p) for d, a, lab, p in rows]
    return ParsedBatch(transactions=txns, window_start=dt.date.fromisoformat(start),
                       window_end=dt.date.fromisoformat(end))


def snapshot(dd: DataDir, rows: list[Transaction], *, start: dt.date, end: dt.date, at: dt.datetime,
             bank: str = "boursorama", connection: str = "c1", account: str = "ACC1") -> tuple[str, str]:
    """Land and lake one payload showing ``rows`` as the bank's complete listing of [start, end]."""
    body = json.dumps([[str(r.booking_date), str(r.amount), r.label_raw, r.pending] for r in rows]
                      + [str(start), str(end), at.isoformat()]).encode()
    art = make_artifact(body, bank=bank, connection=connection, kind="json", resource="transactions",
                        fetched_at=at, account_ref=account, window_start=start, window_end=end)
    path, _ = dd.raw.land(art)
    batch = ParsedBatch(transactions=rows, window_start=start, window_end=end)
    dd.lake.write(art.meta, path, normalize(batch, art.meta, unique_ids=False))
    return bank, art.meta.sha256


def statement(dd: DataDir, lines: list[tuple[int, int, str, str]], *, opening: str, at: dt.datetime,
              account: str = "ACC1", bank: str = "boursorama", start=None, end=None) -> tuple[str, str]:
    """A reconciled statement; lines are (month, day, amount, label)."""
    sl = tuple(StatementLine(dt.date(2026, m, d), Decimal(a), lab) for m, d, a, lab in lines)
    debits = -sum((x.amount for x in sl if x.amount < 0), Decimal(0))
    credits = sum((x.amount for x in sl if x.amount > 0), Decimal(0))
    st = Statement(account_ref=account, period_start=start or min(x.booking_date for x in sl),
                   period_end=end or max(x.booking_date for x in sl), opening_balance=Decimal(opening),
                   closing_balance=Decimal(opening) + credits - debits, total_debits=debits,
                   total_credits=credits, lines=sl)
    art = make_artifact(repr(st).encode(), bank=bank, connection="c1", kind="pdf", resource="statement",
                        fetched_at=at, account_ref=account)
    path, _ = dd.raw.land(art)
    batch = ParsedBatch(statements=[st], window_start=st.period_start, window_end=st.period_end)
    dd.lake.write(art.meta, path, normalize(batch, art.meta, unique_ids=False))
    return bank, art.meta.sha256


def load_all(dd: DataDir, items) -> None:
    with dd.open_warehouse() as wh:
        load_many(dd, wh, items)


def ledger(dd: DataDir, where: str = "true") -> list[tuple]:
    with dd.open_warehouse(read_only=True) as wh:
        return wh.query("SELECT booking_date, amount, label_raw, pending FROM marts.transactions "
                        "ORDER BY booking_date, amount, label_raw, pending").fetchall()


def links(dd: DataDir) -> list[tuple]:
    with dd.open_warehouse(read_only=True) as wh:
        return wh.query("SELECT rule, score IS NOT NULL FROM core.int_links ORDER BY rule").fetchall()
