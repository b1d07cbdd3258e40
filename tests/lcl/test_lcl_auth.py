"""Login outcomes: each one a typed error, the login POST never repeated; and the one re-login on expiry."""
from __future__ import annotations

from collections import Counter

import pytest

from connectors.errors import ActionNeeded, AuthError, ProtocolChanged, SCARequired
from connectors.lcl import SPEC
from connectors.lcl.client import MAX_RELOGINS

from .conftest import run_sync

LOGIN = "POST /api/login"


def _no_secret_in(err: Exception, secrets: dict[str, str]) -> None:
    text = f"{err} {getattr(err, 'remedy', '')} {err!r}"
    assert not [v for v in secrets.values() if v in text]


async def test_wrong_pin_is_an_auth_error_after_exactly_one_login_post(sandbox_factory) -> None:
    sb = await sandbox_factory(wrong_password=True)
    with pytest.raises(AuthError) as err:
        await run_sync(sb)
    assert type(err.value) is AuthError and not err.value.retryable
    assert sb.state.stats[LOGIN] == 1
    assert sb.state.stats["GET /api/login/keypad"] == 1
    assert "lcl-demo" in str(err.value)
    _no_secret_in(err.value, sb.connections[0].secrets)


async def test_unknown_customer_number_is_an_auth_error(sandbox_factory) -> None:
    sb = await sandbox_factory()
    secrets = dict(sb.connections[0].secrets, login="0000000001")
    with pytest.raises(AuthError):
        await run_sync(sb, secrets=secrets)
    assert sb.state.stats[LOGIN] == 1


async def test_malformed_credentials_are_refused_before_any_request(sandbox_factory) -> None:
    sb = await sandbox_factory()
    secrets = dict(sb.connections[0].secrets, password="12345")
    with pytest.raises(AuthError) as err:
        await run_sync(sb, secrets=secrets)
    assert sum(sb.state.stats.values()) == 0
    _no_secret_in(err.value, secrets)


async def test_blocked_access_asks_the_user_to_act(sandbox_factory) -> None:
    sb = await sandbox_factory(blocked=True)
    with pytest.raises(ActionNeeded) as err:
        await run_sync(sb)
    assert not isinstance(err.value, (AuthError, SCARequired))
    assert "CREDENTIALS_BLOCKED" in str(err.value) and "unblock" in err.value.remedy
    assert sb.state.stats[LOGIN] == 1


async def test_repeated_bad_pins_end_in_a_temporary_block(sandbox_factory) -> None:
    sb = await sandbox_factory(wrong_password=True)
    outcomes = []
    for _ in range(3):
        with pytest.raises((AuthError, ActionNeeded)) as err:
            await run_sync(sb)
        outcomes.append(type(err.value))
    assert outcomes == [AuthError, AuthError, ActionNeeded]
    assert sb.state.stats[LOGIN] == 3  # one POST per run, never more


async def test_multi_factor_auth_raises_sca_required_with_what_to_do(sandbox_factory) -> None:
    sb = await sandbox_factory(sca=True)
    with pytest.raises(SCARequired) as err:
        await run_sync(sb)
    assert "iPhone de Camille" in err.value.remedy and "run the sync again" in err.value.remedy
    assert sb.state.stats[LOGIN] == 1
    assert not [k for k in sb.state.stats if k.startswith("GET /api/user")]
    _no_secret_in(err.value, sb.connections[0].secrets)


async def test_token_expiry_mid_paging_means_one_relogin_then_success(sandbox_factory) -> None:
    sb = await sandbox_factory(history_days=None, expire_first_token_after=6)
    arts = await run_sync(sb)
    assert sb.state.stats[LOGIN] == 2 and sb.state.stats["GET /api/login/keypad"] == 2
    got = Counter(t.account_ref for a in arts if a.meta.resource == "transactions"
                  for t in SPEC.parse(a.body, a.meta).transactions if not t.pending)
    assert got == Counter(r.account_number for r in sb.truth())
    pages = [int(a.meta.extra["pages"]) for a in arts if a.meta.resource == "transactions"]
    assert max(pages) > 4, "the expiry happened in the middle of an account's paging"


async def test_a_token_refused_right_after_a_fresh_login_stops_the_run(sandbox_factory) -> None:
    sb = await sandbox_factory(history_days=None, token_ttl=-1)  # every token is born expired
    with pytest.raises(ProtocolChanged):
        await run_sync(sb)
    assert sb.state.stats[LOGIN] == 1, "no re-login when the session never worked: that would loop"


async def test_a_token_past_its_expires_at_is_renewed_before_the_call(sandbox_factory) -> None:
    """``token_ttl=20``: expiresAt is within the 30 s safety margin, so the second data call logs in again
    (once per call at most, capped per run) and the run still succeeds."""
    sb = await sandbox_factory(months=3, history_days=None, token_ttl=20)
    arts = await run_sync(sb)
    assert [a for a in arts if a.meta.resource == "transactions"]
    assert sb.state.stats[LOGIN] == 1 + MAX_RELOGINS  # then the cap holds: no login storm
