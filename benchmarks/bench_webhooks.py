"""How fast the webhook receiver answers, and how long until the pull it sets off has loaded.

The Budgea simulator pushes signed CONNECTION_SYNCED bodies (one per Powens connection) after each
background refresh to `pipeline.webhooks` (in-process trigger, real sockets on 127.0.0.1, a real data
dir). Prints, over N refreshes: the receiver's answer time per webhook (p50, max: the sync runs after
the answer, so this should stay small), the number of syncs the webhooks set off (requests arriving during
a sync merge into the next one) and the time from a refresh to the end of its syncs.
Run: python benchmarks/bench_webhooks.py [--refreshes 5]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.budgea import start_sandbox  # noqa: E402
from connectors.budgea.simulator import webhooks as sim_webhooks  # noqa: E402
from pipeline.sandbox import sandbox_config  # noqa: E402
from pipeline.webhook_triggers import InProcessTrigger  # noqa: E402
from pipeline.webhooks import start_receiver  # noqa: E402


async def main(refreshes: int) -> None:
    answer_times: list[float] = []
    real_post = sim_webhooks._post

    async def timed_post(sb, body):  # the simulator's own POST, timed from outside
        t0 = time.perf_counter()
        status = await real_post(sb, body)
        answer_times.append(time.perf_counter() - t0)
        return status

    sim_webhooks._post = timed_post
    sb = await start_sandbox()
    with tempfile.TemporaryDirectory() as tmp:
        cfg, data = Path(tmp) / "bankflow.toml", Path(tmp) / "data"
        text, env = sandbox_config(sb.connections, env_prefix="BENCH_WH")
        cfg.write_text(text + '\n[webhooks]\nsecret = "env:BENCH_WH_SECRET"\n', "utf-8")
        os.environ.update(env, BENCH_WH_SECRET=sb.webhook_secret)
        trigger = InProcessTrigger(cfg, data)
        runner, url, rc = await start_receiver(cfg, data, trigger=trigger)
        try:
            t0 = time.perf_counter()
            trigger.request([c.name for c in sb.connections], "initial")
            await trigger.idle()
            print(f"initial full sync: {time.perf_counter() - t0:.2f} s")
            sb.webhook_url = url
            to_loaded = []
            for _ in range(refreshes):
                t0 = time.perf_counter()
                await sb.background_refresh(days=1)
                await trigger.idle()
                to_loaded.append(time.perf_counter() - t0)
        finally:
            await runner.cleanup()
            await sb.close()
    print(f"webhooks: {len(answer_times)} answered; answer time p50 {statistics.median(answer_times) * 1000:.1f} ms, "
          f"max {max(answer_times) * 1000:.1f} ms")
    print(f"syncs set off: {len(trigger.runs) - 1} for {rc.stats['triggered']} webhooks")
    print(f"refresh -> rows loaded: p50 {statistics.median(to_loaded):.2f} s, max {max(to_loaded):.2f} s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--refreshes", type=int, default=5)
    asyncio.run(main(ap.parse_args().refreshes))
