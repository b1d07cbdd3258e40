"""CPU seconds of the syncs of ``bench_sync_concurrency.py``, per process: this one (the flow: fetches,
parsing, load, report), Prefect's temporary server (task runs, artifacts), the Budgea simulators. On a
machine other work shares, CPU time varies less than wall time: it says what 8 connections cost against
1 even when the wall ratio is mostly the neighbours'.

Medians of ``--repeat`` runs of each case (first sync, then daily), after a warm-up run.

    python benchmarks/cpu_sync_concurrency.py [--latency 0.05] [--repeat 3]
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

import psutil  # installed with distributed (the Dask backfill)

from pipeline.sandbox import SandboxProcess, sandbox_config

ME = psutil.Process()


def cpu_seconds() -> dict[str, float]:
    """User + system CPU seconds so far of this process, of Prefect's server and of the simulators."""
    out = {"flow": sum(ME.cpu_times()[:2]), "prefect server": 0.0, "simulators": 0.0}
    for child in ME.children(recursive=True):
        try:
            prefect = any("uvicorn" in a or "prefect" in a for a in child.cmdline())
            out["prefect server" if prefect else "simulators"] += sum(child.cpu_times()[:2])
        except psutil.Error:  # a child that ended meanwhile
            pass
    return out


def sync(conns, data_dir: Path) -> dict[str, float]:
    from flows.sync import sync_flow

    text, env = sandbox_config(conns, env_prefix="BENCH")
    os.environ.update(env)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "bankflow.toml").write_text(text)
    before, t0 = cpu_seconds(), time.perf_counter()
    summary = asyncio.run(sync_flow(config_path=str(data_dir / "bankflow.toml"), data_dir=str(data_dir)))
    wall, after = time.perf_counter() - t0, cpu_seconds()
    assert summary["ok"], summary
    return {"wall": wall, **{k: after[k] - before[k] for k in after}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cpu-sync-"))
    res: dict[str, list[dict[str, float]]] = {}
    loads = [os.getloadavg()[0]]
    try:
        with SandboxProcess(["budgea"], knobs={"budgea": {"users": 8}},
                            common={"latency": args.latency, "seed": 1}) as sims:
            perso = [c for c in sims.connections if c.name.endswith("perso")][:8]
            sync(perso[:1], tmp / "warmup")
            for i in range(args.repeat):
                for n in (1, 8):
                    res.setdefault(f"first {n}", []).append(sync(perso[:n], tmp / f"first-{n}-{i}"))
            for _i in range(args.repeat):
                sims.call("budgea", "advance_days", 1)
                for n in (1, 8):
                    res.setdefault(f"daily {n}", []).append(sync(perso[:n], tmp / f"first-{n}-0"))
                loads.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"Budgea simulators, {args.latency * 1000:.0f} ms per request; medians of {args.repeat} runs; "
          f"1-minute load average {min(loads):.2f}-{max(loads):.2f}")
    for case, runs in res.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        total = statistics.median(r["flow"] + r["prefect server"] + r["simulators"] for r in runs)
        print(f"{case:8}  wall {med['wall']:.3f} s  CPU: flow {med['flow']:.2f}, prefect server "
              f"{med['prefect server']:.2f}, simulators {med['simulators']:.2f}, all {total:.2f} s")
    for kind in ("first", "daily"):
        one = statistics.median(sum(r[k] for k in ("flow", "prefect server", "simulators")) for r in res[f"{kind} 1"])
        eight = statistics.median(sum(r[k] for k in ("flow", "prefect server", "simulators")) for r in res[f"{kind} 8"])
        print(f"{kind}: CPU ratio 8/1 {eight / one:.2f}")


if __name__ == "__main__":
    main()
