"""One-time codes in the runner, without Prefect: what a refused or missing code becomes (an Outcome that
says who acts next), and the bank's local slot given back while a person reads the code."""
from __future__ import annotations

import asyncio

import pytest

from connectors.base import SyncState
from connectors.budgea import start_sandbox
from flows.sync import NEXT_STEPS, next_step
from pipeline.config import ConnectionConfig
from pipeline.datadir import DataDir
from pipeline.runner import fetch_connection


@pytest.fixture
async def sandbox():
    sb = await start_sandbox(otp="always")
    yield sb
    await sb.close()


def _conn(sb, monkeypatch) -> ConnectionConfig:
    c = sb.connections[0]
    monkeypatch.setenv("BANKFLOW_OTP_RUNNER_TOKEN", c.secrets["token"])
    return ConnectionConfig(name=c.name, bank="budgea", base_url=c.base_url,
                            credential_refs={"token": "env:BANKFLOW_OTP_RUNNER_TOKEN"},
                            options={**c.options, "poll_interval": 0, "otp_timeout": 5})


async def test_the_bank_slot_is_free_while_a_person_reads_the_code(sandbox, monkeypatch, tmp_path) -> None:
    sem = asyncio.Semaphore(1)
    seen: list[bool] = []

    async def ask(request):
        seen.append(sem.locked())
        return sandbox.otp_code

    out = await fetch_connection(_conn(sandbox, monkeypatch), DataDir(tmp_path), SyncState(), semaphore=sem, otp=ask)
    assert out.ok, out.message
    assert seen == [False] and not sem.locked() and out.artifacts_fetched > 1


@pytest.mark.parametrize("answer, status, words", [
    ("000000", "otp_refused", "the code was refused"),
    (None, "otp_timeout", "no code was entered within 5 s"),
])
async def test_a_refused_or_missing_code_needs_the_user(sandbox, monkeypatch, tmp_path, answer, status, words) -> None:
    async def ask(request):
        return answer

    out = await fetch_connection(_conn(sandbox, monkeypatch), DataDir(tmp_path), SyncState(), otp=ask)
    assert out.status == status and next_step(out.status) == "needs_user"
    assert words in out.message and "bankflow otp" in out.message and NEXT_STEPS["needs_user"]
    assert sandbox.otp_posts[sandbox.ledger.users[0].connections[0].id] == (1 if answer else 0)
    assert sandbox.sync_attempts[sandbox.ledger.users[0].connections[0].id] == 1


async def test_without_anyone_to_ask_the_outcome_says_how(sandbox, monkeypatch, tmp_path) -> None:
    out = await fetch_connection(_conn(sandbox, monkeypatch), DataDir(tmp_path), SyncState())
    assert out.status == "sca_required" and "PREFECT_API_URL" in out.message
