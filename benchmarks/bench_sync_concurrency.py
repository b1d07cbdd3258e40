"""Sync of 1 connection vs 8 connections, concurrently, against Budgea simulators that wait 50 ms per
request. Prints wall times and the ratio (target: 8 concurrent <= 1.15 x one alone).

Runs the real Prefect sync flow in this process (a warm-up run first, so Prefect's temporary server
start-up is not counted in either figure). Each measured run syncs into a fresh data dir.

    python benchmarks/bench_sync_concurrency.py [--latency 0.05] [--repeat 3]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")

from flows.sandbox import SandboxSet, sandbox_config  # noqa: E402


def run_once(conns, tmp: Path, tag: str) -> float:
    from flows.sync import sync_flow

    text, env = sandbox_config(conns, env_prefix="BENCH")
    os.environ.update(env)
    d = Path(tempfile.mkdtemp(prefix=f"{tag}-", dir=tmp))
    cfg = d / "bankflow.toml"
    cfg.write_text(text)
    t0 = time.perf_counter()
    summary = asyncio.run(sync_flow(config_path=str(cfg), data_dir=str(d)))
    elapsed = time.perf_counter() - t0
    assert summary["ok"], summary
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with SandboxSet(["budgea"], knobs={"budgea": {"users": 8}}, common={"latency": args.latency, "seed": 1}) as sims, \
            tempfile.TemporaryDirectory() as tmp:
        perso = [c for c in sims.connections if c.name.endswith("perso")][:8]
        assert len(perso) == 8, [c.name for c in sims.connections]
        run_once(perso[:1], Path(tmp), "warmup")
        one = [run_once(perso[:1], Path(tmp), "one") for _ in range(args.repeat)]
        eight = [run_once(perso, Path(tmp), "eight") for _ in range(args.repeat)]
    m1, m8 = statistics.median(one), statistics.median(eight)
    print(f"latency per request: {args.latency * 1000:.0f} ms; runs: {args.repeat} each (median)")
    print(f"1 connection : {m1:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in one)})")
    print(f"8 connections: {m8:.3f} s  (runs: {', '.join(f'{x:.3f}' for x in eight)})")
    print(f"ratio 8/1    : {m8 / m1:.2f}  (target <= 1.15)")


if __name__ == "__main__":
    main()
