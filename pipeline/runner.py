"""The sync's working parts, free of Prefect so they can be tested and benchmarked directly.

``fetch_connection`` runs one connector, lands and parses what it yields; it never raises (one failing
connection never stops the others) and returns a small :class:`Outcome`. ``load_outcomes`` is the single
writer: it loads each successful connection's payloads in one transaction and records ``ops.sync_runs``.
"""
from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import logging
import multiprocessing
import os
import weakref
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from connectors.base import SyncState
from connectors.errors import BankflowError
from connectors.http import open_session, session_stats
from connectors.otp import OtpProvider, OtpRequest
from connectors.registry import get_spec
from pipeline.config import ConnectionConfig, resolve_credentials
from pipeline.edits import refresh_after_load
from pipeline.datadir import DataDir
from pipeline.ingest import load_many, pending_shas, to_lake, to_lake_many
from pipeline.lifeline import watch_parent

log = logging.getLogger("bankflow.sync")

ProgressFn = Callable[[str, str], None]  # (connection, event text)

#: payload kinds parsed in worker processes: PDF statements cost ~50 ms a page in pdfplumber and
#: would otherwise stall every connection's network I/O on the one event loop
POOLED_KINDS = frozenset({"pdf"})
_POOL: ProcessPoolExecutor | None = None
_LAKE_THREAD: ThreadPoolExecutor | None = None


def parse_pool() -> ProcessPoolExecutor:
    """A process pool for heavy parsing, one per process, created on first use. ``spawn``: the parent
    runs threads (Prefect, the simulators), which ``fork`` does not copy safely. Each worker ends when
    this process does (:func:`pipeline.lifeline.watch_parent`)."""
    global _POOL
    if _POOL is None:
        workers = max(1, min(2, os.cpu_count() or 1))
        _POOL = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=watch_parent, initargs=(os.getpid(),))
        atexit.register(_POOL.shutdown, cancel_futures=True)
    return _POOL


def lake_thread() -> ThreadPoolExecutor:
    """The one thread that parses the other payloads (JSON to records, normalize, Parquet) while the
    event loop keeps every connection's requests going: run on the loop's thread, that CPU did not
    overlap the network (issue 13). One thread: payloads are parsed one at a time, as before (two
    writes of the same content-addressed lake file never race), and the GIL allows no more anyway."""
    global _LAKE_THREAD
    if _LAKE_THREAD is None:
        _LAKE_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bankflow-lake")
        atexit.register(_LAKE_THREAD.shutdown, cancel_futures=True)
    return _LAKE_THREAD


class LakeBatcher:
    """Landed payloads (all connections of a run) to the lake on :func:`lake_thread`, in batches: while
    one batch is parsed, the payloads landed meanwhile wait, and go together in the next one
    (:func:`pipeline.ingest.to_lake_many`: normalizing 40 payloads together costs about what one costs).
    The first payload starts at once, so parsing overlaps the fetches. One per event loop and data dir."""

    def __init__(self, dd: DataDir) -> None:
        self.dd = dd
        self._waiting: list[tuple[Path, asyncio.Future]] = []
        self._task: asyncio.Future | None = None  # the drain running now (held: a task only weakly referenced can vanish)

    def submit(self, path: Path) -> asyncio.Future:
        """A future that ends when ``path`` is in the lake (or raises what parsing it raised)."""
        fut = asyncio.get_running_loop().create_future()
        self._waiting.append((path, fut))
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._drain())
        return fut

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                errors = await loop.run_in_executor(lake_thread(), to_lake_many, self.dd, [p for p, _f in batch])
            except BaseException as exc:  # the thread itself failed: every payload of the batch says so
                errors = [exc] * len(batch)
            for (_p, fut), err in zip(batch, errors, strict=True):
                if fut.done():
                    continue
                if err is None:
                    fut.set_result(None)
                else:
                    fut.set_exception(err)


#: event loop -> data dir -> its batcher (gone with the loop)
_BATCHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, LakeBatcher]] = weakref.WeakKeyDictionary()


def lake_batcher(dd: DataDir) -> LakeBatcher:
    """The :class:`LakeBatcher` of ``dd`` for the running event loop."""
    per_dir = _BATCHERS.setdefault(asyncio.get_running_loop(), {})
    if str(dd.root) not in per_dir:
        per_dir[str(dd.root)] = LakeBatcher(dd)
    return per_dir[str(dd.root)]


@dataclass
class Outcome:
    connection: str
    bank: str
    status: str = "ok"        # "ok" or an error class's ``outcome``
    message: str = ""
    started_at: dt.datetime = field(default_factory=lambda: _now())
    finished_at: dt.datetime | None = None
    artifacts_fetched: int = 0
    artifacts_new: int = 0
    requests: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    shas: list[str] = field(default_factory=list)
    #: an earlier run of this connection landed payloads it did not load (it crashed or failed)
    recover: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_row(self, run_id: str) -> dict:
        d = asdict(self)
        d.pop("shas")
        d.pop("recover")
        d["run_id"] = run_id
        return d


