"""BudgeaClient against the simulator over real sockets: full and incremental syncs equal the truth,
and failure knobs map to the right errors without extra attempts."""
from __future__ import annotations


import pytest

from connectors.budgea.client import BudgeaClient
from connectors.errors import (ActionNeeded, AuthError, ProtocolChanged, RateLimited, SCARequired,
                               TransientError)
from budgea_helpers import Store, run_client, truth_by_number


@pytest.mark.parametrize("knobs,options", [
    ({"pagination": "links"}, {}),
    ({"pagination": "links", "links_absolute": True}, {"page_limit": 400}),
    ({"pagination": "offset"}, {"page_limit": 700}),
])
async def test_full_sync_equals_truth_per_account(make_sandbox, knobs, options):
    sb = await make_sandbox(**knobs)
    for index, conn in enumerate(sb.connections):
        arts = await run_client(sb, index, options=options)
        store = Store().load(arts)
        truth = truth_by_number(sb, conn.name)
        assert truth and store.booked_by_number() == truth, conn.name
        assert {a.meta.resource for a in arts} == {"accounts", "transactions"}
    limit = options.get("page_limit", 1000)
    assert sb.requests["GET /2.0/users/{user}/accounts/{id}/transactions"] > len(truth)  # several pages
    assert all(f"limit={limit}" in q for q in sb.queries if "/transactions" in q)


async def test_first_sync_pages_are_artifacts_with_clean_metadata(make_sandbox):
    sb = await make_sandbox()
    arts = await run_client(sb, 0)
    token = sb.connections[0].secrets["token"]
    pages = [a for a in arts if a.meta.resource == "transactions"]
    assert {a.meta.account_ref for a in pages} == {"100", "101", "102"}
    for a in arts:
        assert token not in str(a.meta.to_json()) and a.meta.kind == "json" and a.meta.http_status == 200
    assert all("min_date=1970-01-01" in a.meta.request_path and "filter=date" in a.meta.request_path
               for a in pages if "offset" not in a.meta.request_path)
    # the closed (deleted) account is neither activated nor read
    assert set(sb.activations) == {100, 101, 102}
    assert sb.psu_requested == ["false"]


@pytest.mark.parametrize("variant", ["in_place", "recreate"])
async def test_incremental_sync_after_advance_days(make_sandbox, variant):
    sb = await make_sandbox(booking_variant=variant)
    store = Store().load(await run_client(sb, 0))
    pending_before = {k for k, t in store.txns.items() if t.pending and t.deleted_at is None}
    assert pending_before
    cursor_state = store.state()
    sb.advance_days(4)
    before = sb.requests_total
    arts = await run_client(sb, 0, state=cursor_state)
    pages = [a for a in arts if a.meta.resource == "transactions"]
    assert all("last_update=" in a.meta.request_path for a in pages)
    assert sum(len(Store().load([a]).txns) for a in pages) < 300  # only the recent rows came back
    store.load(arts)
    assert store.booked_by_number() == truth_by_number(sb, "budgea-perso")
    # every row pending before is now booked (in place) or a tombstone replaced by a new id
    for key in pending_before:
        t = store.txns[key]
        assert (not t.pending) if variant == "in_place" else (t.deleted_at is not None)
    assert sb.requests_total - before < 20


async def test_booked_row_gets_its_final_label(make_sandbox):
    sb = await make_sandbox()
    store = Store().load(await run_client(sb, 0))
    generic = [k for k, t in store.txns.items() if t.pending and t.label_raw == "PAIEMENT CB EN COURS"]
    assert generic
    sb.advance_days(4)
    store.load(await run_client(sb, 0, state=store.state()))
    booked = store.txns[generic[0]]
    assert not booked.pending and booked.label_raw.startswith("CARTE ")
    assert booked.operation_date is not None


async def test_wrong_password_is_auth_error_and_not_retried(make_sandbox):
    sb = await make_sandbox(wrong_password=True)
    with pytest.raises(AuthError) as err:
        await run_client(sb, 0)
    msg = err.value.describe()
    assert "budgea-perso" in msg and "Powens connection 1" in msg and "wrongpass" in msg
    assert sb.connections[0].secrets["token"] not in msg
    assert sb.sync_attempts[1] == 1
    assert sb.paths["PUT /2.0/users/me/connections/1"] == 1
    # the other connection is unaffected
    assert truth_by_number(sb, "budgea-famille") == Store().load(await run_client(sb, 1)).booked_by_number()


async def test_sca_required(make_sandbox):
    sb = await make_sandbox(sca=True)
    with pytest.raises(SCARequired) as err:
        await run_client(sb, 0)
    assert "SCARequired" in str(err.value) and "strong authentication" in err.value.remedy
    assert sb.sync_attempts[1] == 1


