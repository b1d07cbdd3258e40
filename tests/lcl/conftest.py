"""Helpers for the LCL tests: a sandbox per test (real sockets on 127.0.0.1) and a full sync through the
shared HTTP session (retry layer included, nothing of ours mocked)."""
from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from connectors.artifact import RawArtifact
from connectors.base import Credentials, SyncState
from connectors.http import RetryPolicy, open_session
from connectors.lcl import SPEC
from connectors.lcl.simulator import LclSandbox

TODAY = dt.date(2026, 1, 20)  # a January "today": the Livret A's last statements cross New Year


async def run_sync(sb: LclSandbox, *, secrets: dict[str, str] | None = None, options: dict[str, Any] | None = None,
                   state: SyncState | None = None) -> list[RawArtifact]:
    conn = sb.connections[0]
    secrets = secrets or conn.secrets
    async with open_session(connection=conn.name, secrets=secrets.values(),
                            policy=RetryPolicy(attempts=2, base_delay=0.01)) as session:
        client = SPEC.client(connection=conn.name, base_url=sb.url, session=session, credentials=Credentials(secrets),
                             options=options or {}, state=state, today=sb.ledger.today)
        return [a async for a in client.fetch()]


@pytest.fixture
async def sandbox_factory() -> AsyncIterator[Any]:
    started: list[LclSandbox] = []

    async def start(**knobs: Any) -> LclSandbox:
        knobs.setdefault("today", TODAY)
        knobs.setdefault("months", 14)
        sb = await SPEC.start_sandbox(**knobs)
        started.append(sb)
        return sb

    yield start
    for sb in started:
        await sb.close()
