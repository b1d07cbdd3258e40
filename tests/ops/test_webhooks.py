"""Powens webhooks end to end over real sockets: the Budgea simulator pushes signed bodies after its
background refresh to the receiver (pipeline/webhooks.py), which triggers an incremental pull that loads
the new rows; a bad signature gets 401 and triggers nothing; a resent body triggers no second sync."""
from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import os
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import aiohttp
import duckdb
import pytest

from connectors.budgea import start_sandbox
from pipeline.webhook_auth import WebhookConfig, check_request, hmac_signature, load_webhook_config
from pipeline.webhook_triggers import InProcessTrigger
from pipeline.webhooks import start_receiver

from .conftest import BANKFLOW, REPO
from .helpers import write_config

SECRET_VAR = "BANKFLOW_WH_TEST_SECRET"


def _config(tmp_path: Path, sb, monkeypatch, auth: str = "hmac") -> tuple[Path, Path]:
    cfg, data = tmp_path / "bankflow.toml", tmp_path / "data"
    env = write_config(cfg, sb.connections, env_prefix="BANKFLOW_WH")
    with cfg.open("a", encoding="utf-8") as f:
        f.write(f'\n[webhooks]\nauth = "{auth}"\nsecret = "env:{SECRET_VAR}"\n')
    for k, v in {**env, SECRET_VAR: sb.webhook_secret}.items():
        monkeypatch.setenv(k, v)
    return cfg, data


def _warehouse(data: Path) -> tuple[int, Decimal, dict[str, int]]:
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    try:
        n, total = con.execute("SELECT count(*), sum(amount) FROM marts.transactions WHERE NOT pending").fetchone()
        runs = dict(con.execute("SELECT connection, count(*) FROM ops.sync_runs GROUP BY 1").fetchall())
    finally:
        con.close()
    return n, total, runs


def _truth(sb) -> tuple[int, Decimal]:
    rows = sb.truth()
    return len(rows), sum((r.amount for r in rows), Decimal(0))


@pytest.mark.parametrize("fmt", ["connection_synced", "legacy"])
async def test_signed_webhooks_trigger_one_pull_each_and_load_the_new_rows(tmp_path, monkeypatch, fmt) -> None:
    sb = await start_sandbox(webhook_format=fmt)
    try:
        cfg, data = _config(tmp_path, sb, monkeypatch)
        trigger = InProcessTrigger(cfg, data)
        runner, url, rc = await start_receiver(cfg, data, trigger=trigger)
        try:
            names = [c.name for c in sb.connections]
            trigger.request(names, "initial")
            await trigger.idle()
            n0, _, _ = _warehouse(data)
            assert (n0, _warehouse(data)[1]) == _truth(sb)

            sb.webhook_url = url
            sent = await sb.background_refresh(days=3)
            await trigger.idle()
            assert sent == {"delivered": 1 if fmt == "legacy" else 2, "pending": 0}
            n1, total1, runs = _warehouse(data)
            assert (n1, total1) == _truth(sb) and n1 > n0          # the new rows, through the pull
            assert {n for run in trigger.runs[1:] for n in run} == set(names)
            assert len(trigger.runs) == 2  # the burst (one body per connection) costs one sync
            assert rc.stats["triggered"] == sent["delivered"] and rc.stats["rejected"] == 0
            kept = sorted(p for p in (data / "webhooks" / "powens").glob("*.json") if ".meta." not in p.name)
            assert len(kept) == sent["delivered"]
            body = json.loads(kept[0].read_bytes())
            assert ("connection" in body) if fmt == "connection_synced" else ("connections" in body)

            # Powens resends a body whose 200 it did not get: answered, no second sync
            syncs = len(trigger.runs)
            async with aiohttp.ClientSession() as s, s.post(sb.url.rsplit("/2.0", 1)[0] + "/__admin/webhooks/resend") as r:
                assert (await r.json()) == {"status": 200}
            await trigger.idle()
            assert rc.stats["duplicate"] == 1 and len(trigger.runs) == syncs
        finally:
            await runner.cleanup()
    finally:
        await sb.close()


