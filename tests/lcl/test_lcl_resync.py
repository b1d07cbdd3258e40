"""An LCL sync that finds nothing new (issue 13, item 3): no statement downloaded again, the statement list
(whose single-use download tokens change on every call) not landed again when the documents it lists did not
change, and an account whose newest page is unchanged not landed again."""
from __future__ import annotations

import datetime as dt

from connectors.base import SyncState
from connectors.lcl import SPEC

from .conftest import run_sync

DOWNLOAD = "GET /api/user/documents/download"
LISTING = "GET /api/user/documents/accounts_statements"


def _known(arts) -> frozenset[tuple[str, str]]:
    return frozenset((a.meta.resource, a.meta.extra["document_id"]) for a in arts if "document_id" in a.meta.extra)


def _listing_requests(sb) -> int:
    """Transaction pages and gate probes asked for, all accounts together."""
    return sum(n for k, n in sb.state.stats.items() if k.startswith("GET ") and k.endswith("/transactions"))


def _last_booking(arts) -> dt.date:
    return max(t.booking_date for a in arts if a.meta.resource == "transactions"
               for t in SPEC.parse(a.body, a.meta).transactions if not t.pending)


async def test_second_sync_downloads_no_statement_and_lands_nothing_new(sandbox_factory) -> None:
    sb = await sandbox_factory()  # history gate on: statements are the history before the API's 90 days
    first = await run_sync(sb)
    statements = [a for a in first if a.meta.resource == "statement"]
    assert statements and sb.state.stats[DOWNLOAD] == len(statements)
    state = SyncState(max_booking_date=_last_booking(first), known_documents=_known(first))
    sb.state.stats.clear()
    second = await run_sync(sb, state=state)
    assert sb.state.stats[DOWNLOAD] == 0
    assert sb.state.stats[LISTING] == 1  # listed, to know that no statement is missing ...
    assert not [a for a in second if a.meta.resource.startswith("statement")]  # ... but nothing new in it
    # the first incremental run lands, once, the short listing of each gated account (its gate probed only as far
    # as the run needs); nothing else is new
    seen = {a.meta.sha256 for a in first}
    new = [a for a in second if a.meta.sha256 not in seen]
    assert new and all(a.meta.resource == "transactions" and a.meta.extra["stop"] == "history_gate" for a in new)
    gated = {"GET " + a.meta.request_path.split("?")[0] for a in new}
    probes_second = _listing_requests(sb)
    assert all(sb.state.stats[k] <= 3 for k in gated)  # the refused page, then 1-2 probes of 1, 2, 4 rows
    state = SyncState(max_booking_date=state.max_booking_date, known_documents=state.known_documents | _known(second))
    sb.state.stats.clear()
    again = await run_sync(sb, state=state)
    assert {a.meta.sha256 for a in again} <= seen | {a.meta.sha256 for a in second}  # 0 new payloads
    assert sb.state.stats[DOWNLOAD] == 0 and _listing_requests(sb) == probes_second
    # the check can fire: a first sync bisects each gate (7 probes of a page of 100, after the refused page)
    sb.state.stats.clear()
    await run_sync(sb)
    assert all(sb.state.stats[k] >= 8 for k in gated)
    # the checks can fire: without the known documents the list is new evidence and every statement is
    # downloaded again (the list's bytes differ on every call: fresh download tokens)
    sb.state.stats.clear()
    third = await run_sync(sb, state=SyncState(max_booking_date=state.max_booking_date))
    assert sb.state.stats[DOWNLOAD] > 0
    lists = [a for a in third if a.meta.resource == "statement_list"]
    first_list = next(a for a in first if a.meta.resource == "statement_list")
    assert len(lists) == 1 and lists[0].meta.sha256 != first_list.meta.sha256
    assert lists[0].meta.extra["document_id"] == first_list.meta.extra["document_id"]


async def test_an_account_whose_newest_page_is_not_known_is_landed(sandbox_factory) -> None:
    """The unchanged-newest-page rule only skips what is known: with other ids known, the accounts that stopped
    early (incremental) are landed as new payloads."""
    sb = await sandbox_factory(history_days=None)  # no gate: every account pages to its end
    first = await run_sync(sb)
    seen = {a.meta.sha256 for a in first}
    state = SyncState(max_booking_date=_last_booking(first), known_documents=_known(first))
    second = await run_sync(sb, state=state)
    assert [a for a in second if a.meta.sha256 not in seen] == []
    forged = frozenset((r, d[:-1] + ("0" if d[-1] != "0" else "1")) for r, d in state.known_documents)
    third = await run_sync(sb, state=SyncState(max_booking_date=state.max_booking_date, known_documents=forged))
    new = [a for a in third if a.meta.sha256 not in seen]
    assert new and all(a.meta.resource == "transactions" and a.meta.extra["stop"] == "since" for a in new)
