"""A one-time code during a run, on a real Prefect server: a run of the daily-sync deployment meets an
SMS code request on one Budgea connection; the other connections finish and are loaded while it waits;
`bankflow otp CONNECTION CODE` sends the code; the run completes and the warehouse equals the simulators'
ground truth. The code is posted to the bank once and is not left on the server."""
from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import httpx

from pipeline.otp_prefect import request_key
from pipeline.sandbox import SandboxSet

from .conftest import BANKFLOW, PREFECT, REPO, Server
from .helpers import write_config


def _poll(what: str, fn, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while True:
        got = fn()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not seen after {timeout} s:\n" + log.read_text(errors="replace")[-4000:])
        time.sleep(0.5)


def _runs_recorded(db: Path) -> dict[str, str]:
    """ops.sync_runs by connection, or {} while the sync holds the warehouse open for writing."""
    if not db.exists():
        return {}
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return {}
    try:
        return dict(con.execute("SELECT connection, status FROM ops.sync_runs").fetchall())
    except duckdb.Error:
        return {}
    finally:
        con.close()


def test_a_code_entered_with_bankflow_otp_resumes_the_connection(deployed: Server, tmp_path: Path) -> None:
    """A run of the daily-sync deployment (what the schedule starts), executed by a worker."""
    srv = deployed
    with SandboxSet(knobs={"budgea": {"otp": "once"}}) as sims:
        sb = sims.sandboxes["budgea"]
        asking = sb.connections[0].name
        others = [c.name for c in sims.connections if c.name != asking]
        assert len(others) >= 2
        cfg, data = tmp_path / "bankflow.toml", tmp_path / "data"
        env = {**srv.env, **write_config(cfg, sims.connections, env_prefix="BANKFLOW_OTP")}
        worker = srv.procs.start("worker-otp", [*PREFECT, "worker", "start", "--pool", "bankflow", "--type",
                                                "process"],
                                 {**env, "PREFECT_WORKER_QUERY_SECONDS": "1", "BANKFLOW_PROJECT_DIR": str(REPO)})
        log = srv.log_dir / "worker-otp.log"
        try:
            with srv.api() as api:
                dep = api.get("/deployments/name/bankflow-sync/daily-sync").json()
                run_id = api.post(f"/deployments/{dep['id']}/create_flow_run", json={"parameters": {
                    "config_path": str(cfg), "data_dir": str(data)}}).json()["id"]
                _poll("the code request",
                      lambda: api.get(f"/flow_runs/{run_id}/input/{request_key(asking)}").status_code == 200, 240, log)
                assert api.get(f"/flow_runs/{run_id}").json()["state"]["type"] == "RUNNING"  # not paused
                # the others were loaded while the connection waits; it is not recorded yet
                recorded = _poll("the other connections' load", lambda: _runs_recorded(data / "warehouse.duckdb"),
                                 120, log)
                assert recorded == {c: "ok" for c in others}
                assert sb.otp_sent == 1 and sb.otp_posts[sb.ledger.users[0].connections[0].id] == 0

                p = srv.run("otp", [*BANKFLOW, "otp", asking, sb.otp_code], env=env)
                assert p.returncode == 0, p.stdout + p.stderr
                assert run_id in p.stdout

                def ended() -> dict | None:
                    run = api.get(f"/flow_runs/{run_id}").json()
                    return run if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None
                run = _poll("the end of the run", ended, 180, log)
                assert run["state"]["type"] == "COMPLETED", run["state"]
                left = api.post(f"/flow_runs/{run_id}/input/filter", json={"prefix": "bankflow-otp", "limit": 100})
                assert left.status_code == 200 and left.json() == []  # neither the request nor the code stays
                logs = api.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200}).json()
        finally:
            srv.procs.stop(worker)
        assert sb.otp_posts[sb.ledger.users[0].connections[0].id] == 1
        truth = sims.truth()

    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        n, total = con.execute("SELECT count(*), sum(amount) FROM marts.transactions WHERE NOT pending").fetchone()
        statuses = dict(con.execute("SELECT connection, status FROM ops.sync_runs").fetchall())
    finally:
        con.close()
    assert statuses == {c.name: "ok" for c in sims.connections}
    assert n == len(truth) > 0 and total == sum((r.amount for r in truth), Decimal(0))
    # the run's log told the user what to do, and no code reached any log
    assert any(f"bankflow otp {asking} CODE" in entry["message"] for entry in logs)
    assert sb.otp_code not in json.dumps(logs) and sb.otp_code not in log.read_text(errors="replace")


