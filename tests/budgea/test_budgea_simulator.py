"""The simulated Powens API itself, spoken to with a plain aiohttp client over real sockets."""
from __future__ import annotations

import datetime as dt

import aiohttp
import pyarrow.parquet as pq
import pytest

from budgea_helpers import TODAY
from connectors.budgea.simulator.ledger import Ledger

CHECKING, JOINT = 100, 103


@pytest.fixture
async def api(make_sandbox):
    """(sandbox, call) where ``await call(method, path, **kw)`` returns (status, json, headers)."""
    sb = await make_sandbox()
    async with aiohttp.ClientSession() as session:
        async def call(method, path, token=sb.token, **kw):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            url = path if path.startswith("http") else sb.url + path
            async with session.request(method, url, headers=headers, **kw) as resp:
                return resp.status, await resp.json(), resp.headers
        yield sb, call


async def _activate(call, *ids):
    for aid in ids:
        status, body, _ = await call("POST", f"/users/me/accounts/{aid}", json={"disabled": False})
        assert status == 200 and body["disabled"] is None


async def test_bad_or_missing_token(api):
    sb, call = api
    status, body, _ = await call("GET", "/users/me", token="nope")
    assert status == 403 and set(body) == {"code", "description", "message", "request_id"}
    status, body, _ = await call("GET", "/users/me/accounts", token=None)
    assert status == 401 and body["code"] == "unauthorized"
    status, body, _ = await call("GET", "/connectors?expand=fields", token=None)  # public
    assert status == 200 and [f["name"] for f in body["connectors"][0]["fields"]] == ["login", "password"]


async def test_limit_is_required_and_capped(api):
    sb, call = api
    await _activate(call, CHECKING)
    base = f"/users/me/accounts/{CHECKING}/transactions"
    assert (await call("GET", base))[1]["code"] == "missingParameter"
    for bad in ("1001", "0", "abc"):
        status, body, _ = await call("GET", f"{base}?limit={bad}")
        assert status == 400 and body["code"] == "invalidValue"
    status, body, _ = await call("GET", f"{base}?limit=1000")
    assert status == 200 and len(body["transactions"]) == 1000


async def test_accounts_start_disabled_and_activate_by_json_form_or_multipart(api):
    sb, call = api
    _, listing, _ = await call("GET", "/users/me/accounts")
    assert listing["accounts"] == []
    _, listing, _ = await call("GET", "/users/me/accounts?all")
    assert len(listing["accounts"]) == 6 and all(a["disabled"] and a["number"] is None for a in listing["accounts"])
    _, body, _ = await call("GET", f"/users/me/accounts/{CHECKING}/transactions?limit=10")
    assert body["transactions"] == []  # disabled: no transactions
    await call("POST", "/users/me/accounts/100", json={"disabled": False})
    await call("POST", "/users/me/accounts/101", data={"disabled": "false"})
    form = aiohttp.FormData()
    form.add_field("disabled", "0")
    form.add_field("dummy", b"x", filename="x.bin")  # forces multipart/form-data
    await call("POST", "/users/me/accounts/102", data=form)
    _, listing, _ = await call("GET", "/users/me/accounts")
    assert [a["id"] for a in listing["accounts"]] == [100, 101, 102]
    assert all(a["number"] and a["balance"] is not None for a in listing["accounts"])
    assert listing["total"] == 3 and "EUR" in listing["balances"]


async def test_links_pagination_walks_every_row_once(api):
    sb, call = api
    await _activate(call, CHECKING)
    url, ids = f"/users/me/accounts/{CHECKING}/transactions?limit=300&all", []
    while url:
        status, body, _ = await call("GET", url if url.startswith("http") else url.replace("/2.0", "", 1))
        ids += [t["id"] for t in body["transactions"]]
        nxt = body["_links"]["next"]
        url = nxt["href"] if nxt else None
    acc = sb.ledger.users[0].connections[0].accounts[0]
    assert len(ids) == len(set(ids)) == len(acc.rows) > 900


async def test_absolute_links_and_offset_mode(api):
    sb, call = api
    await _activate(call, CHECKING)
    sb.links_absolute = True
    _, body, _ = await call("GET", f"/users/me/accounts/{CHECKING}/transactions?limit=5")
    assert body["_links"]["next"]["href"].startswith(sb.url + "/users/me/accounts/100/transactions?limit=5")
    sb.pagination = "offset"
    _, body, _ = await call("GET", f"/users/me/accounts/{CHECKING}/transactions?limit=5&offset=5")
    assert set(body) == {"transactions", "total"} and len(body["transactions"]) == 5
    assert body["total"] == sum(1 for t in sb.ledger.users[0].connections[0].accounts[0].rows if t.deleted is None)


async def test_deleted_rows_need_all_or_deleted(api):
    sb, call = api
    await _activate(call, CHECKING)
    base = f"/users/me/accounts/{CHECKING}/transactions?limit=1000&min_date=2026-09-01&filter=date"
    plain = (await call("GET", base))[1]["transactions"]
    every = (await call("GET", base + "&all"))[1]["transactions"]
    only = (await call("GET", base + "&deleted=true"))[1]["transactions"]
    assert all(t["deleted"] is None for t in plain)
    assert len(only) == 1 and only[0]["deleted"] and "AMAZON" in only[0]["original_wording"]
    assert len(every) == len(plain) + 1


