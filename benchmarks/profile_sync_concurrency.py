"""Where the seconds of ``bench_sync_concurrency.py`` go: one run of each case (1 and 8 connections, first
sync then daily) through the real Prefect sync flow, with wall-clock timers wrapped around its parts.

Printed per run (seconds; ``sum`` = summed over connections, which may overlap in time):

* ``flow``: the whole ``sync_flow`` call; ``states``: reading the cursors from the snapshot;
* ``fetch wall``: first fetch start to last fetch end; ``fetch sum``: each connection's fetch, summed;
* ``to_lake sum``: parsing payloads into the lake (in the lake thread, batched: ``to_lake_many``), of which
  ``parse``, ``normalize`` and ``lake write``;
* ``load``: the load task, of which ``open writer``, each ``loads/*.sql`` step, ``refresh_after_load`` and
  ``close`` (checkpoint + publish);
* ``report`` (the HTML report and markdown), ``artifacts`` (Prefect artifacts);
* ``rest``: flow minus fetch wall, load, report and artifacts (Prefect's task bookkeeping, the flow's own).

    python benchmarks/profile_sync_concurrency.py [--latency 0.05]
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")

from pipeline.sandbox import SandboxProcess, sandbox_config

T: collections.Counter[str] = collections.Counter()
SPANS: list[tuple[float, float]] = []
_lock = threading.Lock()
_step: dict[str, float | str] = {}


def timed_sync(fn, name):
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            with _lock:
                T[name] += time.perf_counter() - t0
    return wrapper


def timed_async(fn, name, spans=False):
    async def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return await fn(*a, **k)
        finally:
            t1 = time.perf_counter()
            T[name] += t1 - t0
            if spans:
                SPANS.append((t0, t1))
    return wrapper


def instrument() -> None:
    import flows.sync as fs
    import pipeline.datadir as pd
    import pipeline.ingest as pi
    import pipeline.runner as pr
    import warehouse.db as wdb
    import warehouse.lake as wl

    pr.fetch_connection = timed_async(pr.fetch_connection, "fetch sum", spans=True)
    fs.fetch_connection = pr.fetch_connection
    pr.to_lake = timed_sync(pr.to_lake, "to_lake sum")
    if hasattr(pr, "to_lake_many"):
        pr.to_lake_many = timed_sync(pr.to_lake_many, "to_lake sum")
        pi.normalize_many = timed_sync(pi.normalize_many, "  normalize")
    pi.parse_artifact = timed_sync(pi.parse_artifact, "  parse")
    pi.normalize = timed_sync(pi.normalize, "  normalize")
    wl.Lake.write = timed_sync(wl.Lake.write, "  lake write")
    fs.load_outcomes = timed_sync(pr.load_outcomes, "load")
    pd.DataDir.open_warehouse = timed_sync(pd.DataDir.open_warehouse, "  open warehouse (writer+reader)")
    pr.refresh_after_load = timed_sync(pr.refresh_after_load, "  refresh_after_load")
    pd.publish = timed_sync(pd.publish, "  publish (copy)")
    wdb.Warehouse.close = timed_sync(wdb.Warehouse.close, "  close (checkpoint+publish)")
    fs.sync_states = timed_sync(fs.sync_states, "states")
    fs.report_markdown = timed_sync(fs.report_markdown, "report")
    fs.publish_summary = timed_async(fs.publish_summary, "artifacts")

    real_fault = wdb.fault_point

    def fault(name: str) -> None:
        now = time.perf_counter()
        if name.startswith("load:"):
            prev = _step.get("name")
            if prev:
                T[f"    {prev}"] += now - float(_step["t"])
            _step.update(name="~commit" if name == "load:commit" else name[5:], t=now)
        real_fault(name)
    wdb.fault_point = fault
    real_tx = wdb.Warehouse.transaction

    @contextlib.contextmanager
    def tx(self):
        with real_tx(self) as con:
            yield con
        if _step.get("name") == "~commit":
            T["    ~commit"] += time.perf_counter() - float(_step["t"])
            _step.clear()
    wdb.Warehouse.transaction = tx


def sync(conns, data_dir: Path) -> dict[str, float]:
    from flows.sync import sync_flow

    text, env = sandbox_config(conns, env_prefix="BENCH")
    os.environ.update(env)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "bankflow.toml").write_text(text)
    T.clear()
    SPANS.clear()
    _step.clear()
    t0 = time.perf_counter()
    summary = asyncio.run(sync_flow(config_path=str(data_dir / "bankflow.toml"), data_dir=str(data_dir)))
    T["flow"] = time.perf_counter() - t0
    assert summary["ok"], summary
    T["fetch wall"] = max(e for _s, e in SPANS) - min(s for s, _e in SPANS)
    T["rows"] = sum(r["rows_inserted"] + r["rows_updated"] for r in summary["connections"])
    T["rest"] = T["flow"] - T["fetch wall"] - T["load"] - T["states"] - T["report"] - T["artifacts"]
    return dict(T)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args()
    instrument()
    tmp = Path(tempfile.mkdtemp(prefix="prof-sync-"))
    res: dict[str, dict[str, float]] = {}
    try:
        with SandboxProcess(["budgea"], knobs={"budgea": {"users": 8}},
                            common={"latency": args.latency, "seed": 1}) as sims:
            perso = [c for c in sims.connections if c.name.endswith("perso")][:8]
            sync(perso[:1], tmp / "warmup")
            for n in (1, 8):
                res[f"first {n}"] = sync(perso[:n], tmp / f"d{n}")
            sims.call("budgea", "advance_days", 1)
            for n in (1, 8):
                res[f"daily {n}"] = sync(perso[:n], tmp / f"d{n}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    keys = list(dict.fromkeys(k for r in res.values() for k in r))
    order = ["flow", "states", "fetch wall", "fetch sum", "to_lake sum", "  parse", "  normalize", "  lake write",
             "load"] + sorted(k for k in keys if k.startswith("    ")) + [
             k for k in keys if k.startswith("  ") and k not in ("  parse", "  normalize", "  lake write")] + [
             "report", "artifacts", "rest", "rows"]
    print(f"load average {os.getloadavg()[0]:.2f}; Budgea {args.latency * 1000:.0f} ms per request")
    print(f"{'':38}" + "".join(f"{k:>10}" for k in res))
    for k in dict.fromkeys(order):
        if k in keys:
            print(f"{k:38}" + "".join(f"{r.get(k, 0):10.3f}" for r in res.values()))


if __name__ == "__main__":
    main()
