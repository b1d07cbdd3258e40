"""Statement backfill on a Dask cluster: ``bankflow backfill-dask DIR [--address tcp://host:8786]``.

The same work as :func:`pipeline.importer.import_files` (land every file, parse each to the lake, load all
good files in one transaction), with the CPU-heavy step, :func:`pipeline.ingest.to_lake` on PDF
statements (~80 ms a page in pdfplumber), spread over a Dask cluster by prefect-dask's
``DaskTaskRunner``: one Prefect task per chunk of files. Worth it for bulk backfills (years of
statements, many users); a daily sync parses a handful of pages and keeps the local process pool.

Who does what:

* the flow (the driver) reads the user's files, recognises the bank and lands them in ``raw/`` (the
  user's folder need only be readable where the flow runs);
* each task parses its chunk's landed payloads from ``raw/`` into ``lake/``, so **every Dask worker
  must see the same data dir** (one machine, or a shared file system; object storage needs the fsspec
  lake, see docs/scaling.md); a file the parser refuses is reported and removed from ``raw/``;
* the flow then loads the lake files of every good file with one :func:`pipeline.ingest.load_many`
  (DuckDB takes one writer: only the driver writes the warehouse).

Tasks return small dicts (no records), keep no results and no cache (``NO_CACHE``), so no bank data
lands in Prefect's result storage. Needs the ``dask`` extra (prefect-dask).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from connectors.errors import BankflowError, ConfigError
from pipeline.importer import ImportResult, land_file
from pipeline.edits import refresh_after_load
from pipeline.datadir import DataDir
from pipeline.ingest import load_many, to_lake

#: files per Prefect task: a statement is 1-4 pages (0.1-0.3 s of parsing) and a task costs a few ms
#: of orchestration plus a round trip to the scheduler; 4 files keeps that overhead near 1%
DEFAULT_CHUNK = 4


def dask_task_runner(address: str | None = None, *, n_workers: int | None = None):
    """prefect-dask's runner: connect to the scheduler at ``address`` (``tcp://host:8786``), or start a
    temporary ``LocalCluster`` of worker *processes* (one thread each: pdfplumber is pure Python and
    holds the GIL) for the run."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:  # optional dependency
        raise ConfigError("the Dask runner needs prefect-dask, which is not installed",
                          remedy="pip install 'bankflow[dask]'") from exc
    if address:
        return DaskTaskRunner(address=address)
    kwargs: dict[str, Any] = {"processes": True, "threads_per_worker": 1, "dashboard_address": None}
    if n_workers:
        kwargs["n_workers"] = n_workers
    return DaskTaskRunner(cluster_kwargs=kwargs)


@task(name="parse-statements", task_run_name="parse-{first}+{n_more}", cache_policy=NO_CACHE,
      persist_result=False)
def parse_chunk(data_dir: str, paths: list[str], first: str = "", n_more: int = 0) -> list[dict]:
    """Runs on a Dask worker: each landed payload of ``paths`` to the lake. Returns, per path,
    ``{"path", "status", "message"}``; a refusal (ParseError and the like) is a result, not a failed
    task, so one bad statement never hides the others."""
    dd = DataDir(Path(data_dir))
    out = []
    for p in paths:
        try:
            to_lake(dd, Path(p))
            out.append({"path": p, "status": "ok", "message": ""})
        except BankflowError as exc:
            out.append({"path": p, "status": exc.outcome, "message": exc.describe()})
    return out


@flow(name="bankflow-parse-statements", log_prints=False, persist_result=False)
def parse_statements_flow(paths: list[str] | None = None, data_dir: str = "data", folder: str | None = None,
                          connection: str = "backfill", bank: str | None = None,
                          chunk_size: int = DEFAULT_CHUNK) -> list[dict]:
    """Land ``paths`` (or every PDF under ``folder``), parse them on the flow's task runner (run it
    through :func:`run_on_dask`, or ``.with_options(task_runner=dask_task_runner(...))``), load the
    good ones in one transaction. Returns one :class:`pipeline.importer.ImportResult` (as a dict) per file."""
    files = [Path(p) for p in paths or []]
    if folder:
        files += sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() == ".pdf")
    dd = DataDir(Path(data_dir))
    results: list[ImportResult] = []
    by_path: dict[str, list[ImportResult]] = {}  # two copies of one file land once: one path, two results
    for f in files:
        res, path = land_file(dd, f, connection=connection, bank=bank)
        results.append(res)
        if path is not None:
            by_path.setdefault(str(path), []).append(res)
    todo = list(by_path)
    chunk_size = max(1, chunk_size)
    futures = [parse_chunk.submit(str(dd.root), todo[i:i + chunk_size], first=Path(todo[i]).name[:12],
                                  n_more=len(todo[i:i + chunk_size]) - 1)
               for i in range(0, len(todo), chunk_size)]
    for i, fut in zip(range(0, len(todo), chunk_size), futures):
        fut.wait()
        rows = fut.result(raise_on_failure=False)
        if not isinstance(rows, list):  # the task itself failed (worker lost, bug): its files failed
            rows = [{"path": p, "status": "error", "message": f"parse task ended {fut.state.name}: {rows}"}
                    for p in todo[i:i + chunk_size]]
        reported = {r["path"] for r in rows}
        rows += [{"path": p, "status": "error", "message": f"{p}: the parse task returned no result for it"}
                 for p in todo[i:i + chunk_size] if p not in reported]
        for r in rows:
            if r["status"] == "ok":
                continue
            for res in by_path[r["path"]]:
                res.status, res.message = r["status"], r["message"]
            if any(res.new for res in by_path[r["path"]]):  # a refused file leaves no trace (as import_files)
                dd.raw.discard(Path(r["path"]))
    good = [r for r in results if r.status == "ok" and r.sha256 and r.bank]
    if good:
        with dd.open_warehouse() as wh:
            before = dict(wh.fetch("rows_by_raw_file.sql"))
            load_many(dd, wh, [(r.bank, r.sha256) for r in good])  # type: ignore[misc]
            after = dict(wh.fetch("rows_by_raw_file.sql"))
            for r in good:
                r.rows_inserted = after.get(r.sha256, 0) - before.get(r.sha256, 0)
            refresh_after_load(dd.root, wh)
    return [asdict(r) for r in results]


def run_on_dask(files: Sequence[Path], data_dir: Path, *, address: str | None = None,
                n_workers: int | None = None, connection: str = "backfill", bank: str | None = None,
                chunk_size: int = DEFAULT_CHUNK) -> list[ImportResult]:
    """:func:`parse_statements_flow` with a Dask task runner (``address`` or a temporary LocalCluster)."""
    runner = dask_task_runner(address, n_workers=n_workers)
    with _api_for_workers():
        rows = parse_statements_flow.with_options(task_runner=runner)(
            paths=[str(f) for f in files], data_dir=str(data_dir), connection=connection, bank=bank,
            chunk_size=chunk_size)
    return [ImportResult(**r) for r in rows]


@contextlib.contextmanager
def _api_for_workers() -> Iterator[None]:
    """Give the Dask workers this process's Prefect API. With no ``PREFECT_API_URL`` Prefect runs on a
    temporary local server that only this process knows: each worker process would start a temporary
    server of its own (~12 s each, measured) and record the task runs there. Starting Prefect's own
    temporary server explicitly and putting its URL in the settings, which prefect-dask sends along with
    every task, makes the workers report to it. Workers on other machines cannot reach 127.0.0.1: a real
    cluster needs a real server (``PREFECT_API_URL`` set where the flow runs)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one instance Prefect itself would start in this process
    server.start()
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield

