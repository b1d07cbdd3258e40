"""The daily-sync deployment run for real: `prefect server start`, `bankflow deploy` (work pool, limits,
deployments from prefect.yaml), `bankflow secrets set`, `prefect worker start`, a deployment run against
the simulators, then the warehouse against the simulators' truth; and a canary search: the credential
values (one from an env var, one from a Prefect Secret block) appear in no byte of the data dir, the
processes' logs, the server's home (its SQLite database included) or the run's artifacts and logs read
through the API. No mock of Prefect."""
from __future__ import annotations

import json
import re
import time
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import httpx

from pipeline.sandbox import SandboxSet
from .conftest import BANKFLOW, PREFECT, REPO, Server
from .helpers import occurrences, with_secrets, write_config

CANARY_ENV = f"cnry-env-{uuid.uuid4().hex}"
CANARY_BLOCK = f"cnry-blk-{uuid.uuid4().hex}"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def wait_for_run(api: httpx.Client, run_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = api.get(f"/flow_runs/{run_id}").json()
        if run["state"] and run["state"]["type"] in TERMINAL:
            return run
        if time.monotonic() > deadline:
            return run
        time.sleep(1)


def test_deployment_run_on_a_real_server(deployed: Server, tmp_path: Path) -> None:
    srv, timings = deployed, {"server start": deployed.started_in}
    t0 = time.monotonic()
    with SandboxSet(knobs={"budgea": {"users": 2}}) as sims:
        users = sims.sandboxes["budgea"].ledger.users
        users[0].token, users[1].token = CANARY_ENV, CANARY_BLOCK  # the simulator now accepts only these
        conns = sims.connections
        u1 = sorted(c.name for c in conns if c.name.startswith("budgea-u1-"))
        assert u1, [c.name for c in conns]

        p = srv.run("secrets-set", [*BANKFLOW, "secrets", "set", u1[0], "--bank", "budgea", "--stdin"],
                    input=CANARY_BLOCK + "\n")
        assert p.returncode == 0, p.stdout + p.stderr
        ref = re.search(r'^token = "(secret:[a-z0-9-]+)"$', p.stdout, re.M).group(1)
        conns = with_secrets(conns, {c.name: {"token": CANARY_ENV} for c in conns
                                     if c.bank == "budgea" and c.name not in u1})
        cfg, data = tmp_path / "bankflow.toml", tmp_path / "data"
        env = write_config(cfg, conns, env_prefix="BANKFLOW_OPS", secret_refs={n: ref for n in u1})
        assert CANARY_ENV in env.values() and CANARY_BLOCK not in env.values()

        worker = srv.procs.start("worker", [*PREFECT, "worker", "start", "--pool", "bankflow", "--type", "process"],
                                 {**srv.env, **env, "PREFECT_WORKER_QUERY_SECONDS": "1",
                                  "BANKFLOW_PROJECT_DIR": str(REPO)})
        with srv.api() as api:
            dep = api.get("/deployments/name/bankflow-sync/daily-sync").json()
            assert dep["schedules"][0]["schedule"]["timezone"] == "Europe/Paris"
            assert dep["pull_steps"][0]["prefect.deployments.steps.set_working_directory"]["directory"] == str(REPO)
            t_run = time.monotonic()
            run = api.post(f"/deployments/{dep['id']}/create_flow_run",
                           json={"parameters": {"config_path": str(cfg), "data_dir": str(data)}}).json()
            run = wait_for_run(api, run["id"], timeout=300)
            timings["deployment run (trigger to terminal state)"] = time.monotonic() - t_run
            worker_log = (srv.log_dir / "worker.log").read_text(errors="replace")
            assert run["state"]["type"] == "COMPLETED", f"{run['state']}\n{worker_log[-4000:]}"

            artifacts = api.post("/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run["id"]]}}}).json()
            logs = api.post("/logs/filter", json={"logs": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200}).json()
            block = api.get(f"/block_types/slug/secret/block_documents/name/{ref.split(':', 1)[1]}",
                            params={"include_secrets": "true"}).json()

            # a run where one connection needs the user: the deployment run ends Failed, named NeedsUser
            cfg2 = tmp_path / "bankflow-broken.toml"
            cfg2.write_text(cfg.read_text().replace(f'token = "{ref}"', 'token = "env:BANKFLOW_OPS_UNSET"', 1))
            assert 'token = "env:BANKFLOW_OPS_UNSET"' in cfg2.read_text()
            t_run = time.monotonic()
            run2 = api.post(f"/deployments/{dep['id']}/create_flow_run",
                            json={"parameters": {"config_path": str(cfg2), "data_dir": str(tmp_path / "data2"),
                                                 "connections": [c.name for c in conns if c.bank == "budgea"]}}).json()
            assert "id" in run2, run2
            run2 = wait_for_run(api, run2["id"], timeout=120)
            timings["deployment run with a failure"] = time.monotonic() - t_run
            assert run2["state"]["type"] == "FAILED" and run2["state"]["name"] == "NeedsUser", run2["state"]
            budgea = [c.name for c in conns if c.bank == "budgea"]
            assert re.fullmatch(rf"1 of {len(budgea)} connections failed: budgea-u1-\S+ config_error",
                                run2["state"]["message"]), run2["state"]["message"]
            artifacts += api.post("/artifacts/filter",
                                  json={"artifacts": {"flow_run_id": {"any_": [run2["id"]]}}}).json()
        srv.procs.stop(worker)
        truth = sims.truth()
        # the scraped banks' simulator credentials are short digit strings (a login, a 6-8 digit
        # password): searched in the text (logs, API dumps) only, where a chance match is unlikely
        other_secrets = sorted({v for c in conns if c.bank != "budgea" for v in c.secrets.values()})

    # the warehouse holds exactly the simulators' booked rows
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        n, total = con.execute("SELECT count(*), sum(amount) FROM marts.transactions WHERE NOT pending").fetchone()
        statuses = dict(con.execute("SELECT connection, status FROM ops.sync_runs").fetchall())
    finally:
        con.close()
    assert n == len(truth) > 0
    assert total == sum((r.amount for r in truth), Decimal(0))
    assert statuses == {c.name: "ok" for c in conns}

    # one table artifact row per connection
    table = next(a for a in artifacts if a["key"] == "bankflow-sync-outcomes")
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert {r["connection"]: r["status"] for r in rows} == statuses

    # canaries: the block holds its value (encrypted at rest), and no byte anywhere holds either value
    assert block["data"]["value"] == CANARY_BLOCK
    dump = tmp_path / "api-dump"
    dump.mkdir()
    (dump / "artifacts.json").write_text(json.dumps(artifacts), "utf-8")
    (dump / "logs.json").write_text(json.dumps(logs), "utf-8")
    assert len(logs) > 3  # the flow's logs did reach the server
    control = tmp_path / "control.txt"
    control.write_text(f"x{CANARY_ENV}x{CANARY_BLOCK}", "utf-8")
    assert len(occurrences([control], [CANARY_ENV, CANARY_BLOCK])) == 2  # the search does find them
    leaks = occurrences([data, srv.home, srv.log_dir, dump, cfg], [CANARY_ENV, CANARY_BLOCK])
    assert leaks == []
    assert other_secrets and occurrences([srv.log_dir, dump], other_secrets) == []
    timings["whole test"] = time.monotonic() - t0 + deployed.started_in
    print("\nmeasured:", {k: round(v, 1) for k, v in timings.items()})
