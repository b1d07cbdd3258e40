import datetime as dt

import pytest

from connectors.artifact import make_artifact
from warehouse.raw_store import RawStore


def _art(body=b'{"a": 1}', when=dt.datetime(2026, 11, 2, 10, 0), path="/users/me/accounts?token=abc12345"):
    return make_artifact(body, bank="budgea", connection="main", kind="json", resource="accounts",
                         fetched_at=when, request_path=path)


def test_landing_twice_is_a_noop_even_a_month_later(tmp_path):
    store = RawStore(tmp_path)
    p1, new1 = store.land(_art())
    p2, new2 = store.land(_art(when=dt.datetime(2026, 12, 5)))
    assert new1 and not new2 and p1 == p2
    assert p1.relative_to(tmp_path).parts[:4] == ("budgea", "main", "2026", "11")
    assert p1.read_bytes() == b'{"a": 1}'
    assert len(list(store.iter_paths())) == 1


def test_meta_is_redacted_and_a_secret_in_meta_is_refused(tmp_path):
    store = RawStore(tmp_path)
    p, _ = store.land(_art(), secrets=["abc12345"])
    meta = RawStore.meta_path(p).read_text()
    assert "abc12345" not in meta
    assert "token=***" in meta
    bad = make_artifact(b"x", bank="budgea", connection="main", kind="json", resource="r",
                        extra={"note": "password is s3cr3tpw"})
    with pytest.raises(ValueError, match="secret"):
        store.land(bad, secrets=["s3cr3tpw"])
    assert len(list(store.iter_paths())) == 1


def test_a_pin_that_the_fetch_time_or_digest_spells_by_chance_is_no_leak(tmp_path):
    """The microseconds of a fetch (or digits of the sha256) that happen to equal a numeric PIN do not
    refuse the payload; the same PIN in a field the connector fills still does."""
    store = RawStore(tmp_path)
    when = dt.datetime(2026, 12, 5, 8, 53, 17, 364954)
    art = make_artifact(b"{}", bank="lcl", connection="demo", kind="json", resource="accounts", fetched_at=when)
    pin = art.meta.sha256[10:16]
    _, new = store.land(art, secrets=["364954", pin])
    assert new
    leaky = make_artifact(b"[]", bank="lcl", connection="demo", kind="json", resource="accounts",
                          fetched_at=when, request_path="/api/accounts?x=1", account_ref="acct-364954")
    with pytest.raises(ValueError, match="secret"):
        store.land(leaky, secrets=["364954"])
