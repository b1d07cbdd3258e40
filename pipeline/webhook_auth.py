"""Powens webhook authentication and the ``[webhooks]`` table of bankflow.toml (reference/budgea.md §8).

::

    [webhooks]
    auth = "hmac"                              # or "bearer"
    secret = "env:BANKFLOW_WEBHOOK_SECRET"     # a reference (env: or secret:), never the value
    deployment = "bankflow-sync/daily-sync"    # run when PREFECT_API_URL is set
    max_skew = 300                             # seconds a BI-Signature-Date may be off

* ``hmac``: ``BI-Signature = base64(HMAC-SHA256(secret_key, "POST." + <URL path> + "." +
  <BI-Signature-Date> + "." + <raw body>))``, compared in constant time; a date more than ``max_skew``
  seconds away from now is refused (a replayed old request).
* ``bearer``: ``Authorization: Bearer <secret>`` (the legacy "shared secret"), compared in constant time.

Uncertain in the reference, and what is done here: the HMAC endpoints are undocumented (the formula comes
from one integrator's code, budgea.md §8 [S]); the **format of BI-Signature-Date** is not given, so an
RFC 1123 HTTP date, an ISO 8601 datetime (naive = UTC) and Unix seconds are all accepted; the path
signed is the request's path as this server sees it (behind a proxy that rewrites paths, set the
``path`` key to the public one).
"""
from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from connectors.errors import ConfigError
from pipeline.config import REF

AUTH_MODES = ("hmac", "bearer")
DEFAULT_DEPLOYMENT = "bankflow-sync/daily-sync"


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """The ``[webhooks]`` table. Holds the secret's reference only."""

    auth: str
    secret_ref: str
    deployment: str = DEFAULT_DEPLOYMENT
    max_skew: float = 300.0
    #: the URL path the sender signs, when it differs from the one this server receives (a proxy)
    path: str | None = None


def load_webhook_config(path: Path) -> WebhookConfig:
    if not path.exists():
        raise ConfigError(f"{path}: no such file")
    try:
        data = tomllib.loads(path.read_text("utf-8")).get("webhooks")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    example = '[webhooks]\nauth = "hmac"\nsecret = "env:BANKFLOW_WEBHOOK_SECRET"'
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: no [webhooks] table", remedy=f"add one, e.g.\n{example}")
    auth = data.get("auth", "hmac")
    if auth not in AUTH_MODES:
        raise ConfigError(f"{path}: [webhooks] auth = {auth!r}; expected \"hmac\" or \"bearer\"")
    ref = data.get("secret")
    if not isinstance(ref, str) or not REF.match(ref):
        # never echo the value: it may be the secret itself
        raise ConfigError(f"{path}: [webhooks] secret must be a reference (\"env:VARIABLE\" or "
                          "\"secret:PREFECT_BLOCK\"), not a value", remedy=f"e.g.\n{example}")
    unknown = set(data) - {"auth", "secret", "deployment", "max_skew", "path"}
    if unknown:
        raise ConfigError(f"{path}: [webhooks]: unknown keys {sorted(unknown)}")
    return WebhookConfig(auth=auth, secret_ref=ref, deployment=str(data.get("deployment", DEFAULT_DEPLOYMENT)),
                         max_skew=float(data.get("max_skew", 300)), path=data.get("path"))


def hmac_signature(secret: str, path: str, date: str, body: bytes) -> str:
    """The ``BI-Signature`` value Powens computes for a POST to ``path`` (budgea.md §8)."""
    message = b"POST." + path.encode() + b"." + date.encode() + b"." + body
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def parse_signature_date(value: str) -> dt.datetime | None:
    """An aware datetime from an RFC 1123 date, an ISO 8601 datetime (naive = UTC) or Unix seconds."""
    value = value.strip()
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    except (ValueError, OverflowError):
        pass
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def check_request(cfg: WebhookConfig, secret: str, headers: Mapping[str, str], path: str, body: bytes,
                  now: dt.datetime | None = None) -> str | None:
    """None when the request is authentic; otherwise why not (for the log: never holds a secret)."""
    if cfg.auth == "bearer":
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return "no bearer token"
        return None if hmac.compare_digest(auth[7:].strip().encode(), secret.encode()) else "wrong bearer token"
    signature, date = headers.get("BI-Signature"), headers.get("BI-Signature-Date")
    if not signature or not date:
        return "no BI-Signature / BI-Signature-Date headers"
    when = parse_signature_date(date)
    if when is None:
        return "unreadable BI-Signature-Date"
    skew = abs(((now or dt.datetime.now(dt.UTC)) - when).total_seconds())
    if skew > cfg.max_skew:
        return f"BI-Signature-Date is {skew:.0f} s away from now (more than {cfg.max_skew:.0f} s)"
    expected = hmac_signature(secret, cfg.path or path, date, body)
    return None if hmac.compare_digest(expected.encode(), signature.strip().encode()) else "wrong signature"