def test_bankflow_otp_says_when_no_run_waits(prefect_server: Server) -> None:
    p = prefect_server.run("otp-nobody", [*BANKFLOW, "otp", "nobody-waits", "123456"])
    assert p.returncode == 2 and "no running sync waits for a code for connection 'nobody-waits'" in p.stderr
    assert httpx.get(f"{prefect_server.url}/health").status_code == 200


def _sync_only(srv: Server, tmp_path: Path, sims: SandboxSet, name: str, options: dict):
    from dataclasses import replace

    cfg, data = tmp_path / "bankflow.toml", tmp_path / "data"
    conns = [replace(c, options={**c.options, **options}) for c in sims.connections if c.name == name]
    env = {**srv.env, **write_config(cfg, conns, env_prefix="BANKFLOW_OTP"), "COLUMNS": "200"}
    proc = srv.procs.start(f"sync-{tmp_path.name}", [*BANKFLOW, "sync", "--config", str(cfg), "--data-dir",
                                                     str(data)], env)
    return proc, data, env, srv.log_dir / f"sync-{tmp_path.name}.log"


def _fetch_task_state(api: httpx.Client, data: Path, name: str) -> dict:
    run = next(r for r in api.post("/flow_runs/filter", json={}).json() if r["parameters"].get("data_dir") == str(data))
    tasks = {t["name"]: t["state"] for t in api.post(
        "/task_runs/filter", json={"flow_runs": {"id": {"any_": [run["id"]]}}}).json()}
    return tasks[f"fetch-{name}"]


def test_no_code_in_time_ends_the_connection_in_needs_user(prefect_server: Server, tmp_path: Path) -> None:
    with SandboxSet(banks=["budgea"], knobs={"budgea": {"otp": "always"}}) as sims:
        sb = sims.sandboxes["budgea"]
        asking = sb.connections[0].name
        proc, data, _, log = _sync_only(prefect_server, tmp_path, sims, asking, {"otp_timeout": 3})
        assert proc.wait(timeout=180) == 1, log.read_text(errors="replace")[-3000:]
        assert sb.otp_posts[sb.ledger.users[0].connections[0].id] == 0 and sb.sync_attempts[
            sb.ledger.users[0].connections[0].id] == 1
    with prefect_server.api() as api:
        state = _fetch_task_state(api, data, asking)
    assert state["type"] == "FAILED" and state["name"] == "NeedsUser"
    assert "no code was entered within 3 s, nothing was sent" in state["message"]
    assert _runs_recorded(data / "warehouse.duckdb") == {asking: "otp_timeout"}


def test_a_wrong_code_ends_in_needs_user_and_is_not_retried(prefect_server: Server, tmp_path: Path) -> None:
    with SandboxSet(banks=["budgea"], knobs={"budgea": {"otp": "always"}}) as sims:
        sb = sims.sandboxes["budgea"]
        asking = sb.connections[0].name
        proc, data, env, log = _sync_only(prefect_server, tmp_path, sims, asking, {})
        with prefect_server.api() as api:
            def waiting() -> bool:
                runs = [r for r in api.post("/flow_runs/filter", json={}).json()
                        if r["parameters"].get("data_dir") == str(data)]
                return bool(runs) and api.get(f"/flow_runs/{runs[0]['id']}/input/{request_key(asking)}").status_code == 200
            _poll("the code request", waiting, 240, log)
            bad = "13579" + ("0" if sb.otp_code[-1] != "0" else "1")
            malformed = prefect_server.run("otp-malformed", [*BANKFLOW, "otp", asking, "12ab"], env=env)
            assert malformed.returncode == 2 and "expects a code matching ^[0-9]{6}$" in malformed.stderr
            assert "12ab" not in malformed.stderr
            p = prefect_server.run("otp-wrong", [*BANKFLOW, "otp", asking, bad], env=env)
            assert p.returncode == 0, p.stdout + p.stderr
            assert proc.wait(timeout=180) == 1, log.read_text(errors="replace")[-3000:]
            state = _fetch_task_state(api, data, asking)
        cid = sb.ledger.users[0].connections[0].id
        assert sb.otp_posts[cid] == 1 and sb.sync_attempts[cid] == 1 and sb.otp_sent == 1
    assert state["type"] == "FAILED" and state["name"] == "NeedsUser"
    assert "the code was refused" in state["message"] and bad not in state["message"]
    assert _runs_recorded(data / "warehouse.duckdb") == {asking: "otp_refused"}
