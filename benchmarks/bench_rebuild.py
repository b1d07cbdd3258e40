"""Rebuild benchmark (issue 5): N synthetic transactions through the real pipeline, stage by stage, beside
DuckDB's bare scan-and-window-dedupe of the same rows in the same run. Target: 1M rows <= 5 s (2 cores).

Starts from canonical records (``ParsedBatch`` per account-month, from ``benchmarks/synth.py``): raw bank
bytes are not parsed, as in the issue's stage list. Stages timed:

1. normalize  ``pipeline.normalize.normalize_many`` per lake part of ~250k rows, as ``bankflow rebuild``
              does it (``pipeline.rebuild.PartWriter``): identity keys in DuckDB, kind/merchant/category
              once per distinct label
2. lake       ``warehouse.lake.Lake.write_part`` (one Parquet file per part and entity)
3. open       ``Warehouse(...)``: migrations + views on an empty file
4. load       ``pipeline.ingest.load_many`` of every payload in one transaction (``loads/*.sql``),
              with the time of each load file
5. refresh    what ``bankflow rebuild`` runs last (``pipeline.edits.refresh_after_rebuild``: the user's
              edits and the category model ``bankflow categorize`` saved), timed after a model was
              trained and saved as ``bankflow categorize`` does (that training is timed apart: it is not
              part of a rebuild); reported beside the total, not in it

Bare baselines (fresh DuckDB file in the same directory, default threads):

* bare-dedupe   one Parquet of the canonical rows -> occurrence window + dedupe window -> table
* bare+ids      the same plus the pipeline's exact txn_id (sha256 of bank, account, key) in SQL;
                checked equal to the pipeline's txn_ids (evidence that identity can move into SQL)
* bare-lake     scan of the lake files the pipeline wrote + dedupe on txn_id (the file-count cost)

Run: ``python benchmarks/bench_rebuild.py --rows 1000000`` (``--profile`` for a cProfile of stages 1-2,
4 and 5, as `bankflow rebuild` runs them, on a separate run; its wall times are inflated by the profiler).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import synth  # noqa: E402
from transforms import categorize  # noqa: E402
from warehouse.db import _sql_files  # noqa: E402
from connectors.registry import all_specs  # noqa: E402
from pipeline.datadir import DataDir
from pipeline.ingest import load_many
from pipeline.rebuild import PartWriter

NORM_LABEL_SQL = "upper(strip_accents(trim(regexp_replace(label_raw, '\\s+', ' ', 'g'))))"
OCC_SQL = f"""
WITH src AS (SELECT * FROM read_parquet($f)),
occ AS (
    SELECT *, row_number() OVER (PARTITION BY raw_sha256, account_ref, pending, booking_date, amount,
                                 {NORM_LABEL_SQL}) - 1 AS occurrence
    FROM src)
"""
BARE_SQL = OCC_SQL + """
SELECT * FROM occ
QUALIFY row_number() OVER (PARTITION BY bank, account_ref, pending, booking_date, amount, label_raw, occurrence
                           ORDER BY fetched_at DESC, raw_sha256) = 1"""
IDS_SQL = OCC_SQL + f""",
keyed AS (
    SELECT *, CASE WHEN pending THEN 'p|' ELSE '' END || strftime(booking_date, '%Y-%m-%d') || '|'
              || CAST(amount AS VARCHAR) || '|' || {NORM_LABEL_SQL} || '|' || occurrence AS source_key
    FROM occ)
