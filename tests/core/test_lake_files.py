"""A payload's lake files hold exactly its rows, whichever way they are written: a small table (a daily
sync's payload) plain, a larger one with zstd (warehouse.lake.SMALL_TABLE, issue 13)."""
import datetime as dt
from decimal import Decimal

import pyarrow.parquet as pq
import pytest

from connectors.artifact import make_artifact
from connectors.records import ParsedBatch, Transaction
from pipeline.datadir import DataDir
from pipeline.normalize import normalize
from warehouse.lake import SMALL_TABLE


@pytest.mark.parametrize("n", [3, SMALL_TABLE - 1, SMALL_TABLE, 5 * SMALL_TABLE])
def test_lake_files_hold_the_rows_small_plain_larger_compressed(tmp_path, n):
    dd = DataDir(tmp_path)
    txns = [Transaction(account_ref="A1", booking_date=dt.date(2026, 10, 1) + dt.timedelta(days=i % 28),
                        amount=Decimal(f"-{i}.{i % 100:02d}"), label_raw=f"CARTE CAFE {i}") for i in range(n)]
    art = make_artifact(f"payload {n}".encode(), bank="budgea", connection="c1", kind="json",
                        resource="transactions", fetched_at=dt.datetime(2026, 11, 2, 9))
    path, _ = dd.raw.land(art)
    rows = normalize(ParsedBatch(transactions=txns), art.meta, unique_ids=False)
    written = dd.lake.write(art.meta, path, rows)
    f = pq.ParquetFile(written["transactions"])
    assert f.read().to_pylist() == rows["transactions"].to_pylist()
    assert [t.amount for t in txns] == f.read(columns=["amount"])["amount"].to_pylist()  # exact Decimals
    codec = f.metadata.row_group(0).column(0).compression
    assert codec == ("UNCOMPRESSED" if n < SMALL_TABLE else "ZSTD")
