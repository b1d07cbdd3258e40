"""Incremental-load benchmark (issue 5): 1k new rows into a large warehouse (default 10M rows), through
the real pipeline, beside DuckDB's bare scan-and-window-dedupe of the same 1k rows. Target: <= 1 s, with
no rewrite of old rows.

SETUP (not the pipeline, said so in the output): a synthetic ledger of up to 1M canonical rows
(``benchmarks/synth.py``) is written to Parquet, replicated under other account numbers up to
``--rows``, and INSERTed directly into ``core.transactions``, ``core.transaction_sightings``,
``core.raw_files`` and ``core.accounts`` by SQL that computes the pipeline's exact ``txn_id`` (checked:
a re-fetched old payload inserts nothing) and takes kind/merchant/category from ``describe()`` run once
per distinct label. The old rows' lake files are not written (a load reads only its own payloads' files).

MEASURED, ``--runs`` times (median reported), each on a fresh ``Warehouse`` open:

* open      ``DataDir.open_warehouse()`` (migrations check + views), as every sync does
* step      the real pipeline for 10 payloads (10 accounts x ~100 rows of a new month = 1,000 rows):
            ``normalize`` + ``Lake.write`` + ``load_many`` (one transaction), per load file
* overlap   (``--overlap``) the same, plus the previous month of those accounts fetched again (a sync
            window that overlaps what is loaded): those rows must come out 'same', not rewritten
* bare      DuckDB alone: the same 1k canonical rows from one Parquet, occurrence + dedupe windows,
            anti-join on the 10M-row table's txn_id, INSERT (what the load must at least do)
* queries   on ``marts.transactions`` for one account (users feel these)

No-rewrite check: count and ``sum(hash(row))`` of the old rows before and after (rows whose raw_sha256
is a new payload's are excluded after, so a rewritten old row would change the figures), and
``LoadResult.updated == 0``.

Run: ``python benchmarks/bench_incremental.py --rows 10000000 [--overlap] [--keep NEW_DIR]``
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import synth  # noqa: E402
from bench_rebuild import IDS_SQL  # noqa: E402
from transforms.categorize import describe  # noqa: E402
from pipeline.normalize import normalize
from warehouse.db import _sql_files  # noqa: E402

from pipeline.datadir import DataDir
from pipeline.ingest import load_many

START, MONTHS = dt.date(2023, 1, 1), 36
CHECKSUM = ("SELECT count(*), sum(hash(t)) FROM core.transactions t "
            "WHERE raw_sha256 NOT IN (SELECT unnest($new::VARCHAR[]))")


def setup(dd: DataDir, rows: int, seed: int) -> dict:
    """Fill the warehouse with ``rows`` transactions by direct SQL (see module doc)."""
    base_n = min(rows, 1_000_000)
    reps = math.ceil(rows / base_n)
    t = time.perf_counter()
    table = synth.generate(base_n, months=MONTHS, start=START, seed=seed)
    n_acc = len(set(table["account_ref"].to_pylist()))
    canon = dd.root / "setup_canonical.parquet"
    dd.root.mkdir(parents=True, exist_ok=True)
    pq.write_table(synth.canonical(table), canon)
    # kind/merchant/category once per distinct (label, sign): describe() depends on nothing else
    lab = pa.table({"label_raw": table["label_raw"], "debit": pc.less(table["amount_cents"], 0)})
    distinct = lab.group_by(["label_raw", "debit"]).aggregate([]).to_pydict()
    described = [describe(lr, Decimal(-1) if d else Decimal(1), None)
                 for lr, d in zip(distinct["label_raw"], distinct["debit"])]
    desc = pa.table({**distinct, "kind": [x[0] for x in described], "merchant": [x[1] for x in described],
                     "category": [x[2] for x in described], "category_source": [x[3] for x in described]})
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    with dd.open_warehouse() as wh:
        con = wh.con
        con.register("describe_tbl", desc)
        con.execute(f"CREATE TEMP TABLE base AS {IDS_SQL}", {"f": str(canon)})
        con.execute("CREATE TEMP TABLE reps AS SELECT range AS r FROM range($n)", {"n": reps})
        # replica r: other account numbers (as synth.account_ref would give), other payload hashes
        con.execute("""
