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
