"""The one shared suite every connector with a simulator runs (Singer-SDK style): sync against the
sandbox over real sockets, then compare the warehouse with the simulator's ground truth."""
from __future__ import annotations

import asyncio
import dataclasses
import os
from collections import defaultdict
from decimal import Decimal

import pytest

from connectors.registry import all_specs
from pipeline.config import parse_config
from pipeline.runner import fetch_all, load_outcomes
from pipeline.sandbox import SandboxSet
from pipeline.datadir import DataDir
import tomllib

BANKS = sorted(b for b, s in all_specs().items() if s.start_sandbox is not None)


def _sync(sims: SandboxSet, dd: DataDir, monkeypatch, run_id: str, options: dict | None = None):
    text, env = sims.config(env_prefix="BF_CONTRACT")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    cfg = parse_config(tomllib.loads(text))
    conns = [dataclasses.replace(c, options={**c.options, **(options or {})}) for c in cfg.connections]
    outcomes = asyncio.run(fetch_all(conns, dd, {}))
    return load_outcomes(dd, outcomes, run_id)


def _per_account_truth(sims: SandboxSet) -> dict[str, tuple[int, Decimal]]:
    acc: dict[str, list] = defaultdict(lambda: [0, Decimal("0")])
    for r in sims.truth():
        acc[r.account_number][0] += 1
        acc[r.account_number][1] += r.amount
    return {k: (n, s) for k, (n, s) in acc.items()}


def _per_account_warehouse(dd: DataDir) -> dict[str, tuple[int, Decimal]]:
    with dd.open_warehouse(read_only=True) as wh:
        rows = wh.fetch("per_account_booked.sql")
    return {r[0]: (int(r[1]), r[2]) for r in rows}


@pytest.mark.parametrize("bank", BANKS)
def test_full_sync_equals_ground_truth_and_second_sync_adds_nothing(bank, tmp_path, monkeypatch):
    dd = DataDir(tmp_path)
    with SandboxSet([bank], common={"seed": 7}) as sims:
        first = _sync(sims, dd, monkeypatch, "r1")
        assert all(o.ok for o in first), [o.message for o in first]
        truth = _per_account_truth(sims)
        assert truth, "the sandbox has no ground truth"
        assert _per_account_warehouse(dd) == truth
        second = _sync(sims, dd, monkeypatch, "r2")
        assert all(o.ok for o in second), [o.message for o in second]
        assert sum(o.rows_inserted for o in second) == 0
        assert sum(o.rows_updated for o in second) == 0
        assert _per_account_warehouse(dd) == truth


@pytest.mark.parametrize("bank", BANKS)
def test_wrong_password_fails_only_that_connection_and_loads_nothing_of_it(bank, tmp_path, monkeypatch):
    dd = DataDir(tmp_path)
    with SandboxSet([bank], knobs={bank: {"wrong_password": True}}, common={"seed": 7}) as sims:
        outcomes = _sync(sims, dd, monkeypatch, "r1")
        bad = outcomes[0]
        assert bad.status == "auth_error", bad.message
        assert bad.connection in bad.message
        assert all(o.ok for o in outcomes[1:]), [o.message for o in outcomes[1:]]
        for secret in sims.connections[0].secrets.values():
            assert secret not in bad.message
    with dd.open_warehouse(read_only=True) as wh:
        n = wh.query("SELECT count(*) FROM core.transactions WHERE connection = ?", [bad.connection]).fetchone()[0]
        status = wh.query("SELECT status FROM ops.sync_runs WHERE connection = ?", [bad.connection]).fetchone()[0]
    assert n == 0 and status == "auth_error"


def test_the_suite_can_fail(tmp_path, monkeypatch):
    """The comparison above is not vacuous: one changed cent makes the per-account sums differ."""
    if not BANKS:
        pytest.skip("no connector with a simulator")
    dd = DataDir(tmp_path)
    with SandboxSet([BANKS[0]], common={"seed": 7}) as sims:
        _sync(sims, dd, monkeypatch, "r1")
        truth = _per_account_truth(sims)
    with dd.open_warehouse() as wh:
        wh.query("UPDATE core.transactions SET amount = amount + 0.01 WHERE txn_id = "
                 "(SELECT min(txn_id) FROM core.transactions WHERE NOT pending AND deleted_at IS NULL)")
        wh.recompute_derived()  # the ledger is materialized at load: a change by hand needs this
    assert _per_account_warehouse(dd) != truth


@pytest.mark.parametrize("bank", BANKS)
def test_a_run_that_died_before_its_load_is_completed_by_the_next(bank, tmp_path, monkeypatch):
    """Invariant 4: payloads landed by a run that crashed before loading are loaded by the next run,
    once, even when that run does not fetch them again."""
    dd = DataDir(tmp_path)
    with SandboxSet([bank], common={"seed": 7}) as sims:
        text, env = sims.config(env_prefix="BF_CONTRACT")
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        cfg = parse_config(tomllib.loads(text))
        crashed = asyncio.run(fetch_all(cfg.connections, dd, {}))  # ... and no load_outcomes: the crash
        assert all(o.ok for o in crashed)
        assert not dd.warehouse_path.exists() or _per_account_warehouse(dd) == {}
        assert all(dd.raw.is_dirty(o.bank, o.connection) for o in crashed)
        # the next run notices, and loads what was landed even if it does not fetch it again (as an
        # incremental run would not): simulated by forgetting what it fetched
        nxt = asyncio.run(fetch_all(cfg.connections, dd, {}))
        assert all(o.ok and o.recover for o in nxt)
        for o in nxt:
            o.shas = []
        load_outcomes(dd, nxt, "r2")
        assert _per_account_warehouse(dd) == _per_account_truth(sims)
        assert not any(dd.raw.is_dirty(o.bank, o.connection) for o in nxt)
        _sync(sims, dd, monkeypatch, "r3")
        assert _per_account_warehouse(dd) == _per_account_truth(sims)
        with dd.open_warehouse(read_only=True) as wh:
            dupes = wh.query("SELECT count(*) - count(DISTINCT raw_sha256) FROM core.raw_files").fetchone()[0]
        assert dupes == 0


@pytest.mark.parametrize("bank", BANKS)
def test_reconciliation_checks_pass_on_a_full_sync(bank, tmp_path, monkeypatch):
    """Every balance the simulated bank reported is reproduced by the ledger (to the cent), statements
    add up and every statement line inside API coverage found its row."""
    dd = DataDir(tmp_path)
    with SandboxSet([bank], common={"seed": 7}) as sims:
        _sync(sims, dd, monkeypatch, "r1")
    with dd.open_warehouse() as wh:
        results = {r.name: r for r in wh.run_checks()}
        n_balances = wh.query("SELECT count(*) FROM core.balances").fetchone()[0]
    assert n_balances > 0
    failing = {n: (r.violations, r.sample) for n, r in results.items() if r.severity == "error" and r.violations}
    assert failing == {}
