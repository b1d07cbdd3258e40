"""Discovers bank packages under ``connectors/``: any sub-package exposing ``SPEC``.

A bank package that fails to import does not take the others down: the error is kept and shown when
that bank is asked for.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from functools import cache

import connectors
from connectors.base import ConnectorSpec
from connectors.errors import ConfigError

log = logging.getLogger("bankflow.registry")
_IMPORT_ERRORS: dict[str, str] = {}


@cache
def all_specs() -> dict[str, ConnectorSpec]:
    specs: dict[str, ConnectorSpec] = {}
    for mod in pkgutil.iter_modules(connectors.__path__):
        if not mod.ispkg:
            continue
        try:
            module = importlib.import_module(f"connectors.{mod.name}")
        except Exception as exc:  # keep going: one broken bank must not hide the others
            _IMPORT_ERRORS[mod.name] = f"{type(exc).__name__}: {exc}"
            log.error("bank package connectors.%s failed to import: %s", mod.name, exc)
            continue
        spec = getattr(module, "SPEC", None)
        if isinstance(spec, ConnectorSpec):
            specs[spec.bank] = spec
    return specs


def get_spec(bank: str) -> ConnectorSpec:
    specs = all_specs()
    if bank in specs:
        return specs[bank]
    if bank in _IMPORT_ERRORS:
        raise ConfigError(f"bank {bank!r} is installed but failed to load: {_IMPORT_ERRORS[bank]}",
                          remedy="reinstall bankflow; if it persists, report the error")
    raise ConfigError(f"unknown bank {bank!r}; known banks: {', '.join(sorted(specs)) or 'none'}")
