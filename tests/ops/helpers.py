"""Shared bits of the operations tests: configs for the simulators, byte searches."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from connectors.base import SandboxConnection
from pipeline.sandbox import sandbox_config


def write_config(path: Path, conns: list[SandboxConnection], *, env_prefix: str,
                 secret_refs: dict[str, str] | None = None, min_interval: float | None = None) -> dict[str, str]:
    """bankflow.toml for ``conns``; ``secret_refs`` maps a connection to the ``secret:BLOCK`` its token
    comes from (instead of an env var); returns the env vars the config references."""
    text, env = sandbox_config(conns, env_prefix=env_prefix)
    for conn, ref in (secret_refs or {}).items():
        var = next(k for k in env if k.startswith(re.sub(r"[^A-Z0-9_]", "_", f"{env_prefix}_{conn}_".upper())))
        text = text.replace(f'"env:{var}"', f'"{ref}"')
        env.pop(var)
    if min_interval is not None:
        text = re.sub(r'^(bank = .*)$', rf'\1\nmin_interval = {min_interval}', text, flags=re.M)
    path.write_text(text, "utf-8")
    return env


def with_secrets(conns: list[SandboxConnection], secrets: dict[str, dict[str, str]]) -> list[SandboxConnection]:
    return [replace(c, secrets={**c.secrets, **secrets.get(c.name, {})}) for c in conns]


def occurrences(roots: list[Path], needles: list[str]) -> list[str]:
    """``path: needle`` for every file under ``roots`` whose bytes contain a needle's UTF-8 bytes."""
    found = []
    encoded = [n.encode() for n in needles]
    for root in roots:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for f in files:
            try:
                data = f.read_bytes()
            except OSError:
                continue
            for n, b in zip(needles, encoded):
                if b in data:
                    found.append(f"{f}: {n}")
    return found
