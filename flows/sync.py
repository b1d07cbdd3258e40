"""The ``sync`` Prefect flow: every enabled connection fetched concurrently, then one writer loads.

Retries: none at this level. The one retry layer is the HTTP middleware (connectors/http.py), which
retries idempotent requests on transient failures and never replays a login. A wrong password is
therefore tried exactly once per run.
Tasks return small handles (outcomes without records or secrets) and keep no results (NO_CACHE,
persist_result=False): bank data never lands in Prefect's result storage.

Banks are never hammered: each connection's fetch holds one slot of the Prefect global concurrency
limit ``bankflow-bank-<bank>`` when the server has one (``bankflow deploy`` creates them), so every run
on every worker shares it; each connection also paces its own requests (``min_interval``).

One-time codes: a connection whose bank asks for a code (SCA) waits for it on a run input keyed to the
connection while the run stays Running (pipeline/otp_prefect.py says why not ``pause_flow_run``); the
other connections are loaded as soon as they are done, the waiting one when its code is in (or its
``otp_timeout`` has passed: ``NeedsUser``).

A failed connection's fetch task ends in a Failed state whose name says what comes next:
``RetryLater`` (the bank was down or throttling), ``NeedsUser`` (wrong password, SCA to perform in the
bank's app, terms to accept, a config to fix) or ``NeedsFix`` (the bank changed its site: bankflow needs
an update). The flow still loads the other connections; a deployment run then ends Failed with the same
name, while a run from the command line returns its summary (the CLI turns it into exit code 1).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from pipeline.otp_prefect import code_provider, waiting_connections
from pipeline.config import ConnectionConfig, load_config, select_connections
from pipeline.progress import current_progress
from connectors.base import SyncState
from connectors.errors import TransientError
from connectors.otp import OtpProvider, OtpRequest
from pipeline.runner import Outcome, bank_semaphore, fetch_connection, load_outcomes, summarize, sync_states
from pipeline.datadir import DataDir


log = logging.getLogger("bankflow.sync")

#: failed statuses that a later run can fix by itself
RETRY_LATER = frozenset({"transient_error", "rate_limited", "load_error", "bank_busy"})
#: failed statuses only the user can fix (password, SCA in the bank's app, terms, bankflow.toml)
NEEDS_USER = frozenset({"auth_error", "action_needed", "sca_required", "otp_timeout", "otp_refused",
                        "config_error"})
STATE_NAMES = {"retry_later": "RetryLater", "needs_user": "NeedsUser", "needs_fix": "NeedsFix"}
NEXT_STEPS = {"ok": "", "retry_later": "nothing: the next run retries",
              "needs_user": "you: see the message, then run again",
              "needs_fix": "a bankflow update: report it with the run's log"}

#: how long a connection waits for its bank's slot (held by other runs) before giving up for this run
BANK_SLOT_TIMEOUT = 3 * 3600.0


def next_step(status: str) -> str:
    """``ok``, ``retry_later``, ``needs_user`` or ``needs_fix`` for an Outcome status."""
    if status == "ok":
        return "ok"
    if status in RETRY_LATER:
        return "retry_later"
    return "needs_user" if status in NEEDS_USER else "needs_fix"


def bank_limit_name(bank: str) -> str:
    return f"bankflow-bank-{bank}"


class ConnectionFailed(Exception):
    """Carried by a failed fetch task's state, so the flow still gets the Outcome."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


async def _bank_limit_exists(name: str) -> bool:
    """Whether the server has an active global concurrency limit ``name`` (no limit: no waiting, and
    none of the warnings Prefect logs for a missing limit)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        async with get_client() as client:
            limit = await client.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        return False
    return bool(limit.active)


#: event loop -> (flow run id, limit name) -> the lookup of :func:`_bank_limit_exists`, made once per run
#: and limit: every connection of a bank asks the same question, and each lookup costs the Prefect server
#: ~20 ms of CPU (8 connections: 8 lookups, ~0.15 s of a 2-core machine's CPU during the fetches, issue
#: 13). A limit created while a run is going applies from the next run.
_LIMIT_LOOKUPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], asyncio.Future]] = \
    weakref.WeakKeyDictionary()


async def _bank_limit_applies(name: str) -> bool:
    """:func:`_bank_limit_exists`, asked once per flow run (every time outside a flow run); a lookup
    that failed is asked again by the next connection."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None:
        return await _bank_limit_exists(name)
    lookups = _LIMIT_LOOKUPS.setdefault(asyncio.get_running_loop(), {})
    key = (str(ctx.flow_run.id), name)
    fut = lookups.get(key)
    if fut is None or (fut.done() and (fut.cancelled() or fut.exception() is not None)):
        fut = lookups[key] = asyncio.ensure_future(_bank_limit_exists(name))
    return await asyncio.shield(fut)  # one connection cancelled does not cancel the others' lookup


