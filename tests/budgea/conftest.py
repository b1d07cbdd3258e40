"""Fixtures for the Budgea tests: sandboxes on real sockets, closed after each test."""
from __future__ import annotations

import pytest

from budgea_helpers import TODAY
from connectors.budgea import start_sandbox


@pytest.fixture
async def make_sandbox():
    """``await make_sandbox(**knobs)`` -> a started BudgeaSandbox, closed after the test."""
    started = []

    async def factory(**knobs):
        knobs.setdefault("today", TODAY)
        sb = await start_sandbox(**knobs)
        started.append(sb)
        return sb

    yield factory
    for sb in started:
        await sb.close()