async def test_a_bad_signature_gets_401_triggers_nothing_and_is_resent_later(tmp_path, monkeypatch) -> None:
    sb = await start_sandbox(webhook_retries=1)
    try:
        cfg, data = _config(tmp_path, sb, monkeypatch)
        trigger = InProcessTrigger(cfg, data)
        runner, url, rc = await start_receiver(cfg, data, trigger=trigger)
        try:
            sb.webhook_url, sb.webhook_secret = url, "not-the-secret"
            sent = await sb.background_refresh(days=1)
            await trigger.idle()
            assert sent == {"delivered": 0, "pending": 2}
            assert [s for s, _ in sb.webhook_log] == [401] * 4       # each body: once + one retry
            assert rc.stats["rejected"] == 4 and trigger.runs == [] and not (data / "webhooks").exists()

            sb.webhook_secret = os.environ[SECRET_VAR]                # fixed: the queued bodies go first
            sent = await sb.background_refresh(days=1)
            await trigger.idle()
            assert sent == {"delivered": 4, "pending": 0} and rc.stats["triggered"] == 4
            assert trigger.runs and (_warehouse(data)[0], _warehouse(data)[1]) == _truth(sb)
        finally:
            await runner.cleanup()
    finally:
        await sb.close()


async def test_bearer_mode(tmp_path, monkeypatch) -> None:
    sb = await start_sandbox(webhook_auth="bearer")
    try:
        cfg, data = _config(tmp_path, sb, monkeypatch, auth="bearer")
        trigger = InProcessTrigger(cfg, data)
        runner, url, rc = await start_receiver(cfg, data, trigger=trigger)
        try:
            sb.webhook_url = url
            assert (await sb.background_refresh(days=1))["delivered"] == 2
            sb.webhook_secret = "wrong"
            assert (await sb.background_refresh(days=1)) == {"delivered": 0, "pending": 2}
            await trigger.idle()
            assert rc.stats["rejected"] == 6 and rc.stats["triggered"] == 2
        finally:
            await runner.cleanup()
    finally:
        await sb.close()


def test_signature_checks_fire() -> None:
    cfg = WebhookConfig(auth="hmac", secret_ref="env:X", max_skew=300)
    now = dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC)
    date = email.utils.format_datetime(now, usegmt=True)
    body = b'{"connection": {"id": 7}}'
    good = {"BI-Signature": hmac_signature("k", "/webhooks/powens", date, body), "BI-Signature-Date": date}
    assert check_request(cfg, "k", good, "/webhooks/powens", body, now) is None
    assert check_request(cfg, "k", good, "/webhooks/powens", body + b" ", now) == "wrong signature"
    assert check_request(cfg, "k", good, "/other", body, now) == "wrong signature"
    assert check_request(cfg, "k2", good, "/webhooks/powens", body, now) == "wrong signature"
    late = now + dt.timedelta(seconds=301)
    assert "more than 300 s" in check_request(cfg, "k", good, "/webhooks/powens", body, late)
    iso = {"BI-Signature": hmac_signature("k", "/p", "2026-12-05T03:00:00Z", body),
           "BI-Signature-Date": "2026-12-05T03:00:00Z"}
    assert check_request(cfg, "k", iso, "/p", body, now) is None
    assert check_request(cfg, "k", {**good, "BI-Signature-Date": "yesterday"}, "/webhooks/powens", body, now) \
        == "unreadable BI-Signature-Date"
    assert check_request(cfg, "k", {}, "/p", body, now) == "no BI-Signature / BI-Signature-Date headers"


def test_the_webhook_secret_must_be_a_reference(tmp_path) -> None:
    cfg = tmp_path / "bankflow.toml"
    cfg.write_text('[webhooks]\nauth = "hmac"\nsecret = "s3cr3t-value"\n')
    with pytest.raises(Exception) as exc:
        load_webhook_config(cfg)
    assert "must be a reference" in str(exc.value) and "s3cr3t-value" not in str(exc.value)


