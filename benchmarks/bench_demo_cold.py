"""Wall time of `bankflow demo` as a user runs it (a new process each time), cold, warm and again, in both
of its modes:

* default: no Prefect server configured (PREFECT_API_URL unset), so the demo runs the sync's steps in its
  own process (pipeline/sync_without_prefect.py);
* ``--prefect``: the sync as the Prefect flow, on Prefect's temporary local server.

Runs: *cold* = a fresh data dir and a fresh PREFECT_HOME (Prefect creates and migrates its database);
*warm* = a fresh data dir, the PREFECT_HOME of the cold run; *again* = the warm run's data dir again
(nothing new). Targets (issue 13): cold <= 15 s; again <= 5 s. Prints the load average of each run.

    python benchmarks/bench_demo_cold.py [--repeat 2] [--modes default,prefect]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def demo(data_dir: Path, prefect_home: Path, args: list[str]) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(prefect_home)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "flows.cli", "demo", "--data-dir", str(data_dir), *args],
                       capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"demo failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return elapsed, os.getloadavg()[0]


def one_round(tmp: Path, args: list[str]) -> dict[str, tuple[float, float]]:
    return {"cold": demo(tmp / "d1", tmp / "prefect-home", args),
            "warm": demo(tmp / "d2", tmp / "prefect-home", args),
            "again": demo(tmp / "d2", tmp / "prefect-home", args)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--modes", default="default,prefect")
    a = ap.parse_args()
    modes = {"default": [], "prefect": ["--prefect"]}
    targets = {"cold": "<= 15 s", "warm": "", "again": "<= 5 s"}
    for mode in a.modes.split(","):
        runs: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": [], "again": []}
        for _ in range(a.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                for k, v in one_round(Path(tmp), modes[mode]).items():
                    runs[k].append(v)
        print(f"bankflow demo {' '.join(modes[mode]) or '(default: no Prefect server configured)'}")
        for k, xs in runs.items():
            walls = [w for w, _ in xs]
            print(f"  {k:5}  median {statistics.median(walls):5.1f} s  runs "
                  + ", ".join(f"{w:.1f} s (load {ld:.1f})" for w, ld in xs)
                  + (f"   target {targets[k]}" if targets[k] else ""))


if __name__ == "__main__":
    main()
