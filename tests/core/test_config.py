from pathlib import Path

import pytest

from connectors.errors import ConfigError
from pipeline.config import parse_config, resolve_credentials


def _cfg(**conn):
    return {"connections": {"main": {"bank": "budgea", "base_url": "http://127.0.0.1:1/2.0", **conn}}}


def test_reference_is_accepted_and_resolved(monkeypatch):
    cfg = parse_config(_cfg(token="env:BF_TEST_TOKEN"))
    monkeypatch.setenv("BF_TEST_TOKEN", "tok-123456")
    import asyncio
    creds = asyncio.run(resolve_credentials(cfg.connections[0]))
    assert creds["token"] == "tok-123456"
    assert "tok-123456" not in repr(creds)


def test_plaintext_secret_is_refused_without_echoing_it():
    with pytest.raises(ConfigError) as e:
        parse_config(_cfg(token="hunter2-plaintext"), Path("bankflow.toml"))
    msg = e.value.describe()
    assert "plaintext" in msg and "'main'" in msg and "token" in msg
    assert "hunter2" not in msg


def test_missing_env_var_names_it(monkeypatch):
    monkeypatch.delenv("BF_MISSING", raising=False)
    cfg = parse_config(_cfg(token="env:BF_MISSING"))
    import asyncio
    with pytest.raises(ConfigError, match="BF_MISSING"):
        asyncio.run(resolve_credentials(cfg.connections[0]))


@pytest.mark.parametrize("data, needle", [
    ({"connections": {}}, "no [connections.NAME]"),
    ({"connections": {"x": {"base_url": "u"}}}, "needs a `bank`"),
    ({"connections": {"x": {"bank": "nosuchbank", "base_url": "u"}}}, "unknown bank"),
    ({"connections": {"x": {"bank": "budgea", "token": "env:T"}}}, "base_url"),
    ({"connections": {"x": {"bank": "budgea", "base_url": "u"}}}, "needs `token`"),
    ({"connections": {"x": {"bank": "budgea", "base_url": "u", "token": "env:T", "pages": 3}}}, "unknown keys"),
    ({"connections": {"Bad Name": {"bank": "budgea", "base_url": "u", "token": "env:T"}}}, "lower-case"),
])
def test_config_errors_say_what_is_wrong(data, needle):
    with pytest.raises(ConfigError) as e:
        parse_config(data)
    assert needle in str(e.value)


def test_run_options_override_the_connections_own():
    """``bankflow backfill`` passes options for one run: they win over the connection's, the rest is kept,
    and the config itself is left as it was."""
    from pipeline.config import select_connections

    cfg = parse_config(_cfg(token="env:BF_T", options={"statements": "auto", "history_months": 4}))
    (conn,) = select_connections(cfg, None, {"statements": "always"})
    assert conn.options == {"statements": "always", "history_months": 4}
    assert cfg.connections[0].options == {"statements": "auto", "history_months": 4}
    assert select_connections(cfg, ["main"]) == cfg.connections  # no options: the connections as configured
