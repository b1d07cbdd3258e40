"""Sync of 1 connection vs 8 connections, concurrently, against Budgea simulators that wait 50 ms per
request. Prints wall times and the ratio (target, issue 13: 8 concurrent <= 1.15 x one alone daily, <= 1.3 for
a first sync).

Two cases, each through the real Prefect sync flow in this process (a warm-up run first, so Prefect's
temporary server start-up is counted in neither):

* **daily**: the scheduled case. Every connection was synced before; the bank then moves on one day
  (new rows, pending rows booking) and the sync fetches by its ``last_update`` cursor.
* **first**: a first sync that fetches each connection's whole history (about 1,700 rows each).

The simulators run in their own process (as a bank's servers would), so their work is not counted.

    python benchmarks/bench_sync_concurrency.py [--latency 0.05] [--repeat 3]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")

from pipeline.sandbox import SandboxProcess, sandbox_config


def sync(conns, data_dir: Path) -> float:
    from flows.sync import sync_flow

    text, env = sandbox_config(conns, env_prefix="BENCH")
    os.environ.update(env)
    cfg = data_dir / "bankflow.toml"
    data_dir.mkdir(parents=True, exist_ok=True)
    cfg.write_text(text)
    t0 = time.perf_counter()
    summary = asyncio.run(sync_flow(config_path=str(cfg), data_dir=str(data_dir)))
    elapsed = time.perf_counter() - t0
    assert summary["ok"], summary
    return elapsed


def fmt(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s  (runs: {', '.join(f'{x:.3f}' for x in xs)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    loads = [os.getloadavg()[0]]
    try:
        with SandboxProcess(["budgea"], knobs={"budgea": {"users": 8}},
                            common={"latency": args.latency, "seed": 1}) as sims:
            perso = [c for c in sims.connections if c.name.endswith("perso")][:8]
            assert len(perso) == 8, [c.name for c in sims.connections]
            sync(perso[:1], tmp / "warmup")
            first = {1: [], 8: []}
            for i in range(args.repeat):
                for n in (1, 8):
                    first[n].append(sync(perso[:n], tmp / f"first-{n}-{i}"))
                    loads.append(os.getloadavg()[0])
            daily = {1: [], 8: []}
            for i in range(args.repeat):
                sims.call("budgea", "advance_days", 1)
                for n in (1, 8):  # each data dir already holds the history: an incremental sync
                    daily[n].append(sync(perso[:n], tmp / f"first-{n}-0"))
                    loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Budgea simulators, {args.latency * 1000:.0f} ms per request; median of {args.repeat} runs; "
          f"{os.cpu_count()} cores; 1-minute load average during the runs {min(loads):.2f}-{max(loads):.2f}")
    for name, res, target in (("daily (incremental)", daily, 1.15), ("first (full history)", first, 1.3)):
        m1, m8 = statistics.median(res[1]), statistics.median(res[8])
        print(f"{name}:\n  1 connection : {fmt(res[1])}\n  8 connections: {fmt(res[8])}\n"
              f"  ratio 8/1    : {m8 / m1:.2f}  (target <= {target})")


if __name__ == "__main__":
    main()
