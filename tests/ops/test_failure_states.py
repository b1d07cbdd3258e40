"""Failures as Prefect states: a failed connection's fetch task ends Failed with a name that says who
acts next (NeedsUser / RetryLater / NeedsFix), the table artifact says the same, and the others load."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from connectors import errors
from pipeline.sandbox import SandboxSet
from flows.sync import NEXT_STEPS, STATE_NAMES, _failed_run_state, next_step

from .conftest import BANKFLOW, Server
from .helpers import write_config


@pytest.mark.parametrize("cls, step", [
    (errors.AuthError, "needs_user"), (errors.SCARequired, "needs_user"), (errors.ActionNeeded, "needs_user"),
    (errors.ConfigError, "needs_user"), (errors.TransientError, "retry_later"), (errors.RateLimited, "retry_later"),
    (errors.ProtocolChanged, "needs_fix"), (errors.ParseError, "needs_fix"),
])
def test_every_error_class_says_who_acts(cls, step):
    assert next_step(cls.outcome) == step
    assert cls.retryable == (step == "retry_later")  # the states agree with the errors' own retry flag


def test_a_deployment_run_state_names_the_most_demanding_failure():
    rows = [{"connection": "a", "status": "rate_limited"}, {"connection": "b", "status": "sca_required"},
            {"connection": "c", "status": "ok"}]
    st = _failed_run_state({"connections": rows})
    assert st.is_failed() and st.name == "NeedsUser"
    assert "2 of 3 connections failed" in st.message and "b sca_required" in st.message
    st = _failed_run_state({"connections": rows[:1] + rows[2:]})
    assert st.name == "RetryLater"


def test_wrong_token_fails_its_task_as_needs_user_and_the_rest_loads(prefect_server: Server, tmp_path: Path):
    with SandboxSet(banks=["budgea"], common={"wrong_password": True}) as sims:
        cfg, data = tmp_path / "bankflow.toml", tmp_path / "data"
        env = write_config(cfg, sims.connections, env_prefix="BANKFLOW_FS")
        bad = sims.connections[0].name
        p = subprocess.run([*BANKFLOW, "sync", "--config", str(cfg), "--data-dir", str(data)],
                           env={**prefect_server.env, **env, "COLUMNS": "200"}, capture_output=True, text=True,
                           timeout=180)
    assert p.returncode == 1, p.stdout + p.stderr
    assert bad in p.stderr
    with prefect_server.api() as api:
        runs = [r for r in api.post("/flow_runs/filter", json={}).json()
                if r["parameters"].get("data_dir") == str(data)]
        assert len(runs) == 1
        run = runs[0]
        assert run["state"]["type"] == "COMPLETED"  # a command-line run: the exit code carries the failure
        tasks = {t["name"]: t["state"] for t in api.post(
            "/task_runs/filter", json={"flow_runs": {"id": {"any_": [run["id"]]}}}).json()}
        arts = api.post("/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}).json()
    assert tasks[f"fetch-{bad}"]["type"] == "FAILED" and tasks[f"fetch-{bad}"]["name"] == STATE_NAMES["needs_user"]
    assert bad in tasks[f"fetch-{bad}"]["message"] and "did not retry" in tasks[f"fetch-{bad}"]["message"]
    others = [c.name for c in sims.connections if c.name != bad]
    assert others and all(tasks[f"fetch-{c}"]["type"] == "COMPLETED" for c in others)
    table = next(a for a in arts if a["key"] == "bankflow-sync-outcomes")
    rows = {r["connection"]: r for r in (json.loads(table["data"]) if isinstance(table["data"], str) else table["data"])}
    assert rows[bad]["status"] == "auth_error" and rows[bad]["next_step"] == NEXT_STEPS["needs_user"]
    assert all(rows[c]["status"] == "ok" and rows[c]["next_step"] == "" for c in others)
