"""When the demo runs as a Prefect flow by default: a Prefect server is configured (PREFECT_API_URL in the
environment or in the active Prefect profile), read without importing Prefect."""
from __future__ import annotations

from pathlib import Path

from pipeline.sync_without_prefect import prefect_server_configured


def _profiles(tmp_path: Path, text: str) -> dict[str, str]:
    (tmp_path / "profiles.toml").write_text(text, "utf-8")
    return {"PREFECT_HOME": str(tmp_path)}


def test_environment_variable(tmp_path: Path) -> None:
    assert prefect_server_configured({"PREFECT_API_URL": "http://127.0.0.1:4200/api", "PREFECT_HOME": str(tmp_path)})
    assert not prefect_server_configured({"PREFECT_API_URL": "", "PREFECT_HOME": str(tmp_path)})


def test_active_profile(tmp_path: Path) -> None:
    text = ('active = "work"\n[profiles.work]\nPREFECT_API_URL = "http://prefect.example/api"\n'
            '[profiles.local]\nPREFECT_LOGGING_LEVEL = "INFO"\n')
    env = _profiles(tmp_path, text)
    assert prefect_server_configured(env)
    assert not prefect_server_configured({**env, "PREFECT_PROFILE": "local"})  # PREFECT_PROFILE wins


def test_no_profiles_file_or_a_broken_one(tmp_path: Path) -> None:
    assert not prefect_server_configured({"PREFECT_HOME": str(tmp_path)})
    assert not prefect_server_configured(_profiles(tmp_path, "active = [unclosed"))
