"""The one module that executes SQL. Statements live in ``.sql`` files next to it; Python passes bound
parameters only (never f-strings into SQL).

* ``migrations/NNN_*.sql`` run once each, in order, recorded in ``ops.schema_migrations``.
* ``views/*.sql`` are (re)created at every open, in file order (layers: ``1x`` intermediate, ``2x`` marts).
* ``loads/*.sql`` run in file order inside **one transaction** per load (DESIGN §1, "Atomic").
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from connectors.base import SyncState

_PKG = resources.files("warehouse")


@cache
def _sql_files(folder: str) -> tuple[tuple[str, str], ...]:
    d = _PKG.joinpath(folder)
    return tuple((f.name, f.read_text("utf-8")) for f in sorted(d.iterdir(), key=lambda f: f.name)
                 if f.name.endswith(".sql"))


@cache
def _views_digest() -> str:
    import hashlib

    # migrations count too: a changed table under an unchanged view needs the view re-bound
    parts = [n for n, _t in _sql_files("migrations")] + [t for _n, t in _sql_files("views")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def sql(folder: str, name: str) -> str:
    return dict(_sql_files(folder))[name]


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


@dataclass(frozen=True, slots=True)
class LoadFiles:
    """Lake files of the artifacts one load covers, per entity."""

    transactions: list[str]
    accounts: list[str]
    balances: list[str]
    statements: list[str]
    statement_lines: list[str]
    artifacts: list[str]


class Warehouse:
    """A DuckDB warehouse file. Single writer: open it from one process at a time for writing."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path), read_only=read_only)
        if not read_only:
            self.migrate()
            self.create_views()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------
    def migrate(self) -> list[str]:
        self.con.execute("CREATE SCHEMA IF NOT EXISTS ops")
        self.con.execute("CREATE TABLE IF NOT EXISTS ops.schema_migrations "
                         "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)")
        done = {r[0] for r in self.con.execute("SELECT name FROM ops.schema_migrations").fetchall()}
        applied = []
        for name, text in _sql_files("migrations"):
            if name in done:
                continue
            self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute(text)
                self.con.execute("INSERT INTO ops.schema_migrations VALUES (?, ?)", [name, _now()])
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            applied.append(name)
        return applied

    def create_views(self) -> None:
        """(Re)create the views when their SQL changed since the last open (a hash is kept in
        ``ops.view_version``): creating them all costs more than a small incremental load."""
        digest = _views_digest()
        self.con.execute("CREATE TABLE IF NOT EXISTS ops.view_version (digest VARCHAR)")
        row = self.con.execute("SELECT digest FROM ops.view_version").fetchone()
        if row and row[0] == digest:
            return
        self.con.execute("BEGIN TRANSACTION")
        try:
            for _name, text in _sql_files("views"):
                self.con.execute(text)
            self.con.execute("DELETE FROM ops.view_version")
            self.con.execute("INSERT INTO ops.view_version VALUES (?)", [digest])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    # -- loading --------------------------------------------------------------------------------
    def load(self, files: LoadFiles) -> LoadResult:
        """Load one batch of lake files in one transaction. On any error nothing of it stays."""
        params: dict[str, tuple[list[str], dict[str, Any]]] = {
            "01_stage.sql": (files.transactions, {"txn_files": files.transactions}),
            "02_transactions.sql": (files.transactions, {}),
            "02b_transactions_update.sql": (files.transactions, {}),
            "03_sightings.sql": (files.transactions, {"txn_files": files.transactions}),
            "04_accounts.sql": (files.accounts, {"account_files": files.accounts}),
            "05_accounts_from_transactions.sql": (files.transactions, {}),
            "06_balances.sql": (files.balances, {"balance_files": files.balances}),
            "07_statements.sql": (files.statements, {"statement_files": files.statements}),
            "08_statement_lines.sql": (files.statement_lines, {"line_files": files.statement_lines}),
            "09_raw_files.sql": (files.artifacts, {"artifact_files": files.artifacts, "loaded_at": _now()}),
        }
        con = self.con
        per_conn: dict[str, tuple[int, int]] = {}
        con.execute("BEGIN TRANSACTION")
        try:
            for name, text in _sql_files("loads"):
                needed, bound = params[name]
                if not needed:  # no file of that entity in this batch
                    continue
                con.execute(text, bound)
                if name == "01_stage.sql":
                    per_conn = {r[0]: (int(r[1]), int(r[2])) for r in con.execute(sql("queries", "stage_stats.sql")).fetchall()}
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return LoadResult(inserted=sum(v[0] for v in per_conn.values()), updated=sum(v[1] for v in per_conn.values()),
                          artifacts=len(files.artifacts), per_connection=per_conn)

    def restore_ops_history(self, tables: Mapping[str, Any]) -> None:
        """Append run-history rows read from a previous warehouse (``bankflow rebuild``): a mapping of
        ``sync_runs``/``checks``/``categorize_runs`` to Arrow tables; a missing one counts as empty."""
        names = ("sync_runs", "checks", "categorize_runs")
        for n in names:
            self.con.register(f"old_{n}", tables[n] if n in tables else self.con.table(f"ops.{n}").limit(0).to_arrow_table())
        try:
            self.con.execute(sql("queries", "restore_ops_history.sql"))
        finally:
            for n in names:
                self.con.unregister(f"old_{n}")

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
        self.con.execute("BEGIN TRANSACTION")
        try:
            for row in rows:
                self.record_run(row)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

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

    def fetch(self, name: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple]:
        """Run a named query from ``queries/`` and return its rows."""
        return self.con.execute(sql("queries", name), params or []).fetchall()

    def fetch_dicts(self, name: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a named query from ``queries/`` and return its rows as dicts keyed by column name."""
        cur = self.con.execute(sql("queries", name), params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
