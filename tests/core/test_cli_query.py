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