@pytest.mark.parametrize("state,cls", [
    ("websiteUnavailable", TransientError), ("rateLimiting", TransientError), ("bug", TransientError),
    ("actionNeeded", ActionNeeded), ("passwordExpired", ActionNeeded), ("decoupled", SCARequired),
    ("webauthRequired", SCARequired), ("additionalInformationNeeded", SCARequired), ("WRONGPASS", AuthError),
    ("wrongPass", AuthError), ("notSupported", ActionNeeded),
])
async def test_connection_states_map_to_errors(make_sandbox, state, cls):
    sb = await make_sandbox(connection_state=state)
    with pytest.raises(cls) as err:
        await run_client(sb, 0)
    assert type(err.value) is cls and state in str(err.value)
    assert sb.sync_attempts[1] == 1  # never re-sent, even for transient states (a later run retries)


async def test_validating_is_polled_then_sync_goes_on(make_sandbox):
    sb = await make_sandbox(validating_polls=3)
    store = Store().load(await run_client(sb, 1))
    assert store.booked_by_number() == truth_by_number(sb, "budgea-famille")
    assert sb.paths["GET /2.0/users/me/connections/2"] == 4  # 3 polls answer validating, the 4th null


async def test_validating_forever_is_bounded(make_sandbox):
    sb = await make_sandbox(validating_polls=50)
    with pytest.raises(TransientError, match="still validating"):
        await run_client(sb, 1, options={"max_polls": 4})
    assert sb.paths["GET /2.0/users/me/connections/2"] == 4


async def test_bad_token_is_auth_error(make_sandbox):
    sb = await make_sandbox()
    sb.connections[0].secrets["token"] = "not-a-real-token"
    with pytest.raises(AuthError, match="token rejected") as err:
        await run_client(sb, 0)
    assert "not-a-real-token" not in err.value.describe()
    assert sb.requests_total == 1


async def test_fail_5xx_is_retried_by_the_http_layer(make_sandbox):
    sb = await make_sandbox(fail_5xx=2)
    store = Store().load(await run_client(sb, 1))
    assert store.booked_by_number() == truth_by_number(sb, "budgea-famille")
    assert sb.paths["GET /2.0/users/me"] == 3  # two 503s, then the answer


async def test_5xx_beyond_retries_is_transient(make_sandbox):
    sb = await make_sandbox(fail_5xx=10)
    with pytest.raises(TransientError, match="HTTP 503"):
        await run_client(sb, 1)


async def test_429_retry_after_is_honoured(make_sandbox):
    sb = await make_sandbox()
    await run_client(sb, 1)  # accounts activated; the next run only sends GETs and one PUT
    sb.rate_limit_per_min, sb.rate_window = 4, 1.0
    waits: list[float] = []
    store = Store().load(await run_client(sb, 1, waits=waits))
    assert sb.rejected_429 >= 1
    assert waits and min(waits) >= 0.9  # waited for Retry-After (1 s) instead of its short backoff
    assert store.booked_by_number() == truth_by_number(sb, "budgea-famille")


async def test_429_on_activation_post_is_not_replayed(make_sandbox):
    sb = await make_sandbox(rate_limit_per_min=5, rate_window=30.0)
    with pytest.raises(RateLimited) as err:  # 6th request = 2nd activation POST
        await run_client(sb, 1)
    assert err.value.retry_after >= 1
    assert sb.paths["POST /2.0/users/me/accounts/104"] == 1 and sb.rejected_429 == 1


async def test_amounts_as_strings_parse_exactly(make_sandbox):
    sb = await make_sandbox(amounts_as_strings=True)
    arts = await run_client(sb, 0)
    assert b'"value": "-' in next(a.body for a in arts if a.meta.resource == "transactions")
    store = Store().load(arts)
    assert store.booked_by_number() == truth_by_number(sb, "budgea-perso")
    assert all(acc.balance is not None for acc in store.accounts.values())


async def test_activation_can_be_switched_off(make_sandbox):
    sb = await make_sandbox()
    arts = await run_client(sb, 0, options={"activate_accounts": False})
    assert [a.meta.resource for a in arts] == ["accounts"]
    assert not sb.activations


async def test_unknown_powens_connection_id_is_a_config_error(make_sandbox):
    from connectors.errors import ConfigError
    sb = await make_sandbox()
    with pytest.raises(ConfigError, match=r"\[99\]"):
        await run_client(sb, 0, options={"powens_connection_ids": [99]})


def test_next_link_to_another_host_is_refused():
    client = BudgeaClient.__new__(BudgeaClient)
    client.connection, client.base_url = "budgea-perso", "https://demo.biapi.pro/2.0"
    from yarl import URL
    client._origin = URL(client.base_url).origin()
    assert str(client._follow("/2.0/users/me/transactions?limit=2&offset=2")) == \
        "https://demo.biapi.pro/2.0/users/me/transactions?limit=2&offset=2"
    assert str(client._follow("https://demo.biapi.pro/2.0/x?a=1")) == "https://demo.biapi.pro/2.0/x?a=1"
    with pytest.raises(ProtocolChanged, match="another host"):
        client._follow("https://evil.example/2.0/users/me/transactions?offset=2")
