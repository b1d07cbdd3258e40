"""Columnar kind/merchant/category (``transforms.describe_bulk.describe_columns``) against the per-row
``transforms.categorize.describe`` on the same synthetic rows, in one process.

Rows: ``synth.generate(N, seed=0)`` (labels, amounts as decimal(18,2)) plus a bank category column
(null, "Non catégorisé", Budgea codes, a free text), cycled over the rows. Both paths start with cold
caches (``categorize.clear_caches()``). Prints both times, rows/s, and checks that both give the same
four values on every row (the per-row baseline computes them all anyway, so no sample is drawn).

Run: ``python benchmarks/bench_describe_bulk.py [--rows 1000000]``
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyarrow as pa  # noqa: E402

import synth  # noqa: E402
from transforms import categorize  # noqa: E402
from transforms.describe_bulk import describe_columns  # noqa: E402

BANK_CATEGORIES = (None, None, None, "Non catégorisé", "groceries", "restaurants", "Shopping et services", "9998")
COLUMNS = ("kind", "merchant", "category", "category_source")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()

    table = synth.canonical(synth.generate(args.rows, seed=0))
    labels, amounts = table["label_raw"], table["amount"]
    n = table.num_rows
    banks = pa.array([BANK_CATEGORIES[i % len(BANK_CATEGORIES)] for i in range(n)], pa.string())
    print(f"{n} rows, {synth.loadavg()}")

    categorize.clear_caches()
    t = time.perf_counter()
    bulk = describe_columns(labels, amounts, banks)
    t_bulk = time.perf_counter() - t
    print(f"describe_columns      {t_bulk:7.2f} s   {n / t_bulk:12,.0f} rows/s   (cold caches)")
    t = time.perf_counter()
    describe_columns(labels, amounts, banks)
    t_warm = time.perf_counter() - t
    print(f"describe_columns      {t_warm:7.2f} s   {n / t_warm:12,.0f} rows/s   (again, warm merchant caches)")

    categorize.clear_caches()
    rows = list(zip(labels.to_pylist(), amounts.to_pylist(), banks.to_pylist()))
    t = time.perf_counter()
    expected = [categorize.describe(lab, amt, bank) for lab, amt, bank in rows]
    t_rows = time.perf_counter() - t
    print(f"describe() per row    {t_rows:7.2f} s   {n / t_rows:12,.0f} rows/s   (x{t_rows / t_bulk:.1f})")

    got = list(zip(*(bulk[col].to_pylist() for col in COLUMNS)))
    diff = [i for i, (g, e) in enumerate(zip(got, expected)) if g != e]
    print(f"equal on {n - len(diff)} of {n} rows")
    if diff:
        i = diff[0]
        print(f"first difference: row {i} {rows[i]!r}: describe_columns {got[i]}, describe {expected[i]}")
    print(f"{synth.loadavg()}")
    if diff:
        sys.exit(1)


if __name__ == "__main__":
    main()
