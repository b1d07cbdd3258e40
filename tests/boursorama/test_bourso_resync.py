"""A Boursorama sync that finds nothing new (issue 13, item 3): statements landed earlier are not downloaded
again, and the incremental export asks for the same window a sync of the same day asked for (same bytes)."""
from __future__ import annotations

import datetime as dt

from connectors.base import SyncState
from connectors.boursorama import SPEC

from .helpers import run_client

TODAY = dt.date(2026, 5, 20)
PDF_PATH = "/services/api/files/statements-document.phtml"
EXPORT_PATH = "/budget/exporter-mouvements"


def _count(sb, path: str) -> int:
    return sum(1 for _, p in sb.state.requests if p == path)


def _known(arts) -> frozenset[tuple[str, str]]:
    return frozenset((a.meta.resource, a.meta.extra["document_id"]) for a in arts if "document_id" in a.meta.extra)


def _last_booking(arts) -> dt.date:
    return max(t.booking_date for a in arts if a.meta.kind == "csv"
               for t in SPEC.parse(a.body, a.meta).transactions if not t.pending)


async def test_second_sync_downloads_no_statement_and_lands_nothing_new():
    sb = await SPEC.start_sandbox(seed=7, today=TODAY, months=5, statement_months=3)
    try:
        first, exc = await run_client(sb, options={"statements": "always"})
        assert exc is None
        pdfs = [a for a in first if a.meta.resource == "statement"]
        assert pdfs and _count(sb, PDF_PATH) == len(pdfs)
        state = SyncState(max_booking_date=_last_booking(first), known_documents=_known(first))
        sb.state.requests.clear()
        second, exc = await run_client(sb, options={"statements": "always"}, state=state)
        assert exc is None
        assert _count(sb, PDF_PATH) == 0
        assert {a.meta.sha256 for a in second} <= {a.meta.sha256 for a in first}  # 0 new payloads
        accounts = {a.meta.account_ref for a in second if a.meta.kind == "csv"}
        assert accounts and _count(sb, EXPORT_PATH) == len(accounts)  # one window per account
        # the check can fire: without the known documents every statement is asked again
        sb.state.requests.clear()
        third, exc = await run_client(sb, options={"statements": "always"},
                                      state=SyncState(max_booking_date=state.max_booking_date))
        assert exc is None and _count(sb, PDF_PATH) == len(pdfs)
    finally:
        await sb.close()


async def test_auto_statements_are_those_before_the_export_history_on_every_run():
    """"auto" fetches only the statements older than the export's full history: an incremental run (which
    exports from a later day) must not take every statement before its own start for missing history."""
    sb = await SPEC.start_sandbox(seed=7, today=TODAY, months=5, statement_months=4)
    try:
        opts = {"statements": "auto", "history_months": 4}
        first, exc = await run_client(sb, options=opts)
        assert exc is None
        n_first = _count(sb, PDF_PATH)
        assert n_first > 0
        sb.state.requests.clear()
        _, exc = await run_client(sb, options=opts, state=SyncState(max_booking_date=_last_booking(first)))
        assert exc is None and _count(sb, PDF_PATH) == n_first
    finally:
        await sb.close()
