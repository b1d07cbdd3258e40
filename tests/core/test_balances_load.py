"""The day balances a load keeps (loads/06_balances.sql, 06b_balances_upsert.sql): one per (account, day,
source); a later fetch with another balance replaces it, an earlier fetch or the same balance never does."""
import datetime as dt
from decimal import Decimal

from connectors.artifact import make_artifact
from connectors.records import BalanceSnapshot, ParsedBatch
from pipeline.datadir import DataDir
from pipeline.ingest import load
from pipeline.normalize import normalize


def _land(dd: DataDir, body: bytes, at: dt.datetime, balances: list[tuple[int, str]]) -> str:
    art = make_artifact(body, bank="budgea", connection="c1", kind="json", resource="transactions", fetched_at=at)
    path, _ = dd.raw.land(art)
    batch = ParsedBatch(balances=[BalanceSnapshot("A1", dt.date(2026, 10, day), Decimal(v), "api")
                                  for day, v in balances])
    dd.lake.write(art.meta, path, normalize(batch, art.meta, unique_ids=False))
    return art.meta.sha256


def _kept(wh) -> dict[int, tuple[str, str]]:
    rows = wh.query("SELECT date, balance, raw_sha256 FROM core.balances ORDER BY date").fetchall()
    return {d.day: (str(b), sha) for d, b, sha in rows}


def test_balances_are_upserted_by_fetch_time(tmp_path):
    dd = DataDir(tmp_path)
    t = dt.datetime(2026, 11, 2, 9)
    first = _land(dd, b"first", t, [(1, "100.00"), (2, "50.00")])
    # two payloads in one load, same days: the newest fetch gives each day's balance
    newer = _land(dd, b"newer", t + dt.timedelta(hours=2), [(2, "60.00"), (3, "70.00")])
    older = _land(dd, b"older", t + dt.timedelta(hours=1), [(2, "55.00"), (3, "65.00")])
    with dd.open_warehouse() as wh:
        load(dd, wh, "budgea", [first])
        assert _kept(wh) == {1: ("100.00", first), 2: ("50.00", first)}
        load(dd, wh, "budgea", [newer, older])
        assert _kept(wh) == {1: ("100.00", first), 2: ("60.00", newer), 3: ("70.00", newer)}
        # a later fetch with the same balance changes nothing; an earlier one with another balance neither
        same = _land(dd, b"same", t + dt.timedelta(hours=3), [(1, "100.00")])
        stale = _land(dd, b"stale", t - dt.timedelta(hours=1), [(3, "1.00")])
        load(dd, wh, "budgea", [same, stale])
        assert _kept(wh) == {1: ("100.00", first), 2: ("60.00", newer), 3: ("70.00", newer)}
        # a later fetch with another balance replaces it, and a new day is added beside it
        later = _land(dd, b"later", t + dt.timedelta(hours=4), [(1, "-12.34"), (4, "0.00")])
        load(dd, wh, "budgea", [later])
        assert _kept(wh) == {1: ("-12.34", later), 2: ("60.00", newer), 3: ("70.00", newer), 4: ("0.00", later)}
        assert wh.query("SELECT count(*) FROM core.balances").fetchone()[0] == 4
