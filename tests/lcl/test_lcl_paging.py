"""Paging by ``range=a-b`` (100 a page): the stop rules, the cap, the incremental stop, the gate bisection."""
from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import SyncState
from connectors.lcl import SPEC, client

from .conftest import run_sync


def _tx_gets(sb, internal_id: str) -> int:
    return sb.state.stats[f"GET /api/user/accounts/{internal_id}/transactions"]


async def test_a_short_page_ends_the_listing(sandbox_factory) -> None:
    sb = await sandbox_factory(history_days=None)
    await run_sync(sb)
    for acc in sb.ledger.accounts:
        n = len(sb.ledger.listing(acc.internal_id))
        assert n % 100, "this test needs listings that are not a multiple of 100"
        assert _tx_gets(sb, acc.internal_id) == n // 100 + 1


async def test_an_exact_multiple_of_100_needs_one_empty_page(sandbox_factory) -> None:
    sb = await sandbox_factory(history_days=None)
    cur = sb.ledger.accounts[0].internal_id
    sb.ledger.entries[cur] = sb.ledger.entries[cur][-200:]  # keep the newest 200 rows
    arts = await run_sync(sb)
    assert _tx_gets(sb, cur) == 3
    art = next(a for a in arts if a.meta.resource == "transactions" and a.meta.extra["pages"] == "3")
    assert len(SPEC.parse(art.body, art.meta).transactions) == 200


async def test_an_incremental_run_stops_once_past_the_known_dates(sandbox_factory) -> None:
    sb = await sandbox_factory(history_days=None)
    known = sb.ledger.today - dt.timedelta(days=3)
    arts = await run_sync(sb, state=SyncState(max_booking_date=known))
    cur = sb.ledger.accounts[0]
    assert _tx_gets(sb, cur.internal_id) == 1  # one page reaches back further than 14 days before `known`
    art = next(a for a in arts if a.meta.resource == "transactions" and a.meta.account_ref == cur.account_ref)
    batch = SPEC.parse(art.body, art.meta)
    oldest = min(t.booking_date for t in batch.transactions)
    assert art.meta.extra["stop"] == "since"
    assert batch.window_start == oldest + dt.timedelta(days=1)  # the oldest day may go on in the next page
    assert not [a for a in arts if a.meta.kind == "pdf"]


async def test_paging_past_the_cap_raises_instead_of_truncating(sandbox_factory, monkeypatch) -> None:
    monkeypatch.setattr(client, "MAX_PAGES", 2)
    sb = await sandbox_factory(history_days=None)
    with pytest.raises(client.PagingLimitError):
        await run_sync(sb)


async def test_the_gate_is_bisected_so_every_row_within_90_days_is_fetched(sandbox_factory) -> None:
    sb = await sandbox_factory()
    arts = await run_sync(sb)
    cutoff = sb.ledger.today - dt.timedelta(days=90)
    for acc in sb.ledger.accounts:
        art = next(a for a in arts if a.meta.resource == "transactions" and a.meta.account_ref == acc.account_ref)
        got = SPEC.parse(art.body, art.meta).transactions
        served = [e for e in sb.ledger.listing(acc.internal_id) if e.booking_date >= cutoff]
        assert len(got) == len(served)
        assert _tx_gets(sb, acc.internal_id) <= len(served) // 100 + 1 + 7  # pages plus at most 7 probes
