"""The ``sync`` Prefect flow: every enabled connection fetched concurrently, then one writer loads.

Retries: none at this level. The one retry layer is the HTTP middleware (connectors/http.py), which
retries idempotent requests on transient failures and never replays a login. A wrong password is
therefore tried exactly once per run.
Tasks return small handles (outcomes without records or secrets) and keep no results (NO_CACHE,
persist_result=False): bank data never lands in Prefect's result storage.
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.config import ConnectionConfig, load_config
from flows.progress import current_progress
from connectors.base import SyncState
from flows.runner import Outcome, bank_semaphore, fetch_connection, load_outcomes, sync_states
from warehouse.ingest import DataDir


@task(name="fetch", task_run_name="fetch-{conn.name}", cache_policy=NO_CACHE, persist_result=False)
async def fetch_task(conn: ConnectionConfig, data_dir: str, state: SyncState) -> Outcome:
    """One connection: its own aiohttp session is created inside the task (never passed in)."""
    return await fetch_connection(conn, DataDir(Path(data_dir)), state, progress=current_progress(),
                                  semaphore=bank_semaphore(conn.bank))


@task(name="load-warehouse", cache_policy=NO_CACHE, persist_result=False)
def load_task(outcomes: list[Outcome], data_dir: str, run_id: str) -> list[Outcome]:
    return load_outcomes(DataDir(Path(data_dir)), outcomes, run_id)


@flow(name="bankflow-sync", log_prints=False, persist_result=False)
async def sync_flow(config_path: str = "bankflow.toml", data_dir: str = "data",
                    connections: list[str] | None = None) -> dict:
    """Sync every enabled connection of ``config_path`` (or only ``connections``) into ``data_dir``."""
    cfg = load_config(Path(config_path))
    conns = [c for c in cfg.connections if c.enabled and (not connections or c.name in connections)]
    if connections:
        for name in connections:
            cfg.get(name)  # unknown names are an error, not a silent no-op
    run_id = uuid.uuid4().hex[:12]
    states = sync_states(DataDir(Path(data_dir)), conns)
    outcomes = list(await asyncio.gather(*(fetch_task(c, data_dir, states[c.name]) for c in conns)))
    outcomes = load_task(outcomes, data_dir, run_id)
    summary = summarize(run_id, outcomes)
    await publish_summary(summary)
    return summary


def summarize(run_id: str, outcomes: list[Outcome]) -> dict:
    rows = []
    for o in outcomes:
        d = asdict(o)
        d.pop("shas")
        d["started_at"] = o.started_at.isoformat(timespec="seconds")
        d["finished_at"] = o.finished_at.isoformat(timespec="seconds") if o.finished_at else None
        rows.append(d)
    return {"run_id": run_id, "ok": all(o.ok for o in outcomes), "connections": rows}


async def publish_summary(summary: dict) -> None:
    table = [{k: r[k] for k in ("connection", "bank", "status", "artifacts_fetched", "artifacts_new",
                                "rows_inserted", "rows_updated", "requests", "message")}
             for r in summary["connections"]]
    await create_table_artifact(table=table, key="bankflow-sync-outcomes",
                                description=f"bankflow sync run {summary['run_id']}: one row per connection")
    failed = [r for r in summary["connections"] if r["status"] != "ok"]
    lines = [f"# bankflow sync {summary['run_id']}", "",
             f"{len(summary['connections']) - len(failed)} of {len(summary['connections'])} connections OK."]
    for r in failed:
        lines.append(f"- **{r['connection']}**: `{r['status']}`: {r['message']}")
    await create_markdown_artifact(markdown="\n".join(lines), key="bankflow-sync-summary")
