"""What a webhook sets off: an incremental sync of the connections it names.

* :class:`DeploymentTrigger` (a Prefect server is configured: PREFECT_API_URL): one run of the sync
  deployment per webhook, ``connections`` = the names, ``idempotency_key`` = the body's SHA-256 (so even a
  duplicate that got past the receiver makes no second run). Runs wait for a worker; the deployment's
  concurrency limit keeps them from fighting over the warehouse.
* :class:`InProcessTrigger` (no server): the syncs run in the receiver's own process, one at a time (the
  warehouse has one writer), through the same pipeline functions as ``bankflow sync`` without Prefect.
  A sync starts ``debounce`` seconds (1.0) after the first request, and requests that arrive meanwhile
  or while it runs are merged into it or the next one: Powens pushes one CONNECTION_SYNCED per connection
  after a user's refresh, and that burst costs one sync, not one each.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path
from typing import Protocol

from pipeline.config import load_config
from pipeline.datadir import DataDir
from pipeline.runner import Outcome, fetch_all, load_outcomes, sync_states

log = logging.getLogger("bankflow.webhooks")


class Trigger(Protocol):
    def request(self, names: list[str], key: str) -> None:
        """Ask for a sync of ``names`` (``key``: the webhook body's SHA-256). Returns at once."""

    async def idle(self) -> None:
        """Wait until every requested sync has been started (deployment) or has ended (in process)."""


class InProcessTrigger:
    """Syncs in this process, one at a time, requests merged while one runs. ``runs`` lists the
    connections of each sync started; ``outcomes`` the outcomes of the last one."""

    def __init__(self, config_path: Path, data_dir: Path, *, debounce: float = 1.0) -> None:
        self.config_path = Path(config_path)
        self.debounce = debounce
        self.data_dir = Path(data_dir)
        self.runs: list[list[str]] = []
        self.outcomes: list[Outcome] = []
        self._pending: dict[str, None] = {}
        self._worker: asyncio.Task | None = None

    def request(self, names: list[str], key: str) -> None:
        self._pending.update(dict.fromkeys(names))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def idle(self) -> None:
        while self._worker is not None and not self._worker.done():
            await asyncio.shield(self._worker)

    async def _work(self) -> None:
        while self._pending:
            await asyncio.sleep(self.debounce)
            names = list(self._pending)
            self._pending.clear()
            try:
                await self._sync(names)
            except Exception:  # a bad config or a bug: logged, the receiver keeps serving
                log.exception("webhook-triggered sync of %s failed", ", ".join(names))

    async def _sync(self, names: list[str]) -> None:
        self.runs.append(names)
        cfg = load_config(self.config_path)
        conns = [cfg.get(n) for n in names]
        dd = DataDir(self.data_dir)
        run_id = "wh-" + uuid.uuid4().hex[:9]
        states = await asyncio.to_thread(sync_states, dd, conns)
        outcomes = await fetch_all(conns, dd, states)
        self.outcomes = await asyncio.to_thread(load_outcomes, dd, outcomes, run_id)
        for o in self.outcomes:
            (log.info if o.ok else log.warning)("webhook sync %s: %s %s %s", run_id, o.connection, o.status,
                                                o.message or f"+{o.rows_inserted} ~{o.rows_updated} rows")


class DeploymentTrigger:
    """One run of ``deployment`` per webhook, on the Prefect server PREFECT_API_URL points to."""

    def __init__(self, deployment: str, config_path: Path, data_dir: Path) -> None:
        self.deployment = deployment
        self.config_path = Path(config_path).resolve()
        self.data_dir = Path(data_dir).resolve()
        self.runs: list[str] = []
        self._tasks: set[asyncio.Task] = set()

    def request(self, names: list[str], key: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(names, key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, names: list[str], key: str) -> None:
        from prefect.deployments import arun_deployment

        try:
            run = await arun_deployment(
                self.deployment, timeout=0, as_subflow=False, idempotency_key=f"bankflow-webhook-{key}",
                parameters={"config_path": str(self.config_path), "data_dir": str(self.data_dir),
                            "connections": names}, tags=["webhook"])
        except Exception:
            log.exception("could not start a run of %s for %s", self.deployment, ", ".join(names))
            return
        self.runs.append(str(run.id))
        log.info("webhook: run %s of %s started for %s", run.id, self.deployment, ", ".join(names))