SELECT substr(sha256(bank || chr(31) || account_ref || chr(31) || source_key), 1, 20) AS txn_id, *
FROM keyed
QUALIFY row_number() OVER (PARTITION BY txn_id ORDER BY fetched_at DESC, raw_sha256) = 1"""
LAKE_SQL = """
SELECT * FROM read_parquet($f, union_by_name = true)
QUALIFY row_number() OVER (PARTITION BY txn_id ORDER BY source_updated_at DESC NULLS LAST, fetched_at DESC,
                           raw_sha256) = 1"""


def bare(workdir: Path, query: str, files, name: str) -> tuple[float, int]:
    db = workdir / f"{name}.duckdb"
    con = duckdb.connect(str(db))
    t = time.perf_counter()
    con.execute(f"CREATE TABLE bare AS {query}", {"f": files})
    el = time.perf_counter() - t
    n = con.execute("SELECT count(*) FROM bare").fetchone()[0]
    con.close()
    return el, n


def run(rows: int, seed: int, workdir: Path, *, refresh: bool, breakdown: bool) -> None:
    from pipeline.edits import refresh as refresh_edits
    from pipeline.edits import refresh_after_rebuild

    print(f"rebuild benchmark: {rows:,} rows requested, workdir {workdir}, {synth.loadavg()}")
    t = time.perf_counter()
    table = synth.generate(rows, seed=seed)
    batches = synth.payloads(table)
    gen = time.perf_counter() - t
    n = table.num_rows
    print(f"  generated {n:,} rows in {len(batches):,} payloads (account-months), "
          f"{len({m.account_ref for m, _ in batches})} accounts, in {gen:.1f} s (not counted)  [{synth.loadavg()}]")

    dd = DataDir(workdir / "data")
    all_specs()  # the bank modules: `bankflow rebuild` has imported them to parse (not timed here) by then
    c0 = time.process_time()
    t = time.perf_counter()
    parts = PartWriter(dd)
    for meta, batch in batches:
        parts.add(meta, synth.raw_path(meta), batch)
    parts.close()
    t_norm = parts.seconds["normalize"]
    t_lake = time.perf_counter() - t - t_norm  # the writes overlap normalizing: this is what they add
    la_py = synth.loadavg()
    cpu_py = time.process_time() - c0
    t = time.perf_counter()
    wh = dd.open_warehouse()
    t_open = time.perf_counter() - t
    names = {text: name for name, text in _sql_files("loads")}
    wh.con = synth.TimedConnection(wh.con, names)
    t, c0 = time.perf_counter(), time.process_time()
    res = load_many(dd, wh, [(m.bank, m.sha256) for m, _ in batches])
    t_load = time.perf_counter() - t
    cpu_load = time.process_time() - c0
    la_load = synth.loadavg()
    per_sql = dict(wh.con.times)
    loaded = wh.con.execute("SELECT count(*) FROM core.transactions").fetchone()[0]
    t_ref = t_train = None
    if refresh:
        t = time.perf_counter()
        trained = refresh_edits(dd.root, wh)   # `bankflow categorize`: trains and saves the model
        t_train = time.perf_counter() - t
        t = time.perf_counter()
        rr = refresh_after_rebuild(dd.root, wh)  # what `bankflow rebuild` runs: applies the saved model
        t_ref = time.perf_counter() - t
    wh.con = wh.con._con
    wh.close()
    total = t_norm + t_lake + t_open + t_load
    lake_mb = sum(p.stat().st_size for p in dd.lake.root.rglob("*.parquet")) / 1e6
    lake_files = sum(1 for _ in dd.lake.root.rglob("*.parquet"))

    # ---- bare baselines, same run
    canon = workdir / "canonical.parquet"
    t = time.perf_counter()
    pq.write_table(synth.canonical(table), canon, compression="zstd")
    t_canon = time.perf_counter() - t
    t_bare, n_bare = bare(workdir, BARE_SQL, str(canon), "bare")
    la_bare = synth.loadavg()
    t_ids, n_ids = bare(workdir, IDS_SQL, str(canon), "bare_ids")
    con = duckdb.connect(str(workdir / "bare_ids.duckdb"))
    con.execute(f"ATTACH '{dd.warehouse_path}' AS wh (READ_ONLY)")
    mismatch = con.execute("SELECT count(*) FROM bare b ANTI JOIN wh.core.transactions t USING (txn_id)").fetchone()[0]
    con.close()
    lake_txn = [str(p) for p in (dd.lake.root / "transactions").rglob("*.parquet")]
    t_blake, n_blake = bare(workdir, LAKE_SQL, lake_txn, "bare_lake")

    def line(name: str, secs: float, rows_: int, note: str = "") -> None:
        print(f"  {name:<34} {secs:8.2f} s  {rows_ / secs if secs else 0:>12,.0f} rows/s  {note}")

    print(f"\npipeline (rows in: {n:,}; inserted {res.inserted:,}; core.transactions {loaded:,})")
    line("1 normalize (identify+categorize)", t_norm, n, la_py)
    line(f"2 lake write ({parts.parts} parts, overlapped)", t_lake, n, f"{lake_files:,} files, {lake_mb:.0f} MB")
    print(f"      (cpu time of stages 1+2: {cpu_py:.2f} s vs wall {t_norm + t_lake:.2f} s)")
    line("3 open warehouse (migrate+views)", t_open, n)
    line("4 load_many (loads/*.sql, 1 txn)", t_load, n, f"cpu {cpu_load:.2f} s (all threads)  {la_load}")
    for name, secs in sorted(per_sql.items(), key=lambda kv: -kv[1]):
        if secs >= 0.005:
            print(f"      {name:<36} {secs:7.2f} s")
    line("TOTAL normalize+lake+open+load", total, n, f"target <= 5 s at 1M")
    if t_ref is not None:
        line("5 refresh (edits + saved model)", t_ref, n,
             f"{rr.model_status if rr else 'nothing to apply'}; run by `bankflow rebuild`")
        line("TOTAL incl. refresh", total + t_ref, n)
        line("  (categorize: train + save model)", t_train, n, f"{trained.model_status}; not part of rebuild")
    print("\nbare DuckDB, same rows, same run")
    print(f"  (canonical rows -> 1 Parquet: {t_canon:.2f} s, not counted)")
    line("bare-dedupe (2 windows)", t_bare, n, f"{n_bare:,} rows  {la_bare}")
    line("bare+ids (sha256 txn_id in SQL)", t_ids, n, f"{n_ids:,} rows; {mismatch} ids not in pipeline's")
    line("bare-lake (scan lake files, dedupe)", t_blake, n, f"{n_blake:,} rows from {len(lake_txn):,} files")
    print(f"\n  ratio pipeline / bare-dedupe: {total / t_bare:,.2f}x;  pipeline / bare+ids: {total / t_ids:,.2f}x")
    if t_ref is not None:
        print(f"  ratio everything `bankflow rebuild` runs (stages 1-5) / bare+ids: {(total + t_ref) / t_ids:,.2f}x"
              f"  (target <= 1.5x; issue 13 item 2)  [{synth.loadavg()}]")
    if breakdown:
        breakdown_normalize(batches)


def breakdown_normalize(batches) -> None:
    """Time the pieces of normalize_many on all rows at once, in a separate pass (cold caches)."""
    import pyarrow as pa

    from transforms.describe_bulk import describe_columns
    from pipeline.keys import transaction_key_columns
    from transforms.identify import label_forms

    txs = [tx for _m, b in batches for tx in b.transactions]
    t = time.perf_counter()
    label_raw = pa.array([tx.label_raw for tx in txs], pa.string())
    amount = pa.array([tx.amount for tx in txs], pa.decimal128(18, 2))
    cols = {"payload": [p for p, (_m, b) in enumerate(batches) for _ in b.transactions],
            "bank": [m.bank for m, b in batches for _ in b.transactions],
            "account_ref": [tx.account_ref for tx in txs], "pending": [tx.pending for tx in txs],
            "booking_date": [tx.booking_date for tx in txs], "amount": amount,
            "bank_txn_id": [None] * len(txs), "by_id": [False] * len(txs)}
    t_in = time.perf_counter() - t
    t = time.perf_counter()
    _spaced, cols["nlabel"] = label_forms(label_raw)
    t_lab = time.perf_counter() - t
    t = time.perf_counter()
    transaction_key_columns(cols)
    t_keys = time.perf_counter() - t
    categorize.clear_caches()
    t = time.perf_counter()
    describe_columns(label_raw, amount, pa.nulls(len(label_raw), pa.string()))
    t_desc = time.perf_counter() - t
    distinct = set(label_raw.to_pylist())
    masked = {categorize._mask(x) for x in distinct}
    print("\nnormalize breakdown (separate pass, all rows at once)")
    print(f"  records -> key columns (Python lists, Arrow arrays)   {t_in:6.2f} s")
    print(f"  label_forms (spaced + normalized labels, Arrow)       {t_lab:6.2f} s")
    print(f"  transaction_key_columns (DuckDB occurrence + sha256)  {t_keys:6.2f} s")
    print(f"  describe_columns, cold caches                         {t_desc:6.2f} s")
    print(f"  distinct raw labels {len(distinct):,}, distinct masked labels {len(masked):,} for {len(txs):,} rows")


def profile(rows: int, seed: int, workdir: Path) -> None:
    """cProfile of what ``bankflow rebuild`` runs, stage by stage (a separate run; times are inflated):
    normalize + lake write, load, and the refresh that applies the saved model (the model is trained
    first, as ``bankflow categorize`` does, outside the profile)."""
    from pipeline.edits import refresh as refresh_edits
    from pipeline.edits import refresh_after_rebuild

    batches = synth.payloads(synth.generate(rows, seed=seed))
    dd = DataDir(workdir / "prof")
    all_specs()  # as in run(): parsing has imported the bank modules
    stages: list[tuple[str, cProfile.Profile, float]] = []

    def timed(name, fn):
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        out = fn()
        prof.disable()
        stages.append((name, prof, time.perf_counter() - t))
        return out

    def normalize_and_write():
        parts = PartWriter(dd)
        for meta, batch in batches:
            parts.add(meta, synth.raw_path(meta), batch)
        parts.close()

    timed("normalize + lake", normalize_and_write)
    with dd.open_warehouse() as wh:
        timed("load", lambda: load_many(dd, wh, [(m.bank, m.sha256) for m, _ in batches]))
        refresh_edits(dd.root, wh)  # `bankflow categorize`: trains and saves the model (not profiled)
        timed("refresh (saved model)", lambda: refresh_after_rebuild(dd.root, wh))
    print(f"\ncProfile, {rows:,} rows, {synth.loadavg()}; wall time per stage (profiled): "
          + ", ".join(f"{n} {t:.2f} s" for n, _p, t in stages))
    for name, prof, _t in stages:
        for key in ("tottime", "cumulative"):
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(key).print_stats(25)
            print(f"\n--- {name}, sorted by {key}\n" + "\n".join(s.getvalue().splitlines()[6:]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=None, help="default: a temporary directory under /tmp")
    ap.add_argument("--keep", action="store_true", help="keep the workdir")
    ap.add_argument("--no-refresh", action="store_true", help="skip stage 5 (user_edits.refresh)")
    ap.add_argument("--no-breakdown", action="store_true")
    ap.add_argument("--profile", action="store_true", help="only a cProfile run (times inflated)")
    a = ap.parse_args()
    workdir = a.workdir or Path(tempfile.mkdtemp(prefix="bench-rebuild-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if a.profile:
            profile(a.rows, a.seed, workdir)
        else:
            run(a.rows, a.seed, workdir, refresh=not a.no_refresh, breakdown=not a.no_breakdown)
    finally:
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