CREATE TEMP TABLE allrows AS
WITH x AS (
SELECT CASE WHEN r = 0 THEN account_ref
            ELSE lpad(CAST(CAST(account_ref AS BIGINT) + r * $nacc * 7919 AS VARCHAR), 11, '0') END AS account_ref,
       CASE WHEN r = 0 THEN raw_sha256 ELSE sha256(raw_sha256 || r) END AS raw_sha256,
       b.* EXCLUDE (account_ref, raw_sha256, txn_id), r
FROM base b, reps)
SELECT substr(sha256(bank || chr(31) || account_ref || chr(31) || source_key), 1, 20) AS txn_id,
       substr(sha256(bank || chr(31) || account_ref), 1, 16) AS account_id, *
FROM x""", {"nacc": n_acc})
        con.execute("BEGIN TRANSACTION")
        con.execute("""
INSERT INTO core.transactions
SELECT txn_id, account_id, bank, bank || '-synth', account_ref, source_key,
       occurrence, 'api', booking_date, NULL, operation_date, amount, 'EUR', a.label_raw, a.label_raw,
       d.merchant, d.kind, d.category, d.category_source, pending, NULL, NULL, NULL, NULL, NULL, fetched_at, raw_sha256
FROM allrows a JOIN describe_tbl d ON d.label_raw = a.label_raw AND d.debit = (a.amount < 0)""")
        con.execute("""
INSERT INTO core.transaction_sightings
SELECT txn_id, raw_sha256, 'api', fetched_at FROM allrows""")
        con.execute("""
INSERT INTO core.raw_files
SELECT raw_sha256, any_value(bank), any_value(bank) || '-synth', 'json', 'transactions', any_value(account_ref),
       'raw/setup', any_value(fetched_at), any_value(window_start), any_value(window_end), NULL, count(*),
       any_value(fetched_at)
FROM allrows GROUP BY raw_sha256""")
        con.execute("""
INSERT INTO core.accounts
SELECT any_value(account_id), any_value(bank),
       any_value(bank) || '-synth', account_ref, account_ref, NULL, NULL, NULL, 'EUR', NULL, NULL, false, false,
       max(fetched_at), any_value(raw_sha256)
