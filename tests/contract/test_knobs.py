"""Bank-specific variations through the whole pipeline (warehouse vs ground truth): every Boursorama
CSV profile and export knob, Budgea's pagination modes and booking variants, LCL's history gate."""
from __future__ import annotations

import pytest

from connectors.boursorama.simulator.csv_profiles import PROFILES
from pipeline.sandbox import SandboxSet
from pipeline.datadir import DataDir

from .test_connectors import _per_account_truth, _per_account_warehouse, _sync

CASES = (
    [("boursorama", {"csv_profile": p}) for p in PROFILES]
    + [("boursorama", {"export_cap": 40}), ("boursorama", {"session_expiry_mid_export": True}),
       ("boursorama", {"export_flow": "get_legacy"}), ("boursorama", {"latency": 0.01})]
    + [("budgea", {"pagination": "offset"}), ("budgea", {"amounts_as_strings": True}),
       ("budgea", {"fail_5xx": 2})]
    + [("lcl", {"history_days": None}), ("lcl", {"history_days": 60})]
)


@pytest.mark.parametrize("bank, knobs", CASES, ids=[f"{b}-{'-'.join(f'{k}={v}' for k, v in kn.items())}"
                                                    for b, kn in CASES])
def test_warehouse_equals_truth(bank, knobs, tmp_path, monkeypatch):
    dd = DataDir(tmp_path)
    with SandboxSet([bank], knobs={bank: knobs}, common={"seed": 11}) as sims:
        outcomes = _sync(sims, dd, monkeypatch, "r1")
        assert all(o.ok for o in outcomes), [o.message for o in outcomes]
        assert _per_account_warehouse(dd) == _per_account_truth(sims)


@pytest.mark.parametrize("bank", ["boursorama", "lcl"])
def test_every_statement_as_evidence(bank, tmp_path, monkeypatch):
    """statements = "always" (the monthly-statements deployment, `bankflow backfill --connection`): the
    statements inside the API/CSV history are matched line by line to its rows, add nothing, and every
    reconciliation check passes."""
    dd = DataDir(tmp_path)
    with SandboxSet([bank], common={"seed": 11}) as sims:
        outcomes = _sync(sims, dd, monkeypatch, "r1", options={"statements": "always"})
        assert all(o.ok for o in outcomes), [o.message for o in outcomes]
        assert _per_account_warehouse(dd) == _per_account_truth(sims)
    with dd.open_warehouse() as wh:
        n_lines, n_matched = wh.query("SELECT count(*), count(matched_txn_id) FROM core.int_statement_matches "
                                      "WHERE covered").fetchone()
        failing = [(r.name, r.violations) for r in wh.run_checks() if r.severity == "error" and r.violations]
    assert n_lines > 0 and n_matched == n_lines
    assert failing == []
