"""Connector against simulator: parse what the client fetched and compare with truth per account."""
from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import SyncState
from connectors.boursorama import SPEC
from connectors.boursorama.simulator.csv_profiles import PROFILES
from connectors.errors import ProtocolChanged, SCARequired

from .helpers import booked_by_account, run_client, truth_by_account

TODAY = dt.date(2026, 5, 20)


async def _sync(options=None, state=None, **knobs):
    sb = await SPEC.start_sandbox(seed=7, today=TODAY, months=knobs.pop("months", 5), **knobs)
    try:
        arts, exc = await run_client(sb, options=options, state=state)
    finally:
        await sb.close()
    return sb, arts, exc


def _exports(sb) -> int:
    return sum(1 for m, p in sb.state.requests if p == "/budget/exporter-mouvements")


@pytest.mark.parametrize("profile", sorted(PROFILES))
async def test_every_csv_profile_matches_truth(profile):
    sb, arts, exc = await _sync(csv_profile=profile)
    assert exc is None
    truth = truth_by_account(sb)
    assert len(truth) == 3 and booked_by_account(arts) == truth
    kinds = [(a.meta.kind, a.meta.resource) for a in arts]
    assert kinds[0] == ("html", "accounts") and all(k == ("csv", "transactions") for k in kinds[1:])
    for a in arts[1:]:
        assert a.meta.window_start and a.meta.window_end and a.meta.account_ref in truth


async def test_accounts_artifact_parses_to_numbers_names_types_balances():
    sb, arts, _ = await _sync()
    batch = SPEC.parse(arts[0].body, arts[0].meta)
    assert {(a.account_ref, a.type) for a in batch.accounts} == {
        (acc.number, t) for acc, t in zip(sb.ledger.accounts, ("checking", "savings", "card"))}
    assert {a.account_ref: a.balance for a in batch.accounts} == {
        acc.number: sb.ledger.balance(acc.number) for acc in sb.ledger.accounts}


async def test_export_cap_splits_windows_and_loses_nothing():
    sb, arts, exc = await _sync(export_cap=25, options={"export_days": 60})
    assert exc is None and booked_by_account(arts) == truth_by_account(sb)
    from connectors.boursorama.parse_csv import count_rows
    assert all(count_rows(a.body) < 25 for a in arts if a.meta.kind == "csv")
    assert any((a.meta.window_end - a.meta.window_start).days < 59 for a in arts if a.meta.kind == "csv")


async def test_session_expiry_mid_export_relogs_once():
    sb, arts, exc = await _sync(session_expiry_mid_export=True)
    assert exc is None and sb.state.expired_once
    assert sb.login_posts() == 2
    assert booked_by_account(arts) == truth_by_account(sb)


async def test_csv_directly_after_redirect():
    sb, arts, exc = await _sync(download_page=False)
    assert exc is None and booked_by_account(arts) == truth_by_account(sb)
    assert not any(p == "/budget/export-pret" for _, p in sb.state.requests)


async def test_one_time_download_link_is_used():
    sb, arts, exc = await _sync()
    assert exc is None
    assert sum(1 for _, p in sb.state.requests if p == "/services/api/files/download.phtml") == \
        sum(1 for a in arts if a.meta.kind == "csv")
    assert all(a.meta.request_path == "/services/api/files/download.phtml" for a in arts[1:])  # no token in it


async def test_legacy_get_flow():
    sb, arts, exc = await _sync(export_flow="get_legacy", csv_profile="p2022")
    assert exc is None and booked_by_account(arts) == truth_by_account(sb)
    assert all(m == "GET" for m, p in sb.state.requests if p == "/budget/exporter-mouvements")


async def test_legacy_get_bounced_to_form_is_never_zero_rows():
    _, arts, exc = await _sync(options={"export_flow": "legacy_get"})
    assert isinstance(exc, ProtocolChanged) and "export_flow" in str(exc)
    assert [a.meta.kind for a in arts] == ["html"]


async def test_history_otp_is_sca_not_silent_truncation():
    sb, arts, exc = await _sync(history_otp_after_days=60)
    assert isinstance(exc, SCARequired) and "history_start" in exc.remedy
    csvs = [a for a in arts if a.meta.kind == "csv"]
    assert csvs and all(a.meta.window_start >= TODAY - dt.timedelta(days=60) for a in csvs)


async def test_latency_knob_and_incremental_sync():
    sb, arts, exc = await _sync(latency=0.002, months=3)
    assert exc is None and booked_by_account(arts) == truth_by_account(sb)
    first_exports = _exports(sb)
    state = SyncState(max_booking_date=TODAY - dt.timedelta(days=3))
    sb2, arts2, exc2 = await _sync(state=state, months=3)
    assert exc2 is None and 0 < _exports(sb2) < first_exports
    # from the export window (90-day grid anchored on today) that holds the day 40 days before the last booking
    first_day = min(a.meta.window_start for a in arts2 if a.meta.kind == "csv")
    assert TODAY - dt.timedelta(days=43 + 89) <= first_day <= TODAY - dt.timedelta(days=43)


async def test_statements_listed_downloaded_and_parsed():
    pytest.importorskip("connectors.statements")
    sb, arts, exc = await _sync(months=3, options={"statements": True}, statement_months=2)
    assert exc is None
    pdfs = [a for a in arts if a.meta.kind == "pdf"]
    assert len(pdfs) == 4  # 2 months x (current account, savings); the card has no PDF here
    for a in pdfs:
        assert a.meta.resource == "statement" and a.body.startswith(b"%PDF")
        st = SPEC.parse(a.body, a.meta).statements[0]
        truth = [r for r in sb.truth() if r.account_number == a.meta.account_ref
                 and st.period_start <= r.booking_date <= st.period_end]
        assert st.account_ref == a.meta.account_ref
        assert len(st.lines) == len(truth) and sum(l.amount for l in st.lines) == sum(r.amount for r in truth)
