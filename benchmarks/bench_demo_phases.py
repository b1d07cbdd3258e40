"""Where the time of one `bankflow demo` run goes (issue 13, item 3): the demo's own steps timed in one
process, with Prefect's temporary server started on its own first so its start-up is a figure of its own.

    python benchmarks/bench_demo_phases.py DATA_DIR     # run twice on the same DATA_DIR for "again"

Phases: importing the CLI, importing the flow (Prefect), starting the simulators (a child process),
config and ground truth, Prefect's temporary local server start (only when PREFECT_API_URL is unset), the
sync flow itself (fetch, land, lake, load, refresh), and the demo's summary queries.
"""
from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path


def main() -> None:
    data = Path(sys.argv[1])
    data.mkdir(parents=True, exist_ok=True)
    laps: list[tuple[str, float]] = []
    t = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        laps.append((name, now - t[0]))
        t[0] = now

    load = os.getloadavg()[0]
    import flows.cli.sync as cli_sync
    lap("import the CLI")
    import flows.sync  # noqa: F401  (Prefect)
    from pipeline.sandbox import SandboxProcess
    lap("import the flow (Prefect)")
    with SandboxProcess(knobs={}, common={"latency": 0.0, "seed": 0}) as sims:
        lap("start the simulators")
        text, env = sims.config(env_prefix="BANKFLOW_DEMO")
        cfg = data / "bankflow.demo.toml"
        cfg.write_text(text, "utf-8")
        os.environ.update(env)
        n = sims.write_truth(data / "sandbox-truth.parquet")
        lap("config + ground truth")
        if not os.environ.get("PREFECT_API_URL"):
            from prefect.client.orchestration import get_client

            async def hello() -> None:
                async with get_client() as client:
                    await client.hello()
            asyncio.run(hello())
            lap("Prefect temporary server start")
        summary = cli_sync.run_sync(cfg, data, None)
        lap("sync flow (fetch, land, lake, load)")
    cli_sync._print_demo_footer(data, n, 0.0)
    lap("summary queries")
    print(f"\nload average at start: {load:.2f}, at end: {os.getloadavg()[0]:.2f}")
    for name, s in laps:
        print(f"{name:38s} {s:6.2f} s")
    print(f"{'total':38s} {sum(s for _, s in laps):6.2f} s")
    for c in summary["connections"]:
        print(f"  {c['connection']}: {c['requests']} requests, {c['artifacts_fetched']} payloads "
              f"({c['artifacts_new']} new), {c['rows_inserted']} rows inserted")


if __name__ == "__main__":
    main()
