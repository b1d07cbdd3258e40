"""Banks are never hammered: two syncs at once (two processes, as two schedules or two workers would
run them) against one Budgea simulator that allows RATE requests per WINDOW seconds and answers 429
beyond. With the per-bank Prefect limit (bankflow-bank-budgea, 1 slot, made by `bankflow deploy`) and
each connection's pacing, the simulator rejects nothing; without the limit it does (the control)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import time
import tomllib
from pathlib import Path

import duckdb

from pipeline.config import parse_config
from pipeline.runner import fetch_all
from pipeline.sandbox import SandboxSet
from pipeline.datadir import DataDir

from .conftest import BANKFLOW, Server
from .helpers import write_config

RATE, WINDOW = 6, 1.0
#: one connection at a time, each paced so that even a hand-over between two connections stays under
#: RATE in any WINDOW (a connection's first request is not paced against the previous connection's last)
MIN_INTERVAL = WINDOW / (RATE - 2)
KNOBS = {"budgea": {"rate_limit_per_min": RATE, "rate_window": WINDOW}}


def _fetch_windows(data_dir: Path) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT connection, status, started_at, finished_at FROM ops.sync_runs").fetchall()
    finally:
        con.close()


def test_two_syncs_at_once_stay_under_the_bank_rate(deployed: Server, tmp_path: Path) -> None:
    with SandboxSet(banks=["budgea"], knobs=KNOBS) as sims:
        sb = sims.sandboxes["budgea"]
        cfg = tmp_path / "bankflow.toml"
        env = write_config(cfg, sims.connections, env_prefix="BANKFLOW_RL", min_interval=MIN_INTERVAL)
        dirs = [tmp_path / "a", tmp_path / "b"]
        started = time.monotonic()
        procs = [subprocess.Popen([*BANKFLOW, "sync", "--config", str(cfg), "--data-dir", str(d)],
                                  env={**deployed.env, **env, "COLUMNS": "200"}, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for d in dirs]
        try:
            outs = [p.communicate(timeout=240)[0] for p in procs]
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        elapsed = time.monotonic() - started
        assert [p.returncode for p in procs] == [0, 0], "\n".join(outs)
        assert sb.rejected_429 == 0
        n_conns = len(sims.connections)
        assert n_conns >= 2 and sb.requests_total > RATE * 2  # enough traffic to break the limit unpaced

    # the four fetches (2 runs x 2 connections) held the bank's one slot in turn: no two overlap
    windows = sorted((w[2], w[3], w[0], i) for i, d in enumerate(dirs) for w in _fetch_windows(d))
    assert len(windows) == 2 * n_conns and {w[1] for d in dirs for w in _fetch_windows(d)} == {"ok"}
    for (s1, f1, *_), (s2, f2, *_) in zip(windows, windows[1:]):
        assert s2 >= f1, windows
    print(f"\nmeasured: two concurrent syncs, {sb.requests_total} requests, {elapsed:.1f} s, 0 rejected")


async def test_without_the_bank_limit_the_simulator_rejects(tmp_path: Path) -> None:
    """The control: the same two syncs, paced but without the shared slot, exceed the bank's rate."""
    with SandboxSet(banks=["budgea"], knobs=KNOBS) as sims:
        cfg_path = tmp_path / "bankflow.toml"
        env = write_config(cfg_path, sims.connections, env_prefix="BANKFLOW_RLC", min_interval=MIN_INTERVAL)
        os.environ.update(env)
        try:
            cfg = parse_config(tomllib.loads(cfg_path.read_text()))
            runs = [fetch_all(cfg.connections, DataDir(Path(tempfile.mkdtemp(dir=tmp_path))), {}) for _ in range(2)]
            try:
                await asyncio.wait_for(asyncio.gather(*runs), timeout=6)
            except TimeoutError:
                pass  # the 429s (and Retry-After waits) are what this test is about, not the outcome
        finally:
            for k in env:
                os.environ.pop(k, None)
        assert sims.sandboxes["budgea"].rejected_429 > 0


async def test_bank_slot_waits_for_the_shared_limit_and_skips_a_missing_one(deployed: Server) -> None:
    from prefect.concurrency.asyncio import concurrency
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.sync import bank_slot

    with temporary_settings(updates={PREFECT_API_URL: deployed.url}):
        async with bank_slot("no-such-bank", timeout=1) as applied:
            assert applied is False  # no limit on the server: nothing to wait for
        async with concurrency("bankflow-bank-lcl", occupy=1, strict=True):  # another run holds LCL's slot
            started = time.monotonic()
            try:
                async with bank_slot("lcl", timeout=2):
                    raise AssertionError("took a slot the other run holds")
            except TimeoutError:
                pass
            assert time.monotonic() - started >= 1.5
        async with bank_slot("lcl", timeout=5) as applied:  # released: taken at once
            assert applied is True


async def test_a_run_asks_the_server_for_each_bank_limit_once(deployed: Server, monkeypatch) -> None:
    """Every connection of a bank takes its slot, but whether the bank has a limit is asked once per flow
    run (each lookup costs the server CPU while the fetches run); a new run, or a call outside a run,
    asks again."""
    from prefect import flow, task
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows import sync as fs

    asked: list[str] = []
    real = fs._bank_limit_exists

    async def counted(name: str) -> bool:
        asked.append(name)
        return await real(name)
    monkeypatch.setattr(fs, "_bank_limit_exists", counted)

    @task
    async def connection(bank: str) -> bool:
        async with fs.bank_slot(bank, timeout=5) as applied:
            return applied

    @flow
    async def run() -> list[bool]:
        return list(await asyncio.gather(*(connection(b) for b in ("lcl", "lcl", "lcl", "no-such-bank"))))

    with temporary_settings(updates={PREFECT_API_URL: deployed.url}):
        assert await run() == [True, True, True, False]
        assert sorted(asked) == ["bankflow-bank-lcl", "bankflow-bank-no-such-bank"]
        assert await run() == [True, True, True, False]
        assert len(asked) == 4
        async with fs.bank_slot("lcl", timeout=5), fs.bank_slot("no-such-bank", timeout=5):
            pass
        assert len(asked) == 6
