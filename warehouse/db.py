"""The one module that executes SQL. Statements live in ``.sql`` files next to it; Python passes bound
parameters only (never f-strings into SQL).

* ``migrations/NNN_*.sql`` run once each, in order, recorded in ``ops.schema_migrations``;
  ``000_bookkeeping.sql`` (idempotent) runs first at every open, since it creates that record.
* ``views/*.sql`` are (re)created when their SQL changed, in file order (layers: ``1x`` intermediate,
  ``2x`` marts).
* ``loads/*.sql`` run in file order inside **one transaction** per load (docs/design.md §1.1, invariant 4).
  Each declares in its header comment when it runs and what it binds (see :class:`LoadStep`); a new file
  there is picked up with no change here.
* ``checks/*.sql`` return the rows that violate them; ``queries/*.sql`` are named queries.
* ``compute/*.sql`` run on a private in-memory DuckDB over Arrow tables (:func:`compute`): the identity
  keys of a payload's rows, computed column-wise.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from connectors.base import SyncState
from warehouse.failures import fault_point, unusable

_PKG = resources.files("warehouse")


@cache
def _sql_files(folder: str) -> tuple[tuple[str, str], ...]:
    d = _PKG.joinpath(folder)
    return tuple((f.name, f.read_text("utf-8")) for f in sorted(d.iterdir(), key=lambda f: f.name)
                 if f.name.endswith(".sql"))


@cache
def _views_digest() -> str:
    # migrations count too: a changed table under an unchanged view needs the view re-bound
    parts = [n for n, _t in _sql_files("migrations")] + [t for _n, t in _sql_files("views")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def sql(folder: str, name: str) -> str:
    return dict(_sql_files(folder))[name]


_HEADER = re.compile(r"^--\s*(when|params|reports|if):\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class LoadStep:
    """One ``loads/*.sql`` file and what its header comment declares::

        -- when: transactions                          run only when the batch has files of this entity
        -- params: txn_files = transactions, loaded_at = now   bind each name to an entity's files, or now
        -- reports: stage_stats.sql                     then read per-connection (inserted, updated) counts
        -- if: refresh_all_accounts.sql                 run only when this named query returns true
    """

    name: str
    text: str
    when: str | None
    params: tuple[tuple[str, str], ...]
    reports: str | None
    condition: str | None = None

    @classmethod
    def parse(cls, name: str, text: str) -> "LoadStep":
        found: dict[str, str] = {}
        for line in text.splitlines():
            m = _HEADER.match(line)
            if not m:
                if not line.startswith("--"):
                    break
                continue
            found[m.group(1)] = m.group(2)
        params = tuple((k.strip(), v.strip()) for k, v in
                       (p.split("=", 1) for p in found.get("params", "").split(",") if p.strip()))
        return cls(name, text, found.get("when"), params, found.get("reports"), found.get("if"))

    def bind(self, files: Mapping[str, Sequence[str]], now: dt.datetime) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, source in self.params:
            if source == "now":
                out[name] = now
            elif source in files:
                out[name] = list(files[source])
            else:
                raise ValueError(f"warehouse/loads/{self.name}: parameter {name} = {source}: "
                                 f"not an entity of this load ({', '.join(sorted(files))}) nor 'now'")
        return out


@cache
def load_steps() -> tuple[LoadStep, ...]:
    """Every ``loads/*.sql`` file, in file order."""
    return tuple(LoadStep.parse(n, t) for n, t in _sql_files("loads"))


@dataclass(frozen=True, slots=True)
class LoadResult:
    inserted: int = 0
    updated: int = 0
    artifacts: int = 0
    #: connection -> (inserted, updated)
    per_connection: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    severity: str  # "error" | "warning"
    columns: list[str]
    violations: int
    sample: list[tuple]


#: lake files of one load's artifacts, per entity (transactions, accounts, balances, statements, ...)
LoadFiles = Mapping[str, Sequence[str]]


class Warehouse:
    """A DuckDB warehouse file. Single writer: open it from one process at a time for writing (the data
    dir's writer file, under its writer lock: see :mod:`warehouse.snapshot`); readers open the published
    snapshot read-only. ``on_close`` runs after the connection is closed (the data dir publishes there).
    Opening raises :class:`WarehouseUnusable` for a damaged, locked or read-only file."""

    def __init__(self, path: Path, *, read_only: bool = False,
                 on_close: Callable[[], None] | None = None, memory_limit: str | None = None) -> None:
        """``memory_limit`` (DuckDB's, e.g. ``"150MB"``): past it DuckDB spills to disk instead of growing
        (``bankflow import`` of a large file keeps its memory flat with it); default DuckDB's own."""
        self.path = Path(path)
        self._on_close = on_close
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only,
                                      config={"memory_limit": memory_limit} if memory_limit else {})
        except duckdb.Error as exc:
            raise unusable(self.path, exc) or exc from None
        try:
            if not read_only:
                self.migrate()
                self.create_views()
                if self.fetch("refresh_pending.sql")[0][0]:  # a migration asked for every account to be computed
                    with self.transaction():
                        self.refresh_derived()
        except duckdb.Error as exc:
            self.con.close()
            raise unusable(self.path, exc) or exc from None

    def close(self) -> None:
        self.con.close()
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, each in its own transaction. Returns their names."""
        migrations = _sql_files("migrations")
        self.con.execute(migrations[0][1])  # 000_bookkeeping.sql: idempotent, creates the record itself
        done = {r[0] for r in self.fetch("applied_migrations.sql")}
        applied = []
        for name, text in migrations:
            if name in done:
                continue
            with self.transaction():
                self.con.execute(text)
                self.con.execute(sql("queries", "record_migration.sql"), {"name": name, "applied_at": _now()})
            applied.append(name)
        return applied

    def create_views(self) -> None:
        """(Re)create the views when their SQL changed since the last open (a hash is kept in
        ``ops.view_version``): creating them all costs more than a small incremental load."""
        digest = _views_digest()
        row = self.con.execute(sql("queries", "view_digest.sql")).fetchone()
        if row and row[0] == digest:
            return
        with self.transaction():
            for _name, text in _sql_files("views"):
                self.con.execute(text)
            self.con.execute(sql("queries", "clear_view_digest.sql"))
            self.con.execute(sql("queries", "record_view_digest.sql"), {"digest": digest})

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """``with wh.transaction():`` commits on success, rolls back on any exception (re-raised)."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- loading --------------------------------------------------------------------------------
    def load(self, files: LoadFiles) -> LoadResult:
        """Load one batch of lake files (entity -> files) in one transaction, running each
        ``loads/*.sql`` whose entity has files. On any error nothing of it stays."""
        now = _now()
        per_conn: dict[str, tuple[int, int]] = {}
        with self.transaction() as con:
            for step in load_steps():
                if (step.when is not None and not files.get(step.when)) or not self._condition_holds(step):
                    continue  # no file of that entity in this batch, or its `-- if:` query says no
                fault_point(f"load:{step.name}")
                con.execute(step.text, step.bind(files, now))
                if step.reports:
                    per_conn = {r[0]: (int(r[1]), int(r[2])) for r in self.fetch(step.reports)}
            fault_point("load:commit")
        return LoadResult(inserted=sum(v[0] for v in per_conn.values()), updated=sum(v[1] for v in per_conn.values()),
                          artifacts=len(files.get("artifacts", ())), per_connection=per_conn)

    def refresh_derived(self, *, by_groups: bool = False) -> None:
        """Recompute the identity results of ``core.refresh_scope``/``refresh_amounts`` in a transaction, as a
        load ends (``loads/10e`` when every account is named, else ``11``). ``by_groups``: always ``11``."""
        names = ("10e_refresh_all.sql", "11_refresh_derived.sql")[by_groups:]  # all accounts in one pass; by groups
        for step in load_steps():
            if step.name in names and self._condition_holds(step):
                self.con.execute(step.text)

    def recompute_derived(self, *, by_groups: bool = False) -> None:
        """Recompute every account's identity results in one transaction (core tables changed by hand).
        ``by_groups``: by a load's per-group path (copies), the reference the tests compare the one pass to."""
        with self.transaction():
            self.con.execute(sql("queries", "scope_all_accounts.sql"))
            self.refresh_derived(by_groups=by_groups)

    def _condition_holds(self, step: LoadStep) -> bool:
        return step.condition is None or bool(self.fetch(step.condition)[0][0])

    def replace_from(self, query: str, tables: Mapping[str, pa.Table], *, params: Mapping[str, Any] | None = None) -> None:
        """Run the named query ``query`` with the Arrow ``tables`` visible under their names (how the
        user's edits and the run history reach the warehouse)."""
        for name, table in tables.items():
            self.con.register(name, table)
        try:
            self.con.execute(sql("queries", query), dict(params) if params else None)
        finally:
            for name in tables:
                self.con.unregister(name)

    def restore_ops_history(self, tables: Mapping[str, Any]) -> None:
        """Append run-history rows read from a previous warehouse (``bankflow rebuild``): a mapping of
        ``sync_runs``/``checks``/``categorize_runs`` to Arrow tables; a missing one counts as empty."""
        self.replace_from("restore_ops_history.sql", {
            f"old_{n}": tables[n] if n in tables else self.con.table(f"ops.{n}").limit(0).to_arrow_table()
            for n in OPS_HISTORY})

    def loaded_shas(self, bank: str, connection: str) -> set[str]:
        rows = self.con.execute(sql("queries", "loaded_shas.sql"), [bank, connection]).fetchall()
        return {r[0] for r in rows}

    def sync_state(self, bank: str, connection: str) -> SyncState:
        row = self.con.execute(sql("queries", "sync_state.sql"), [bank, connection]).fetchone()
        return SyncState(max_source_updated_at=row[0], max_booking_date=row[1]) if row else SyncState()

    def record_run(self, row: Mapping[str, Any]) -> None:
        self.con.execute(sql("queries", "record_run.sql"), dict(row))

    def record_runs(self, rows: list[Mapping[str, Any]]) -> None:
        """Record several connections' outcomes in one transaction."""
        with self.transaction():
            for row in rows:
                self.record_run(row)

    # -- checks ---------------------------------------------------------------------------------
    def run_checks(self, *, record: bool = True, sample: int = 5) -> list["CheckResult"]:
        """Run every ``checks/*.sql`` (each returns the rows that violate it) and record the counts in
        ``ops.checks``."""
        results = []
        for name, text in _sql_files("checks"):
            severity = "warning" if "-- severity: warning" in text.split("\n", 1)[0] else "error"
            cur = self.con.execute(text)
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            results.append(CheckResult(name=name.removesuffix(".sql"), severity=severity, columns=cols,
                                       violations=len(rows), sample=rows[:sample]))
        if record:
            now = _now()
            for r in results:
                self.con.execute(sql("queries", "record_check.sql"),
                                 [now, r.name, r.violations, repr(r.sample[:3]) if r.sample else None])
        return results

    # -- reading --------------------------------------------------------------------------------
    def query(self, text: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run an analyst query (the CLI's ``bankflow query``; the statement is the user's own). The
        result supports ``fetchall()``, ``fetchone()`` and ``df()``."""
        return self.con.execute(text, params or [])

    def export_parquet(self, text: str, path: Path) -> int:
        """Write an analyst query's result to a Parquet file, DECIMAL columns as Parquet decimals (exact
        in pandas, Polars, Arrow, Spark). Returns the number of rows."""
        rel = self.con.sql(text)
        rel.write_parquet(str(path))
        return int(self.con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0])

    def fetch(self, name: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple]:
        """Run a named query from ``queries/`` and return its rows."""
        return self.con.execute(sql("queries", name), params or []).fetchall()

    def fetch_arrow(self, name: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> pa.Table:
        """Run a named query from ``queries/`` and return its rows as an Arrow table (no Python object per
        row: for the queries that return the whole ledger)."""
        # execute(), not con.sql(): DuckDB refuses sql() while an earlier execute() result on this connection
        # is not fetched to the end (a caller's fetchone()); the copy it warns about costs ~0.04 s at 1M rows
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
            return self.con.execute(sql("queries", name), params or []).to_arrow_table()

    def run(self, name: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> None:
        """Run a named statement from ``queries/`` (an insert or update) for its effect."""
        self.con.execute(sql("queries", name), params or [])

    def fetch_dicts(self, name: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a named query from ``queries/`` and return its rows as dicts keyed by column name."""
        cur = self.con.execute(sql("queries", name), params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# -- run history carried over by rebuild ------------------------------------------------------------
OPS_HISTORY = ("sync_runs", "checks", "categorize_runs")


def read_ops_history(path: Path) -> dict[str, pa.Table]:
    """The ``ops`` run-history tables of an existing warehouse file (empty when there is none, or when
    it cannot be read: a damaged warehouse is a reason to rebuild, not a reason to fail)."""
    if not Path(path).exists():
        return {}
    out: dict[str, pa.Table] = {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            for name in OPS_HISTORY:
                try:
                    out[name] = con.table(f"ops.{name}").to_arrow_table()
                except duckdb.CatalogException:  # an older warehouse without that table
                    pass
    except duckdb.Error:
        return {}
    return out


# -- in-memory computation over Arrow tables ----------------------------------------------------------
_MEM: tuple[int, duckdb.DuckDBPyConnection] | None = None  # (pid, in-memory DuckDB) of this process
_MEM_LOCK = threading.Lock()
# A DuckDB inherited through fork must never be closed or collected in the child: its destructor waits
# for worker threads that only exist in the parent (the child hangs). It is parked here instead.
_INHERITED: list[duckdb.DuckDBPyConnection] = []


def _memory_cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on this process's in-memory DuckDB, created on first use (and again in a forked child: a
    DuckDB opened before a fork is not used after it)."""
    global _MEM
    with _MEM_LOCK:
        if _MEM is None or _MEM[0] != os.getpid():
            if _MEM is not None:
                _INHERITED.append(_MEM[1])
            con = duckdb.connect(":memory:")
            con.execute(sql("compute", "macros.sql"))
            _MEM = (os.getpid(), con)
        return _MEM[1].cursor()


def compute(name: str, tables: Mapping[str, pa.Table]) -> pa.Table:
    """Run ``compute/<name>`` over Arrow ``tables`` (visible under their names) on this process's private
    in-memory DuckDB; no warehouse file is involved. Thread-safe (a cursor per call) and fork-safe."""
    cur = _memory_cursor()
    try:
        for tname, table in tables.items():
            cur.register(tname, table)
        return cur.sql(sql("compute", name)).to_arrow_table()
    finally:
        cur.close()