def test_bankflow_webhooks_serve(tmp_path) -> None:
    """The command: started on a free port, a signed webhook syncs the connection it names."""
    async def scenario() -> None:
        sb = await start_sandbox()
        try:
            cfg, data = tmp_path / "bankflow.toml", tmp_path / "data"
            env = write_config(cfg, sb.connections, env_prefix="BANKFLOW_WHCLI")
            with cfg.open("a", encoding="utf-8") as f:
                f.write(f'\n[webhooks]\nsecret = "env:{SECRET_VAR}"\n')
            penv = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
            penv.update(env, **{SECRET_VAR: sb.webhook_secret, "PYTHONPATH": str(REPO)})
            log = tmp_path / "serve.log"
            with log.open("wb") as out:
                proc = subprocess.Popen([*BANKFLOW, "webhooks", "serve", "--port", "0", "--config", str(cfg),
                                         "--data-dir", str(data)], env=penv, stdout=out, stderr=subprocess.STDOUT,
                                        cwd=REPO, start_new_session=True)
            try:
                deadline = time.monotonic() + 60
                while "receiving Powens webhooks at" not in log.read_text(errors="replace"):
                    assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                    await asyncio.sleep(0.2)
                sb.webhook_url = log.read_text().split("receiving Powens webhooks at ", 1)[1].split()[0]
                assert (await sb.background_refresh(days=1))["delivered"] == 2
                # the warehouse is not polled: a reader would hold DuckDB's lock against the writer
                while _synced(log.read_text(errors="replace")) != {c.name for c in sb.connections}:
                    assert proc.poll() is None and time.monotonic() < deadline + 60, log.read_text(errors="replace")
                    await asyncio.sleep(0.5)
            finally:
                os.killpg(proc.pid, signal.SIGINT)
                proc.wait(timeout=30)
            assert (_warehouse(data)[0], _warehouse(data)[1]) == _truth(sb)
            assert sb.webhook_secret not in log.read_text(errors="replace")
        finally:
            await sb.close()

    asyncio.run(scenario())


def _synced(log_text: str) -> set[str]:
    """Connections the server's log reports synced OK ("webhook sync <run>: <connection> ok ...")."""
    import re

    return set(re.findall(r"webhook sync wh-\w+: (\S+) ok ", log_text))


def test_with_a_prefect_server_a_webhook_starts_one_deployment_run(deployed, tmp_path) -> None:
    """PREFECT_API_URL set: `bankflow webhooks serve` starts a run of the deployment per webhook, with the
    connection it names; a resent body starts none. (No worker here: the runs stay scheduled, and are
    deleted at the end.)"""
    srv = deployed

    async def scenario() -> tuple[list[dict], list[str]]:
        sb = await start_sandbox()
        try:
            cfg, data = tmp_path / "bankflow.toml", tmp_path / "data"
            env = write_config(cfg, sb.connections, env_prefix="BANKFLOW_WHDEP")
            with cfg.open("a", encoding="utf-8") as f:
                f.write(f'\n[webhooks]\nsecret = "env:{SECRET_VAR}"\n')
            log = tmp_path / "serve.log"
            with log.open("wb") as out:
                proc = subprocess.Popen([*BANKFLOW, "webhooks", "serve", "--port", "0", "--config", str(cfg),
                                         "--data-dir", str(data)], env={**srv.env, **env, SECRET_VAR: sb.webhook_secret},
                                        stdout=out, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True)
            try:
                deadline = time.monotonic() + 90
                while "receiving Powens webhooks at" not in log.read_text(errors="replace"):
                    assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                    await asyncio.sleep(0.2)
                assert "DeploymentTrigger" in log.read_text()
                sb.webhook_url = log.read_text().split("receiving Powens webhooks at ", 1)[1].split()[0]
                assert (await sb.background_refresh(days=1))["delivered"] == 2
                async with aiohttp.ClientSession() as s:
                    async with s.post(sb.url.rsplit("/2.0", 1)[0] + "/__admin/webhooks/resend") as r:
                        assert (await r.json()) == {"status": 200}
                with srv.api() as api:
                    while True:
                        runs = [r for r in api.post("/flow_runs/filter", json={}).json()
                                if r["parameters"].get("data_dir") == str(data.resolve())]
                        if len(runs) >= 2 and log.read_text().count(" started for ") >= 2:
                            break
                        assert time.monotonic() < deadline + 60, log.read_text(errors="replace")
                        await asyncio.sleep(0.5)
                    await asyncio.sleep(2)  # a third run (from the resent body) would show up by now
                    runs = [r for r in api.post("/flow_runs/filter", json={}).json()
                            if r["parameters"].get("data_dir") == str(data.resolve())]
                    for r in runs:
                        api.delete(f"/flow_runs/{r['id']}")
            finally:
                os.killpg(proc.pid, signal.SIGINT)
                proc.wait(timeout=30)
            assert sb.webhook_secret not in log.read_text(errors="replace")
            return runs, [c.name for c in sb.connections]
        finally:
            await sb.close()

    runs, names = asyncio.run(scenario())
    assert len(names) == 2
    assert sorted(tuple(r["parameters"]["connections"]) for r in runs) == sorted((n,) for n in names)
    assert all("webhook" in r["tags"] and r["state"]["type"] == "SCHEDULED" for r in runs)
