"""Credentials in Prefect Secret blocks: what ``bankflow secrets set`` does.

A ``secret:BLOCK`` reference in bankflow.toml is read with ``Secret.aload(BLOCK)`` at run time
(pipeline/config.py), by whichever process runs the flow: the CLI (its temporary local server, or the
server ``PREFECT_API_URL`` names) or a worker. The Prefect server stores block values encrypted
(Fernet, key in its database or ``PREFECT_SERVER_ENCRYPTION_KEY``), and the API only returns them in
clear to a client that asks for them, so a value never appears in bankflow's files, logs or artifacts.

Block names are ``bankflow-<connection>-<field>`` (Prefect block names are slugs: lower-case letters,
digits and dashes).
"""
from __future__ import annotations

import re
from pathlib import Path

from connectors.errors import ConfigError
from connectors.registry import all_specs, get_spec

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def block_name(connection: str, field: str) -> str:
    """The Secret block name bankflow proposes for one credential field of one connection."""
    name = re.sub(r"[^a-z0-9-]+", "-", f"bankflow-{connection}-{field}".lower()).strip("-")
    return re.sub(r"-{2,}", "-", name)


def fields_for(connection: str, *, config_path: Path | None, bank: str | None) -> tuple[str, list[str]]:
    """(bank, credential fields) of ``connection``: from bankflow.toml when it lists the connection,
    else from ``bank``."""
    if config_path is not None and config_path.exists():
        import tomllib

        conns = tomllib.loads(config_path.read_text("utf-8")).get("connections", {})
        if isinstance(conns.get(connection), dict) and "bank" in conns[connection]:
            bank = bank or str(conns[connection]["bank"])
    if not bank:
        raise ConfigError(f"connection {connection!r} is not in {config_path}; say which bank it is with --bank "
                          f"(one of: {', '.join(sorted(all_specs()))})")
    spec = get_spec(bank)
    return bank, list(spec.credential_fields)


async def store_secret(name: str, value: str, *, overwrite: bool = True) -> str:
    """Save ``value`` as the Prefect Secret block ``name`` and return its ``secret:NAME`` reference.
    Errors never contain the value."""
    from prefect.blocks.system import Secret

    if not SLUG.match(name):
        raise ConfigError(f"{name!r} is not a valid block name: use lower-case letters, digits and dashes")
    if not value:
        raise ConfigError(f"refusing to store an empty value in Secret block {name!r}")
    try:
        await Secret(value=value).asave(name, overwrite=overwrite)
    except ValueError as exc:  # "already exists" when overwrite is False; messages name the block only
        raise ConfigError(f"could not save Secret block {name!r}: {type(exc).__name__}",
                          remedy="pass --overwrite to replace it") from None
    return f"secret:{name}"


async def secret_exists(name: str) -> bool:
    from prefect.blocks.system import Secret

    try:
        await Secret.aload(name)
    except ValueError:
        return False
    return True
