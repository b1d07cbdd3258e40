"""`bankflow import` of one large Boursorama CSV export: rows/s and peak RSS (issue 13, item 4).

The CSV is written by the Boursorama simulator's own renderer (``connectors/boursorama/simulator/
csv_profiles.py``, profile ``p2024`` by default: UTF-8 BOM, NBSP thousands, quoted labels): the three
accounts of a 36-month simulated ledger, repeated under other account numbers until the file has
``--rows`` data rows. The import runs as a user runs it, ``python -m flows.cli import FILE`` in a new
process on a fresh data dir; its peak RSS is the child's ``ru_maxrss`` (``os.wait4``). Targets: peak RSS
< 400 MB and >= 100,000 rows/s.

    python benchmarks/bench_import.py --rows 500000 [--profile p2024] [--keep DIR]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_csv(path: Path, rows: int, profile: str) -> int:
    """Write a ``rows``-row export; returns the data rows written (the header is the profile's)."""
    from connectors.boursorama.simulator.csv_profiles import render_csv, select_rows
    from connectors.boursorama.simulator.ledger import build_ledger

    ledger = build_ledger(7, dt.date(2026, 5, 20), months=36)
    header, bodies = b"", []
    for acc in ledger.accounts:
        data = render_csv(ledger, acc, select_rows(ledger, acc, ledger.start, ledger.today, None), profile)
        head, _, body = data.partition(b"\n")
        header = head
        bodies.append((acc.number.encode(), body.split(b"\n")))
    written = 0
    with path.open("wb") as f:
        f.write(header)
        copy = 0
        while written < rows:
            for number, lines in bodies:
                # another account of the same shape: the same digits count, a copy number in the last ones
                new = number[: -6] + f"{copy:06d}".encode() if copy else number
                take = lines[: rows - written]
                f.write(b"\n" + b"\n".join(ln.replace(b";" + number + b";", b";" + new + b";") for ln in take))
                written += len(take)
                if written >= rows:
                    break
            copy += 1
    return written


def run_import(csv: Path, data_dir: Path) -> tuple[float, int, str, float]:
    """Wall time, peak RSS (bytes), output and CPU time (user + system, s: less sensitive than the wall
    time to the other processes of a shared machine) of ``bankflow import`` in a new process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "flows.cli", "import", str(csv), "--data-dir", str(data_dir),
                          "--bank", "boursorama"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                         cwd=str(ROOT))
    assert p.stdout is not None
    out = p.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"import failed ({p.returncode}):\n{out}")
    return elapsed, usage.ru_maxrss * 1024, out, usage.ru_utime + usage.ru_stime


def baseline_rss() -> int:
    """Peak RSS of a process that only imports the CLI (what every command pays before any work)."""
    p = subprocess.Popen([sys.executable, "-c", "import flows.cli, pipeline.importer"], cwd=str(ROOT),
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, _, usage = os.wait4(p.pid, 0)
    return usage.ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--profile", default="p2024")
    ap.add_argument("--keep", type=Path, help="write the CSV and the data dir here (kept)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        csv = base / f"export-operations-20-05-2026_{args.rows}.csv"
        t0 = time.perf_counter()
        n = make_csv(csv, args.rows, args.profile)
        print(f"generated {n:,} rows ({csv.stat().st_size / 1e6:.1f} MB, profile {args.profile}) "
              f"in {time.perf_counter() - t0:.1f} s")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        elapsed, rss, out, cpu = run_import(csv, base / "data")
        tail = [ln for ln in out.splitlines() if ln.strip()][-2:]
        print(f"import: {elapsed:.2f} s, {n / elapsed:,.0f} rows/s (target >= 100,000), "
              f"peak RSS {rss / 2**20:,.0f} MB (target < 400 MB), CPU {cpu:.1f} s")
        print(f"  CLI's own output: {' | '.join(tail)}")
        print(f"  peak RSS of a process that only imports the CLI: {baseline_rss() / 2**20:,.0f} MB")
        again, rss2, _, cpu2 = run_import(csv, base / "data")
        print(f"import of the same file again (nothing new): {again:.2f} s, peak RSS {rss2 / 2**20:,.0f} MB, "
              f"CPU {cpu2:.1f} s")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
