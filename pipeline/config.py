"""``bankflow.toml``: connections and where their credentials come from.

::

    [connections.my-bourso]
    bank = "boursorama"
    base_url = "https://clients.boursobank.com"
    login = "env:BOURSO_LOGIN"            # an environment variable
    password = "secret:bourso-password"   # or a Prefect Secret block
    min_interval = 0.5                    # optional: seconds between two requests (pacing)
    enabled = true                        # optional
    [connections.my-bourso.options]       # optional, bank specific
    export_days = 90

Every credential field the bank needs (``ConnectorSpec.credential_fields``) must be a reference:
``env:NAME`` or ``secret:BLOCK``. A plaintext value is refused: a file is not a place for a password.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from connectors.base import Credentials
from connectors.errors import ConfigError
from connectors.registry import get_spec

REF = re.compile(r"^(env|secret):([A-Za-z0-9_.\-/]+)$")
NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
KNOWN_KEYS = {"bank", "base_url", "enabled", "min_interval", "options"}


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """One connection. Holds credential *references* only, so it is safe to log or pass to a task."""

    name: str
    bank: str
    base_url: str
    credential_refs: dict[str, str]
    options: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    min_interval: float = 0.0


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    connections: list[ConnectionConfig]

    def get(self, name: str) -> ConnectionConfig:
        for c in self.connections:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.connections) or "none"
        raise ConfigError(f"no connection named {name!r} in {self.path}; known: {known}")


def load_config(path: Path) -> Config:
    if not path.exists():
        raise ConfigError(f"{path}: no such file",
                          remedy="create it (see README, 'Configuration') or try `bankflow demo`")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    where = str(path or "bankflow.toml")
    conns = data.get("connections")
    if not isinstance(conns, dict) or not conns:
        raise ConfigError(f"{where}: no [connections.NAME] table")
    out = []
    for name, c in conns.items():
        if not NAME.match(name):
            raise ConfigError(f"{where}: connection name {name!r} must be lower-case letters, digits, - or _")
        if not isinstance(c, dict) or "bank" not in c:
            raise ConfigError(f"{where}: connection {name!r} needs a `bank` (e.g. bank = \"budgea\")")
        spec = get_spec(c["bank"])
        if "base_url" not in c:
            raise ConfigError(f"{where}: connection {name!r} needs a `base_url`")
        refs: dict[str, str] = {}
        for fname in spec.credential_fields:
            v = c.get(fname)
            if v is None:
                raise ConfigError(f"{where}: connection {name!r} needs `{fname}` "
                                  f"(a reference such as {fname} = \"env:{name.upper().replace('-', '_')}_{fname.upper()}\")")
            if not isinstance(v, str) or not REF.match(v):
                # never echo the value: it may be the password itself
                raise ConfigError(f"{where}: connection {name!r}: `{fname}` holds a plaintext value; refusing it. "
                                  f"Write {fname} = \"env:VARIABLE\" or \"secret:PREFECT_BLOCK\" instead",
                                  remedy="move the secret to an environment variable or a Prefect Secret block")
            refs[fname] = v
        unknown = set(c) - KNOWN_KEYS - set(spec.credential_fields)
        if unknown:
            raise ConfigError(f"{where}: connection {name!r}: unknown keys {sorted(unknown)}; "
                              f"bank options go under [connections.{name}.options]")
        out.append(ConnectionConfig(name=name, bank=c["bank"], base_url=str(c["base_url"]), credential_refs=refs,
                                    options=dict(c.get("options", {})), enabled=bool(c.get("enabled", True)),
                                    min_interval=float(c.get("min_interval", 0.0))))
    return Config(path=path, connections=out)


def select_connections(cfg: Config, only: list[str] | None = None,
                       options: dict[str, Any] | None = None) -> list[ConnectionConfig]:
    """The connections a sync runs: the enabled ones, or exactly ``only`` (enabled or not). An unknown
    name is an error, and so is an empty selection (**decision**: a sync with every connection disabled
    is a configuration mistake, not a successful run of nothing; it exits 2 with this message).
    ``options`` override each selected connection's own options for this run (``bankflow backfill``)."""
    if only:
        conns = [cfg.get(name) for name in dict.fromkeys(only)]
    else:
        conns = [c for c in cfg.connections if c.enabled]
    if not conns:
        names = ", ".join(c.name for c in cfg.connections)
        raise ConfigError(f"{cfg.path}: every connection is disabled (enabled = false: {names}); nothing to sync",
                          remedy="set enabled = true on one, or sync one anyway: bankflow sync --connection NAME")
    return [replace(c, options={**c.options, **options}) for c in conns] if options else conns


async def resolve_credentials(conn: ConnectionConfig) -> Credentials:
    """Read the secret values a connection's references point to. Errors name the reference, never a
    value."""
    values: dict[str, str] = {}
    for fname, ref in conn.credential_refs.items():
        m = REF.match(ref)
        assert m is not None
        kind, key = m.groups()
        if kind == "env":
            v = os.environ.get(key)
            if not v:
                raise ConfigError(f"connection {conn.name!r}: environment variable {key} (for `{fname}`) is not set",
                                  remedy=f"export {key}=... before running, or use a Prefect Secret block")
        else:
            v = await _prefect_secret(conn.name, fname, key)
        values[fname] = v
    return Credentials(values)


async def _prefect_secret(conn: str, fname: str, block: str) -> str:
    from prefect.blocks.system import Secret

    try:
        secret = await Secret.aload(block)
    except ValueError:
        raise ConfigError(f"connection {conn!r}: Prefect Secret block {block!r} (for `{fname}`) not found",
                          remedy=f"create it: bankflow secrets set {conn}  (or prefect block create secret)") from None
    return str(secret.get())
