"""`bankflow query` prints money exactly (DECIMAL, never through floats) in every format."""
import datetime as dt
import json
from decimal import Decimal

from typer.testing import CliRunner

from connectors.artifact import make_artifact
from connectors.records import ParsedBatch, Transaction
from flows.cli import app
from pipeline.normalize import normalize
from pipeline.datadir import DataDir
from pipeline.ingest import load


def test_query_prints_exact_amounts(tmp_path):
    dd = DataDir(tmp_path)
    art = make_artifact(b"x", bank="budgea", connection="c", kind="json", resource="transactions",
                        fetched_at=dt.datetime(2026, 11, 2))
    path, _ = dd.raw.land(art)
    batch = ParsedBatch(transactions=[Transaction(account_ref="A", booking_date=dt.date(2026, 11, 1),
                                                  amount=Decimal("6122.50"), label_raw="VIR SALAIRE")])
    dd.lake.write(art.meta, path, normalize(batch, art.meta, unique_ids=False))
    with dd.open_warehouse() as wh:
        load(dd, wh, "budgea", [art.meta.sha256])
    cli = CliRunner()
    q = "SELECT sum(amount) AS total FROM marts.transactions"
    assert "6122.50" in cli.invoke(app, ["query", q, "--data-dir", str(tmp_path)]).output
    assert cli.invoke(app, ["query", q, "--data-dir", str(tmp_path), "--format", "csv"]).output.splitlines() == ["total", "6122.50"]
    assert json.loads(cli.invoke(app, ["query", q, "--data-dir", str(tmp_path), "--format", "json"]).output) == [{"total": "6122.50"}]
    bad = cli.invoke(app, ["query", "SELECT nope FROM marts.transactions", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 2 and "query failed" in bad.output


def test_query_writes_exact_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    dd = DataDir(tmp_path)
    art = make_artifact(b"y", bank="budgea", connection="c", kind="json", resource="transactions",
                        fetched_at=dt.datetime(2026, 11, 2))
    path, _ = dd.raw.land(art)
    batch = ParsedBatch(transactions=[Transaction(account_ref="A", booking_date=dt.date(2026, 11, 1),
                                                  amount=Decimal(a), label_raw=f"ROW {a}") for a in ("0.10", "0.20")])
    dd.lake.write(art.meta, path, normalize(batch, art.meta, unique_ids=False))
    with dd.open_warehouse() as wh:
        load(dd, wh, "budgea", [art.meta.sha256])
    out = tmp_path / "rows.parquet"
    cli = CliRunner()
    res = cli.invoke(app, ["query", "SELECT amount FROM marts.transactions", "--data-dir", str(tmp_path),
                           "--format", "parquet", "--output", str(out)])
    assert res.exit_code == 0, res.output
    table = pq.read_table(out)
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert sum(table["amount"].to_pylist()) == Decimal("0.30")      # 0.1 + 0.2 in floats is not 0.3
    missing = cli.invoke(app, ["query", "SELECT 1", "--data-dir", str(tmp_path), "--format", "parquet"])
    assert missing.exit_code == 2 and "--output" in missing.output