@contextlib.asynccontextmanager
async def bank_slot(bank: str, *, timeout: float = BANK_SLOT_TIMEOUT) -> AsyncIterator[bool]:
    """Hold one slot of the bank's global concurrency limit, shared by every run on every worker.
    Yields whether a limit applied. Raises TimeoutError after ``timeout`` seconds of waiting."""
    name = bank_limit_name(bank)
    if not await _bank_limit_applies(name):
        yield False
        return
    from prefect.concurrency.asyncio import concurrency

    # strict: the limit exists (checked above), so failing to take a slot is an error, never a silent
    # skip; a failed lease renewal (a server hiccup during a long statement download) must not kill
    # the fetch: the lease (5 min) simply lapses
    async with concurrency(name, occupy=1, timeout_seconds=timeout, strict=True,
                           raise_on_lease_renewal_failure=False):
        yield True


class _Slot:
    """The bank's global slot (:func:`bank_slot`), given back while a person reads a one-time code: the
    connection sends nothing meanwhile, and the bank's other connections must not wait for a human."""

    def __init__(self, bank: str) -> None:
        self.bank = bank
        self._held: contextlib.AsyncExitStack | None = None

    async def take(self) -> None:
        stack = contextlib.AsyncExitStack()
        await stack.enter_async_context(bank_slot(self.bank))
        self._held = stack

    async def give_back(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await held.aclose()

    def released(self, otp: OtpProvider | None) -> OtpProvider | None:
        if otp is None:
            return None

        async def ask(request: OtpRequest) -> str | None:
            await self.give_back()
            try:
                return await otp(request)
            finally:
                try:
                    await self.take()
                except TimeoutError:
                    raise TransientError(f"connection {request.connection!r}: after the code, other runs held "
                                         f"the bank's slot ({bank_limit_name(self.bank)}) for "
                                         f"{BANK_SLOT_TIMEOUT:.0f} s; run again later") from None
        return ask


@task(name="fetch", task_run_name="fetch-{conn.name}", cache_policy=NO_CACHE, persist_result=False)
async def fetch_task(conn: ConnectionConfig, data_dir: str, state: SyncState) -> Outcome | State:
    """One connection: its own aiohttp session is created inside the task (never passed in). A failed
    connection returns a Failed state named after what comes next (see the module docstring)."""
    slot = _Slot(conn.bank)
    try:
        await slot.take()
        try:
            out = await fetch_connection(conn, DataDir(Path(data_dir)), state, progress=current_progress(),
                                         semaphore=bank_semaphore(conn.bank), otp=slot.released(code_provider()))
        finally:
            await slot.give_back()
    except TimeoutError:
        out = Outcome(connection=conn.name, bank=conn.bank, status="bank_busy",
                      message=f"connection {conn.name!r} ({conn.bank}): other runs held the bank's slot "
                              f"({bank_limit_name(conn.bank)}) for {BANK_SLOT_TIMEOUT:.0f} s; run again later")
        out.finished_at = out.started_at
    if out.ok:
        return out
    return Failed(name=STATE_NAMES[next_step(out.status)], message=out.message, data=ConnectionFailed(out))


async def _fetch(conn: ConnectionConfig, data_dir: str, state: SyncState) -> Outcome:
    st = await fetch_task(conn, data_dir, state, return_state=True)
    res = await st.aresult(raise_on_failure=False)
    if isinstance(res, ConnectionFailed):
        return res.outcome
    if isinstance(res, Outcome):
        return res
    # the task itself crashed (a bug): report it as this connection's failure, keep the others
    log.error("fetch task of %s ended in %s", conn.name, st.type.value)
    out = Outcome(connection=conn.name, bank=conn.bank, status="error",
                  message=f"connection {conn.name!r} ({conn.bank}): the fetch task ended in state {st.name}")
    out.finished_at = out.started_at
    return out


@task(name="load-warehouse", cache_policy=NO_CACHE, persist_result=False)
def load_task(outcomes: list[Outcome], data_dir: str, run_id: str) -> list[Outcome]:
    return load_outcomes(DataDir(Path(data_dir)), outcomes, run_id)


@flow(name="bankflow-sync", log_prints=False, persist_result=False)
async def sync_flow(config_path: str = "bankflow.toml", data_dir: str = "data",
                    connections: list[str] | None = None, options: dict | None = None) -> dict:
    """Sync every enabled connection of ``config_path`` (or only ``connections``) into ``data_dir``.
    ``options`` override the connections' own options for this run (``bankflow backfill`` passes
    ``{"statements": "always", "statements_since": ...}``)."""
    cfg = load_config(Path(config_path))
    # unknown names and an empty selection are errors, not a silent no-op
    conns = select_connections(cfg, connections, options)
    run_id = uuid.uuid4().hex[:12]
    states = sync_states(DataDir(Path(data_dir)), conns)
    fetches = {c.name: asyncio.ensure_future(_fetch(c, data_dir, states[c.name])) for c in conns}
    # a connection waiting for a one-time code (pipeline/otp_prefect.py) does not hold the others back:
    # once every other fetch has ended, they are loaded; the waiting ones are loaded when they end
    await _settled(fetches)
    first = [f.result() for f in fetches.values() if f.done()]
    outcomes = load_task(first, data_dir, run_id) if first else []
    later = [f for f in fetches.values() if not f.done()]
    if later:
        outcomes += load_task(list(await asyncio.gather(*later)), data_dir, run_id)
    order = {c.name: i for i, c in enumerate(conns)}
    outcomes.sort(key=lambda o: order[o.connection])
    summary = summarize(run_id, outcomes)
    summary["flow_run"] = _flow_run_name()
    await publish_summary(summary, report_markdown(data_dir, summary))
    if not summary["ok"] and _in_deployment():
        return _failed_run_state(summary)
    return summary


async def _settled(fetches: dict[str, asyncio.Future]) -> None:
    """Return when every fetch has ended or waits for a one-time code (``pipeline.otp_prefect``)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    run_id = ctx.flow_run.id if ctx and ctx.flow_run else None
    while True:
        pending = [f for f in fetches.values() if not f.done()]
        if not pending:
            return
        waiting = waiting_connections(run_id) if run_id else set()
        if all(name in waiting for name, f in fetches.items() if not f.done()):
            return
        await asyncio.wait(pending, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)


def _flow_run_name() -> str | None:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return ctx.flow_run.name if ctx and ctx.flow_run else None


def _in_deployment() -> bool:
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return bool(ctx and ctx.flow_run and ctx.flow_run.deployment_id)


def _failed_run_state(summary: dict) -> State:
    """The run's final state when a connection failed: NeedsUser beats NeedsFix beats RetryLater."""
    failed = [r for r in summary["connections"] if r["status"] != "ok"]
    steps = {next_step(r["status"]) for r in failed}
    worst = next(s for s in ("needs_user", "needs_fix", "retry_later") if s in steps)
    msg = f"{len(failed)} of {len(summary['connections'])} connections failed: " + "; ".join(
        f"{r['connection']} {r['status']}" for r in failed)
    return Failed(name=STATE_NAMES[worst], message=msg)


def report_markdown(data_dir: str, summary: dict) -> str | None:
    """Rebuild DATA_DIR/report/index.html and return the run's markdown artifact (None when the
    warehouse cannot be opened, e.g. another run holds it: the plain summary is published instead)."""
    from outputs.report.artifact import report_after_sync

    dd = DataDir(Path(data_dir))
    return report_after_sync(lambda: dd.open_warehouse(read_only=True), summary, dd.root / "report")


async def publish_summary(summary: dict, markdown: str | None = None) -> None:
    table = [{**{k: r[k] for k in ("connection", "bank", "status", "artifacts_fetched", "artifacts_new",
                                   "rows_inserted", "rows_updated", "requests")},
              "next_step": NEXT_STEPS[next_step(r["status"])], "message": r["message"]}
             for r in summary["connections"]]
    await create_table_artifact(table=table, key="bankflow-sync-outcomes",
                                description=f"bankflow sync run {summary['run_id']}: one row per connection")
    failed = [r for r in summary["connections"] if r["status"] != "ok"]
    lines = [f"# bankflow sync {summary['run_id']}", "",
             f"{len(summary['connections']) - len(failed)} of {len(summary['connections'])} connections OK."]
    for r in failed:
        lines.append(f"- **{r['connection']}**: `{r['status']}` (needs {NEXT_STEPS[next_step(r['status'])]}): "
                     f"{r['message']}")
    await create_markdown_artifact(markdown=markdown or "\n".join(lines), key="bankflow-sync-summary")