async def test_last_update_is_strictly_after(api):
    sb, call = api
    await _activate(call, CHECKING)
    rows = (await call("GET", f"/users/me/accounts/{CHECKING}/transactions?limit=1000&all"))[1]["transactions"]
    pivot = sorted(t["last_update"] for t in rows)[-20]
    _, body, _ = await call("GET", f"/users/me/accounts/{CHECKING}/transactions",
                            params={"limit": "1000", "last_update": pivot})
    assert body["transactions"] and all(t["last_update"] > pivot for t in body["transactions"])
    assert len(body["transactions"]) == sum(t["last_update"] > pivot for t in rows)
    status, body, _ = await call("GET", f"/users/me/accounts/{CHECKING}/transactions?limit=5&last_update=yesterday")
    assert status == 400 and body["code"] == "invalidValue"


async def test_date_filters(api):
    sb, call = api
    await _activate(call, CHECKING)
    base = f"/users/me/accounts/{CHECKING}/transactions?limit=1000"
    by_date = (await call("GET", base + "&min_date=2026-10&max_date=2026-10&filter=date"))[1]["transactions"]
    assert by_date and all(t["date"].startswith("2026-10") for t in by_date)
    by_app = (await call("GET", base + "&min_date=2026-10-01&max_date=2026-10-31"))[1]["transactions"]
    assert all(t["application_date"].startswith("2026-10") for t in by_app)
    assert {t["id"] for t in by_app} != {t["id"] for t in by_date}  # card rows debit days later


async def test_429_with_retry_after_and_injected_503(api):
    sb, call = api
    sb.rate_limit_per_min = 2
    assert (await call("GET", "/users/me"))[0] == 200
    assert (await call("GET", "/users/me"))[0] == 200
    status, body, headers = await call("GET", "/users/me")
    assert status == 429 and body["code"] == "rateLimiting" and int(headers["Retry-After"]) >= 1
    sb.rate_limit_per_min, sb.fail_5xx = 0, 1
    assert (await call("GET", "/users/me"))[0] == 503
    assert (await call("GET", "/users/me"))[0] == 200
    assert sb.requests["GET /2.0/users/{user}"] == 5 == sb.requests_total


async def test_sync_states_and_hidden_data(api):
    sb, call = api
    sb.wrong_password = True
    status, conn, _ = await call("PUT", "/users/me/connections/1?psu_requested=false")
    assert status == 200 and conn["state"] == "wrongpass" and [f["name"] for f in conn["fields"]] == ["login", "password"]
    _, listing, _ = await call("GET", "/users/me/connections/1/accounts?all")
    assert listing["accounts"] == []
    assert (await call("GET", "/users/me/accounts/100"))[0] == 404
    sb.wrong_password, sb.sca = False, True
    assert (await call("PUT", "/users/me/connections/1"))[1]["state"] == "SCARequired"
    sb.sca = False
    assert (await call("PUT", "/users/me/connections/2"))[1]["state"] is None


@pytest.mark.parametrize("variant", ["in_place", "recreate"])
async def test_pending_rows_book_per_variant(variant):
    ledger = Ledger(seed=3, today=TODAY)
    acc = ledger.users[0].connections[0].accounts[0]
    pending = [t for t in acc.rows if t.coming and t.original_wording == "PAIEMENT CB EN COURS"]
    assert pending and all(t.date > TODAY - dt.timedelta(days=4) for t in pending)
    before = {t.id: t.last_update for t in pending}
    n_rows = len(acc.rows)
    ledger.advance_days(4, variant)
    for t in pending:
        assert t.last_update > before[t.id]
        if variant == "in_place":
            assert not t.coming and t.deleted is None and t.original_wording.startswith("CARTE ")
        else:
            assert t.coming and t.deleted is not None
            twin = next(r for r in acc.rows if r.id > t.id and r.rdate == t.rdate and r.value == t.value
                        and not r.coming)
            assert twin.original_wording.startswith("CARTE ") and twin.id not in before
    assert len(acc.rows) > n_rows
    assert all(t.last_update < ledger.now for u in ledger.users for a in ledger.accounts(u) for t in a.rows)


async def test_truth_is_deterministic_and_has_identical_same_day_rows(make_sandbox, tmp_path):
    a, b = await make_sandbox(seed=7), await make_sandbox(seed=7)
    assert a.truth() == b.truth()
    assert a.truth() != (await make_sandbox(seed=8)).truth()
    rows = a.truth()
    keys = [(r.account_number, r.booking_date, r.amount, r.label) for r in rows]
    assert len(keys) - len(set(keys)) >= 2  # identical coffees
    assert min(r.booking_date for r in rows) <= TODAY - dt.timedelta(days=730)
    assert "PAIEMENT CB EN COURS" not in {r.label for r in rows}  # pending rows are not truth
    checking = a.ledger.users[0].connections[0].accounts[0]
    dup = next(t for t in checking.rows if t.deleted is not None)
    assert (checking.number, dup.date, dup.value, dup.original_wording) not in set(keys)
    table = pq.read_table(a.write_truth(tmp_path / "truth.parquet"))
    assert table.num_rows == len(rows)
    assert str(table.schema.field("amount").type) == "decimal128(18, 2)"
    assert str(table.schema.field("booking_date").type) == "date32[day]"
    assert a.token not in (tmp_path / "truth.parquet").read_bytes().decode("latin-1")


async def test_several_users_have_separate_tokens_and_data(make_sandbox):
    sb = await make_sandbox(users=2)
    names = [c.name for c in sb.connections]
    assert names == ["budgea-perso", "budgea-famille", "budgea-u1-perso", "budgea-u1-famille"]
    assert sb.connections[2].secrets["token"] != sb.connections[0].secrets["token"]
    async with aiohttp.ClientSession() as s:
        async with s.get(sb.url + "/users/me/connections/1",
                         headers={"Authorization": f"Bearer {sb.connections[2].secrets['token']}"}) as r:
            assert r.status == 404  # user 1 cannot see user 0's connection
