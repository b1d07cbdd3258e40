"""prefect.yaml as `bankflow deploy` reads it, and `bankflow secrets set` with its hidden prompt."""
from __future__ import annotations

import inspect
import subprocess
from pathlib import Path

import pytest

from connectors.errors import ConfigError
from flows.cli.deploy import load_prefect_yaml
from flows.cli.secrets import block_name, fields_for
from flows.sync import sync_flow

from .conftest import BANKFLOW, REPO, Server


def test_prefect_yaml_deployments_match_the_flow(monkeypatch):
    monkeypatch.delenv("BANKFLOW_PROJECT_DIR", raising=False)
    spec = load_prefect_yaml(REPO / "prefect.yaml", project_dir=REPO)
    assert spec["pull"] == [{"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}]
    names = [d["name"] for d in spec["deployments"]]
    assert "daily-sync" in names and len(names) == len(set(names))
    sig = inspect.signature(sync_flow.fn)
    for d in spec["deployments"]:
        assert d["entrypoint"] == "flows/sync.py:sync_flow"
        sig.bind(**d["parameters"])  # every parameter is one the flow takes
        assert d["schedules"] and all(s["timezone"] == "Europe/Paris" for s in d["schedules"])
        assert d["work_pool"]["name"] == "bankflow"
        assert d["concurrency_limit"] == {"limit": 1, "collision_strategy": "ENQUEUE"}


def test_an_unset_variable_in_prefect_yaml_is_named(tmp_path):
    f = tmp_path / "prefect.yaml"
    f.write_text('pull:\n  - x:\n      directory: "{{ $BANKFLOW_TEST_NOT_SET }}"\n')
    with pytest.raises(ConfigError, match="BANKFLOW_TEST_NOT_SET"):
        load_prefect_yaml(f, project_dir=tmp_path)


def test_block_names_are_prefect_slugs():
    assert block_name("my_bourso", "password") == "bankflow-my-bourso-password"
    assert block_name("Bourso--2", "login") == "bankflow-bourso-2-login"


def test_fields_come_from_the_config_or_the_bank(tmp_path):
    cfg = tmp_path / "bankflow.toml"
    cfg.write_text('[connections.main]\nbank = "boursorama"\nbase_url = "http://x"\n')
    bank, fields = fields_for("main", config_path=cfg, bank=None)
    assert bank == "boursorama" and set(fields) == {"login", "password"}
    with pytest.raises(ConfigError, match="--bank"):
        fields_for("other", config_path=cfg, bank=None)


def test_secrets_set_prompts_hidden_and_prints_only_references(prefect_server: Server):
    login, password = "canary-login-71x", "canary-pass-93y"
    # no terminal (own session): the hidden prompt reads standard input, as getpass does then
    p = subprocess.run([*BANKFLOW, "secrets", "set", "prompted", "--bank", "boursorama"],
                       env=prefect_server.env, input=f"{login}\n{password}\n", capture_output=True, text=True,
                       timeout=120, start_new_session=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert 'login = "secret:bankflow-prompted-login"' in p.stdout
    assert 'password = "secret:bankflow-prompted-password"' in p.stdout
    assert login not in p.stdout + p.stderr and password not in p.stdout + p.stderr
    with prefect_server.api() as api:
        got = api.get("/block_types/slug/secret/block_documents/name/bankflow-prompted-password",
                      params={"include_secrets": "true"}).json()
    assert got["data"]["value"] == password
    assert not any(password.encode() in f.read_bytes() for f in prefect_server.home.glob("prefect.db*"))