FROM allrows GROUP BY account_ref""")
        con.execute("COMMIT")
        # the identity results (migration 005) of every account, as a rebuild computes them
        t_derived = time.perf_counter()
        wh.recompute_derived()
        print(f"SETUP derived tables (core.ledger ...) for all accounts: {time.perf_counter() - t_derived:.1f} s")
        con.execute("CHECKPOINT")
        n = con.execute("SELECT count(*) FROM core.transactions").fetchone()[0]
    t_sql = time.perf_counter() - t
    size = dd.warehouse_path.stat().st_size / 1e9
    print(f"SETUP (direct SQL, not the pipeline): {n:,} rows in core.transactions (+ as many sightings), "
          f"{reps} replica(s) of a {base_n:,}-row synthetic ledger ({n_acc} accounts x {MONTHS} months); "
          f"generate+describe {t_gen:.1f} s, SQL insert {t_sql:.1f} s; file {size:.2f} GB  [{synth.loadavg()}]")
    return {"table": table, "n": n, "n_acc": n_acc}


def new_payloads(run: int, seed: int, overlap: pa.Table | None):
    """10 accounts x ~100 rows of month 36 + run (after the ledger), optionally with a re-fetch."""
    month = synth.month_start(START, MONTHS + run)
    table = synth.generate(1000, months=1, start=month, seed=seed + 1000 + run, accounts=10)
    items = synth.payloads(table)
    if overlap is not None:
        at = dt.datetime.combine(month, dt.time(7)) + dt.timedelta(days=run)
        for meta, batch in synth.payloads(overlap):  # same content, a new fetch (new sha, later fetched_at)
            items.append((replace(meta, sha256=synth.payload_sha(meta.bank, meta.account_ref, month, 99 + run),
                                  fetched_at=at), batch))
    return table, items


def step(dd: DataDir, wh, items) -> tuple[float, float, float, object]:
    t0 = time.perf_counter()
    outs = [(m, normalize(b, m, unique_ids=False)) for m, b in items]
    t1 = time.perf_counter()
    for m, out in outs:
        dd.lake.write(m, synth.raw_path(m), out)
    t2 = time.perf_counter()
    res = load_many(dd, wh, [(m.bank, m.sha256) for m, _ in items])
    return t1 - t0, t2 - t1, time.perf_counter() - t2, res


def bare_new(dd: DataDir, table: pa.Table) -> float:
    """DuckDB alone on the same 1k rows: windows + anti-join on the big table + insert, then rolled back."""
    f = dd.root / "bare_new.parquet"
    pq.write_table(synth.canonical(table), f)
    con = duckdb.connect(str(dd.warehouse_path))
    t = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    con.execute(f"CREATE TEMP TABLE nb AS {IDS_SQL}", {"f": str(f)})
    con.execute("""INSERT INTO core.transactions
SELECT txn_id, substr(sha256(bank || chr(31) || account_ref), 1, 16), bank, bank || '-synth', account_ref,
       source_key, occurrence, 'api', booking_date, NULL, operation_date, amount, 'EUR', label_raw, label_raw,
       NULL, NULL, NULL, 'none', pending, NULL, NULL, NULL, NULL, NULL, fetched_at, raw_sha256