def redact(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        if s and len(s) >= 4:
            text = text.replace(s, "***")
    return text


async def fetch_connection(conn: ConnectionConfig, dd: DataDir, state: SyncState, *,
                           progress: ProgressFn | None = None,
                           semaphore: asyncio.Semaphore | None = None,
                           otp: OtpProvider | None = None) -> Outcome:
    """Fetch one connection. ``otp`` asks a person for a one-time code when the bank wants one
    (connectors/otp.py); without it such a connection ends in ``sca_required``."""
    out = Outcome(connection=conn.name, bank=conn.bank)
    secrets: list[str] = []
    if otp is not None and semaphore is not None:
        otp = releasing(semaphore, otp)
    say = progress or (lambda c, e: None)
    try:
        spec = get_spec(conn.bank)
        creds = await resolve_credentials(conn)
        secrets = creds.secret_values()
        async with semaphore or _nullcontext():
            say(conn.name, "connecting")
            async with open_session(connection=conn.name, secrets=secrets,
                                    min_interval=conn.min_interval) as session:
                # what this connection already landed: the client skips those documents
                state = replace(state, known_documents=state.known_documents
                                | dd.raw.documents(conn.bank, conn.name))
                client = spec.client(connection=conn.name, base_url=conn.base_url, session=session,
                                     credentials=creds, options=conn.options, state=state, otp=otp)
                loop = asyncio.get_running_loop()
                parsing: list[asyncio.Future] = []
                out.recover = dd.raw.is_dirty(conn.bank, conn.name)
                dd.raw.mark_dirty(conn.bank, conn.name)
                try:
                    async for art in client.fetch():
                        path, new = dd.raw.land(art, secrets=secrets)
                        if new and art.meta.kind in POOLED_KINDS:
                            parsing.append(loop.run_in_executor(parse_pool(), to_lake, dd, path))
                        else:  # off the event loop, batched with the other connections' payloads
                            parsing.append(lake_batcher(dd).submit(path))
                        out.artifacts_fetched += 1
                        out.artifacts_new += int(new)
                        out.shas.append(art.meta.sha256)
                        say(conn.name, f"{out.artifacts_fetched} payloads ({out.artifacts_new} new)")
                finally:
                    stats = session_stats(session)
                    out.requests = stats.requests if stats else 0
                    # wait for (and surface errors of) the pooled parses, even when the fetch failed
                    results = await asyncio.gather(*parsing, return_exceptions=True)
                for r in results:
                    if isinstance(r, BaseException):
                        raise r
    except BankflowError as exc:
        out.status = exc.outcome
        out.message = redact(about(conn.name, conn.bank, exc.describe()), secrets)
    except Exception as exc:  # a bug in a connector must not stop the other connections
        log.exception("connection %s failed unexpectedly", conn.name)
        out.status = "error"
        out.message = redact(about(conn.name, conn.bank, f"unexpected {type(exc).__name__}: {exc}"), secrets)
    out.finished_at = _now()
    say(conn.name, "done" if out.ok else out.status)
    return out


def releasing(semaphore: asyncio.Semaphore, otp: OtpProvider) -> OtpProvider:
    """``otp`` that gives the bank's slot back while a person reads the code: a connection waiting
    minutes for a human sends nothing, and must not hold the others of its bank back."""
    async def ask(request: OtpRequest) -> str | None:
        semaphore.release()
        try:
            return await otp(request)
        finally:
            await semaphore.acquire()
    return ask


def about(connection: str, bank: str, text: str) -> str:
    """``connection 'x' (bank): text``, the name said once: connectors' messages already start with
    ``connection 'x': `` (they are also read without the runner), which is dropped here."""
    for prefix in (f"connection {connection!r} ({bank}): ", f"connection {connection!r}: "):
        text = text.removeprefix(prefix)
    return f"connection {connection!r} ({bank}): {text}"


def sync_states(dd: DataDir, conns: list[ConnectionConfig]) -> dict[str, SyncState]:
    """Each connection's cursor, read from the published snapshot (it is the writer's state as of its
    last write session): fetching never waits for the writer (a rebuild, another sync's load)."""
    if not dd.warehouse_path.exists():
        return {c.name: SyncState() for c in conns}
    with dd.open_warehouse(read_only=True) as wh:
        return {c.name: wh.sync_state(c.bank, c.name) for c in conns}


_SEMAPHORES: dict[tuple[int, str], asyncio.Semaphore] = {}


def bank_semaphore(bank: str) -> asyncio.Semaphore:
    """The per-bank limit (``ConnectorSpec.max_parallel``) for the running event loop."""
    key = (id(asyncio.get_running_loop()), bank)
    if key not in _SEMAPHORES:
        _SEMAPHORES[key] = asyncio.Semaphore(get_spec(bank).max_parallel)
    return _SEMAPHORES[key]


async def fetch_all(conns: list[ConnectionConfig], dd: DataDir, states: dict[str, SyncState], *,
                    progress: ProgressFn | None = None) -> list[Outcome]:
    """Every connection concurrently (without Prefect: used by tests and benchmarks)."""
    coros = [fetch_connection(c, dd, states.get(c.name, SyncState()), progress=progress,
                              semaphore=bank_semaphore(c.bank)) for c in conns]
    return list(await asyncio.gather(*coros))


def load_outcomes(dd: DataDir, outcomes: list[Outcome], run_id: str) -> list[Outcome]:
    """Single writer. Every successful connection's payloads (plus any landed earlier but never loaded,
    e.g. after a crash) go in one transaction; if that fails, each connection is loaded on its own so
    one bad payload cannot hold the others back. A failed connection loads nothing (its landed payloads
    stay in raw/ and are loaded by its next successful run)."""
    try:
        wh = dd.open_warehouse()
    except Exception as exc:  # the writer stayed busy (another sync, a rebuild) or cannot be opened
        _fail_all(outcomes, exc)
        dd.journal_runs([o.as_row(run_id) for o in outcomes])  # recorded by the next writer session
        return outcomes
    with wh:
        try:
            ok = [o for o in outcomes if o.ok]
            todo = {o.connection: [(o.bank, s) for s in set(o.shas) | _unloaded(dd, wh, o)] for o in ok}
            try:
                res = load_many(dd, wh, [item for items in todo.values() for item in items])
                for o in ok:
                    o.rows_inserted, o.rows_updated = res.per_connection.get(o.connection, (0, 0))
            except Exception:
                log.warning("batched load failed; loading connection by connection", exc_info=True)
                for o in ok:
                    _load_one(dd, wh, o, todo[o.connection])
            if ok:
                refresh_after_load(dd.root, wh)
        except Exception as exc:  # whatever failed, the run is recorded
            log.exception("loading the run failed")
            _fail_all([o for o in outcomes if o.ok], exc)
        for o in outcomes:
            if o.ok:
                dd.raw.mark_clean(o.bank, o.connection)
        wh.record_runs([o.as_row(run_id) for o in outcomes])
    return outcomes


def summarize(run_id: str, outcomes: list[Outcome]) -> dict:
    """The run's summary (what the CLI prints and the flow publishes): one row per connection, without
    the payload digests."""
    rows = []
    for o in outcomes:
        d = asdict(o)
        d.pop("shas")
        d["started_at"] = o.started_at.isoformat(timespec="seconds")
        d["finished_at"] = o.finished_at.isoformat(timespec="seconds") if o.finished_at else None
        rows.append(d)
    return {"run_id": run_id, "ok": all(o.ok for o in outcomes), "connections": rows}


def _fail_all(outcomes: list[Outcome], exc: Exception) -> None:
    """Mark the successful fetches as failed to load (their payloads stay landed and marked dirty: the
    next run of the connection loads them)."""
    what = exc.describe() if isinstance(exc, BankflowError) else f"{type(exc).__name__}: {exc}"
    for o in outcomes:
        if o.ok:
            o.status = "load_error"
            o.message = f"connection {o.connection!r}: not loaded ({what}); the next run loads it"
            o.finished_at = o.finished_at or _now()


def _unloaded(dd: DataDir, wh, o: Outcome) -> set[str]:
    """Payloads an earlier, interrupted run landed but did not load (looked for only then)."""
    if not o.recover:
        return set()
    return {p.name.split(".", 1)[0] for p in pending_shas(dd, wh, o.bank, o.connection)}


def _load_one(dd: DataDir, wh, o: Outcome, items: list[tuple[str, str]]) -> None:
    try:
        res = load_many(dd, wh, items)
        o.rows_inserted, o.rows_updated = res.per_connection.get(o.connection, (0, 0))
    except BankflowError as exc:
        o.status, o.message = exc.outcome, about(o.connection, o.bank, f"load failed: {exc.describe()}")
    except Exception as exc:
        log.exception("load of %s failed", o.connection)
        o.status = "load_error"
        o.message = (f"connection {o.connection!r}: load failed ({type(exc).__name__}: {exc}); "
                     "the warehouse is unchanged for it; run again")
    if not o.ok:  # what this load could not take must not become rows at a later rebuild
        moved = quarantine(dd, wh, items)
        if moved:
            o.message += f"; its {moved} unloaded payload(s) moved to {dd.root / 'rejected'}"


def quarantine(dd: DataDir, wh, items: list[tuple[str, str]]) -> int:
    """Move the landed payloads of ``items`` that the warehouse has not loaded out of ``raw/`` (into
    ``DATA/rejected/``, kept for a bug report): ``bankflow rebuild`` loads everything in raw/."""
    loaded = {r[0] for r in wh.fetch("loaded_sha_list.sql", [[s for _b, s in items]])}
    moved = 0
    for bank, sha in items:
        if sha in loaded:
            continue
        for path in dd.raw.find_all(bank, sha):
            dd.raw.move_out(path, dd.root / "rejected")
            moved += 1
    return moved


class _nullcontext:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
