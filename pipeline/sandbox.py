"""Start every registered bank simulator in a background thread and describe it as a bankflow config.

Used by ``bankflow demo`` and ``bankflow sandbox``, the shared contract tests and the benchmarks. The
simulators run on their own event loop and thread, so whatever the flow does on its own loop (Prefect,
DuckDB loads) never stalls them.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.base import Sandbox, SandboxConnection, TruthRow
from connectors.registry import all_specs


class SandboxSet:
    """``with SandboxSet(...) as sims:`` starts the simulators of ``banks`` (default: all that have one).

    ``knobs`` maps a bank to keyword arguments for its ``start_sandbox`` (``latency``, ``wrong_password``,
    ...); ``common`` applies to every bank.
    """

    def __init__(self, banks: Iterable[str] | None = None, *, knobs: dict[str, dict[str, Any]] | None = None,
                 common: dict[str, Any] | None = None, host: str = "127.0.0.1") -> None:
        specs = all_specs()
        self.banks = sorted(b for b in (banks or specs) if specs[b].start_sandbox is not None)
        self.knobs = knobs or {}
        self.common = common or {}
        self.host = host
        self.sandboxes: dict[str, Sandbox] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bankflow-sandboxes", daemon=True)

    def __enter__(self) -> "SandboxSet":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> "SandboxSet":
        self._thread.start()
        specs = all_specs()
        for bank in self.banks:
            kw = {**self.common, **self.knobs.get(bank, {})}
            self.sandboxes[bank] = self.call(specs[bank].start_sandbox(host=self.host, **kw))
        return self

    def call(self, coro: Any) -> Any:
        """Run a coroutine on the simulators' loop (e.g. to turn a knob) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=120)

    def stop(self) -> None:
        for sb in self.sandboxes.values():
            try:
                self.call(sb.close())
            except Exception:  # closing is best effort
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    @property
    def connections(self) -> list[SandboxConnection]:
        return [c for sb in self.sandboxes.values() for c in sb.connections]

    def truth(self) -> list[TruthRow]:
        return [r for sb in self.sandboxes.values() for r in sb.truth()]

    def write_truth(self, path: Path) -> int:
        rows = self.truth()
        table = pa.table({
            "bank": pa.array([r.bank for r in rows], pa.string()),
            "connection": pa.array([r.connection for r in rows], pa.string()),
            "account_number": pa.array([r.account_number for r in rows], pa.string()),
            "booking_date": pa.array([r.booking_date for r in rows], pa.date32()),
            "amount": pa.array([r.amount for r in rows], pa.decimal128(18, 2)),
            "label": pa.array([r.label for r in rows], pa.string()),
        })
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
        return len(rows)

    def config(self, *, env_prefix: str = "BANKFLOW_SANDBOX") -> tuple[str, dict[str, str]]:
        """A ready bankflow.toml text and the environment variables holding the secrets it references."""
        return sandbox_config(self.connections, env_prefix=env_prefix)

    def urls(self) -> dict[str, str]:
        return {b: sb.url for b, sb in self.sandboxes.items()}


class SandboxProcess:
    """The same simulators in a child process, as real banks would be: their CPU work (rendering
    JSON, CSV and PDF statements) then does not compete with the sync for this process's GIL. Used by
    ``bankflow demo`` and the benchmarks. Same surface as :class:`SandboxSet` minus ``call``."""

    def __init__(self, banks: Iterable[str] | None = None, *, knobs: dict[str, dict[str, Any]] | None = None,
                 common: dict[str, Any] | None = None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve_in_child, args=(child, list(banks) if banks else None,
                                                               knobs or {}, common or {}, os.getpid()),
                                 name="bankflow-sandboxes", daemon=True)
        self.banks: list[str] = []
        self.connections: list[SandboxConnection] = []
        self._urls: dict[str, str] = {}

    def __enter__(self) -> "SandboxProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> "SandboxProcess":
        self._proc.start()
        if not self._conn.poll(180):
            self._proc.kill()
            raise RuntimeError("the bank simulators did not start within 180 s")
        status, payload = self._conn.recv()
        if status != "ok":
            self._proc.join(5)
            raise RuntimeError(f"the bank simulators failed to start: {payload}")
        self.banks, self.connections, self._urls = payload
        return self

    def _ask(self, what: str) -> Any:
        self._conn.send(what)
        status, payload = self._conn.recv()
        if status != "ok":
            raise RuntimeError(payload)
        return payload

    def truth(self) -> list[TruthRow]:
        return self._ask("truth")

    def call(self, bank: str, method: str, *args: Any) -> Any:
        """Call a (synchronous) method of one bank's sandbox object, e.g. ``advance_days``."""
        return self._ask(("call", bank, method, args))

    write_truth = SandboxSet.write_truth
    config = SandboxSet.config
    urls = lambda self: dict(self._urls)  # noqa: E731

    def stop(self) -> None:
        if self._proc.is_alive():
            try:
                self._ask("stop")
            except (EOFError, OSError, RuntimeError):
                pass
            self._proc.join(10)
            if self._proc.is_alive():
                self._proc.kill()


def _serve_in_child(conn: Any, banks: list[str] | None, knobs: dict, common: dict, parent: int) -> None:
    from pipeline.lifeline import watch_parent

    watch_parent(parent)  # the simulators end with the process that started them, even on its SIGKILL
    try:
        sims = SandboxSet(banks, knobs=knobs, common=common).start()
    except BaseException as exc:  # report, do not hang the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ok", (sims.banks, sims.connections, sims.urls())))
    try:
        while True:
            try:
                what = conn.recv()
            except EOFError:
                break
            if what == "truth":
                conn.send(("ok", sims.truth()))
            elif isinstance(what, tuple) and what[0] == "call":
                _, bank, method, args = what
                try:
                    conn.send(("ok", getattr(sims.sandboxes[bank], method)(*args)))
                except Exception as exc:
                    conn.send(("error", f"{type(exc).__name__}: {exc}"))
            elif what == "stop":
                conn.send(("ok", None))
                break
            else:
                conn.send(("error", f"unknown request {what!r}"))
    finally:
        sims.stop()


def env_name(prefix: str, connection: str, field: str) -> str:
    return re.sub(r"[^A-Z0-9_]", "_", f"{prefix}_{connection}_{field}".upper())


def sandbox_config(conns: list[SandboxConnection], *, env_prefix: str) -> tuple[str, dict[str, str]]:
    lines = ["# bankflow.toml for the built-in simulators (written by bankflow)", ""]
    env: dict[str, str] = {}
    for c in conns:
        lines += [f"[connections.{c.name}]", f"bank = {_toml(c.bank)}", f"base_url = {_toml(c.base_url)}"]
        for field in sorted(c.secrets):
            var = env_name(env_prefix, c.name, field)
            env[var] = c.secrets[field]
            lines.append(f"{field} = {_toml('env:' + var)}")
        if c.options:
            lines.append(f"[connections.{c.name}.options]")
            lines += [f"{k} = {_toml(v)}" for k, v in sorted(c.options.items())]
        lines.append("")
    return "\n".join(lines), env


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return json.dumps(str(v), ensure_ascii=False)