FROM nb ANTI JOIN core.transactions USING (txn_id)""")
    el = time.perf_counter() - t
    con.execute("ROLLBACK")
    con.close()
    return el


def timed_query(wh, text: str, params: list, timeout: float) -> float | None:
    """Best of two runs of a query, or None if the first run exceeds ``timeout`` (then interrupted)."""
    best = None
    for _ in range(2):
        timer = threading.Timer(timeout, wh.con.interrupt)
        timer.start()
        t = time.perf_counter()
        try:
            wh.query(text, params).fetchall()
        except duckdb.InterruptException:
            return None
        finally:
            timer.cancel()
        el = time.perf_counter() - t
        best = el if best is None else min(best, el)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--overlap", action="store_true", help="also re-fetch the previous month of the 10 accounts")
    ap.add_argument("--query-timeout", type=float, default=180.0, help="interrupt a marts query after this")
    ap.add_argument("--setup-only", action="store_true", help="build the warehouse (with --keep) and stop")
    ap.add_argument("--keep", type=Path, default=None, help="build the warehouse in this (new) directory and keep it")
    a = ap.parse_args()
    root = a.keep or Path(tempfile.mkdtemp(prefix="bench-incr-"))
    dd = DataDir(root)
    try:
        info = setup(dd, a.rows, a.seed)
        if a.setup_only:
            return
        table = info["table"]
        # the previous month of accounts 0-9 (replica 0), for the overlap variant
        prev = table.filter(pc.and_(pc.less(pc.cast(table["account_ref"], pa.int64()), int(synth.account_ref(10))),
                                    pc.equal(table["month_start"], pa.scalar(synth.month_start(START, MONTHS - 1)))))
        con = duckdb.connect(str(dd.warehouse_path), read_only=True)
        before = con.execute(CHECKSUM, {"new": []}).fetchone()
        con.close()
        names = {text: name for name, text in _sql_files("loads")}
        rec: dict[str, list[float]] = {}
        new_shas: list[str] = []
        for run in range(a.runs):
            for variant in ("new", "overlap") if a.overlap else ("new",):
                tab, items = new_payloads(run * 2 + (variant == "overlap"), a.seed,
                                          prev if variant == "overlap" else None)
                t = time.perf_counter()
                wh = dd.open_warehouse()
                t_open = time.perf_counter() - t
                wh.con = synth.TimedConnection(wh.con, names)
                t_norm, t_lake, t_load, res = step(dd, wh, items)
                per_sql = dict(wh.con.times)
                wh.con = wh.con._con
                wh.close()
                new_shas += [m.sha256 for m, _ in items]
                assert res.inserted == tab.num_rows and res.updated == 0, (variant, res, tab.num_rows)
                total = t_norm + t_lake + t_load
                for k, v in {"open": t_open, "normalize": t_norm, "lake": t_lake, "load": t_load, "step": total,
                             **{f"  {n}": s for n, s in per_sql.items()}}.items():
                    rec.setdefault(f"{variant}:{k}", []).append(v)
                print(f"  run {run + 1} {variant:<7} rows in {sum(len(b.transactions) for _, b in items):>5} "
                      f"inserted {res.inserted} updated {res.updated}: open {t_open:.2f} s, normalize {t_norm:.3f}, "
                      f"lake {t_lake:.3f}, load {t_load:.2f} -> step {total:.2f} s  [{synth.loadavg()}]")
        con = duckdb.connect(str(dd.warehouse_path), read_only=True)
        after = con.execute(CHECKSUM, {"new": new_shas}).fetchone()
        con.close()
        bare = [bare_new(dd, new_payloads(100 + r, a.seed, None)[0]) for r in range(a.runs)]
        # queries users feel
        t = time.perf_counter()
        wh = dd.open_warehouse(read_only=True)
        t_ro = time.perf_counter() - t
        acc_id = wh.query("SELECT account_id FROM core.accounts ORDER BY account_ref LIMIT 1").fetchone()[0]
        q = {}
        for name, text in (
                ("count+sum, 1 account", "SELECT count(*), sum(amount) FROM marts.transactions WHERE account_id = ?"),
                ("latest 50 rows, 1 account", "SELECT booking_date, label, amount, category FROM marts.transactions "
                                              "WHERE account_id = ? ORDER BY booking_date DESC LIMIT 50"),
                ("core.transactions, 1 account", "SELECT count(*), sum(amount) FROM core.transactions WHERE account_id = ?")):
            q[name] = timed_query(wh, text, [acc_id], a.query_timeout)
        wh.close()

        print(f"\nincremental load into {info['n']:,} rows, median of {a.runs} (min-max)")
        for k, v in rec.items():
            if k.split(":")[1].startswith("  ") and statistics.median(v) < 0.005:
                continue
            print(f"  {k:<42} {statistics.median(v):7.3f} s  ({min(v):.3f}-{max(v):.3f})")
        med = statistics.median(rec["new:step"])
        print(f"  => 1,000 new rows: {med:.2f} s = {1000 / med:,.0f} rows/s (target <= 1 s); "
              f"with open: {med + statistics.median(rec['new:open']):.2f} s")
        print(f"  bare DuckDB (same 1k rows: windows + anti-join on the big table + insert): "
              f"median {statistics.median(bare):.3f} s; ratio {med / statistics.median(bare):,.0f}x")
        ok = before == after
        print(f"  no rewrite of old rows: before {before[0]:,} rows / checksum {before[1]}; after (excluding new "
              f"payloads) {after[0]:,} / {after[1]} -> {'OK' if ok else 'REWRITTEN'}; every run updated 0")
        print(f"  open read-only (no views): {t_ro:.2f} s")
        for k, v in q.items():
            print(f"  query {k:<36} " + (f"{v:7.2f} s" if v is not None else f"> {a.query_timeout:.0f} s (interrupted)"))
        print(f"  [{synth.loadavg()}]")
    finally:
        if a.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
