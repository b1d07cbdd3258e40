"""The Powens webhook receiver: authenticate, keep the body for audit, answer at once, trigger a pull.

A webhook is only a **trigger** (reference/budgea.md §8 and §10): its body is kept under
``<data>/webhooks/powens/<sha256>.json`` for audit, but what the warehouse loads is what the incremental
pull of the named connection fetches, through the one code path every sync uses.

``POST /webhooks/powens``:

1. authenticated per ``[webhooks]`` (pipeline/webhook_auth.py): anything else gets **401** and
   triggers nothing, stores nothing;
2. de-duplicated on the body's SHA-256: Powens resends a body it got no 200 for, and a resent body
   is answered 200 ``duplicate`` without a second sync (the audit file is the persistent record, so this
   holds across restarts of the receiver);
3. the Powens connection ids it names (``connection.id``, ``connections[].id``, ``account.id_connection``)
   are mapped to the Budgea connections of bankflow.toml (those whose ``powens_connection_ids`` list
   them; when none does, every Budgea connection without such a list, since it pulls all of its token's
   connections); a body naming none is kept and answered 200 ``ignored`` (resending cannot help);
4. answered **200** before the sync runs: the trigger (pipeline/webhook_triggers.py) queues it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

from connectors.errors import ConfigError
from pipeline.config import REF, Config
from pipeline.webhook_auth import WebhookConfig, check_request
from pipeline.webhook_triggers import Trigger

log = logging.getLogger("bankflow.webhooks")

PATH = "/webhooks/powens"
MAX_BODY = 64 * 1024 * 1024  # the first CONNECTION_SYNCED after adding a connection can be large (§8)
RECEIVER: web.AppKey["Receiver"] = web.AppKey("receiver", object)


async def resolve_secret(ref: str) -> str:
    """The value behind ``env:NAME`` or ``secret:BLOCK``; errors name the reference, never a value."""
    m = REF.match(ref)
    if m is None:
        raise ConfigError(f"[webhooks] secret {ref!r} is not a reference")
    kind, key = m.groups()
    if kind == "env":
        value = os.environ.get(key)
        if not value:
            raise ConfigError(f"[webhooks] secret: environment variable {key} is not set",
                              remedy=f"export {key}=... (the key Powens signs with) before starting the receiver")
        return value
    from pipeline.config import _prefect_secret

    return await _prefect_secret("webhooks", "secret", key)


def powens_connection_ids(body: Any) -> list[int]:
    """The Powens connection ids a webhook body names (CONNECTION_SYNCED, legacy push, ACCOUNT_SYNCED)."""
    ids: list[int] = []

    def add(value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool) and value not in ids:
            ids.append(value)

    if not isinstance(body, dict):
        return ids
    conns = ([body["connection"]] if isinstance(body.get("connection"), dict) else []) + [
        c for c in body.get("connections") or [] if isinstance(c, dict)]
    for conn in conns:
        add(conn.get("id"))
        for acc in conn.get("accounts") or []:
            if isinstance(acc, dict):
                add(acc.get("id_connection"))
    if isinstance(body.get("account"), dict):
        add(body["account"].get("id_connection"))
    return ids


def connections_for(config: Config, powens_ids: list[int]) -> list[str]:
    """The Budgea connections of bankflow.toml that pull these Powens connections."""
    budgea = [c for c in config.connections if c.bank == "budgea" and c.enabled]
    named = [c.name for c in budgea
             if {int(i) for i in c.options.get("powens_connection_ids") or []} & set(powens_ids)]
    if named or not powens_ids:
        return named
    return [c.name for c in budgea if not c.options.get("powens_connection_ids")]


class Receiver:
    """The webhook endpoint's state: config, secret, the audit directory, the trigger and counters
    (``stats``: received, rejected, duplicate, ignored, triggered)."""

    def __init__(self, webhooks: WebhookConfig, secret: str, config: Config, data_dir: Path,
                 trigger: Trigger) -> None:
        self.webhooks = webhooks
        self._secret = secret
        self.config = config
        self.audit_dir = Path(data_dir) / "webhooks" / "powens"
        self.trigger = trigger
        self.stats: Counter[str] = Counter()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app[RECEIVER] = self
        app.router.add_post(PATH, _receive)
        app.router.add_get("/health", _health)
        return app

    def keep(self, sha: str, body: bytes, meta: dict[str, Any]) -> bool:
        """Write the body (and a small sidecar) once; False when this body was received before. The
        body is written aside, then hard-linked to its name: exclusive and atomic, a crash leaves no
        half file that would later pass for a received one."""
        self.audit_dir.mkdir(parents=True, exist_ok=True)
        target = self.audit_dir / f"{sha}.json"
        tmp = self.audit_dir / f".{sha}.{os.getpid()}.{id(meta)}.tmp"
        tmp.write_bytes(body)
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        (self.audit_dir / f"{sha}.meta.json").write_text(json.dumps(meta, indent=1), "utf-8")
        return True


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def _receive(request: web.Request) -> web.Response:
    rc: Receiver = request.app[RECEIVER]
    rc.stats["received"] += 1
    body = await request.read()
    why = check_request(rc.webhooks, rc._secret, request.headers, request.path, body)
    if why is not None:
        rc.stats["rejected"] += 1
        log.warning("webhook from %s refused: %s", request.remote, why)
        return web.json_response({"error": "unauthorized"}, status=401)
    sha = hashlib.sha256(body).hexdigest()
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    ids = powens_connection_ids(payload)
    names = connections_for(rc.config, ids)
    meta = {"received_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "sha256": sha,
            "bytes": len(body), "auth": rc.webhooks.auth, "powens_connection_ids": ids, "connections": names}
    if not rc.keep(sha, body, meta):
        rc.stats["duplicate"] += 1
        log.info("webhook %s already received: no new sync", sha[:12])
        return web.json_response({"status": "duplicate"})
    if not names:
        rc.stats["ignored"] += 1
        log.warning("webhook %s names Powens connection(s) %s, which no Budgea connection of bankflow.toml "
                    "pulls: kept in %s, nothing triggered", sha[:12], ids, rc.audit_dir)
        return web.json_response({"status": "ignored"})
    rc.stats["triggered"] += 1
    rc.trigger.request(names, sha)
    return web.json_response({"status": "queued", "connections": names})


def make_trigger(webhooks: WebhookConfig, config_path: Path, data_dir: Path) -> Trigger:
    """A deployment run per webhook when a Prefect server is configured, in-process syncs otherwise."""
    from pipeline.webhook_triggers import DeploymentTrigger, InProcessTrigger
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return DeploymentTrigger(webhooks.deployment, config_path, data_dir)
    return InProcessTrigger(config_path, data_dir)


async def start_receiver(config_path: Path, data_dir: Path, host: str = "127.0.0.1", port: int = 0, *,
                         trigger: Trigger | None = None) -> tuple[web.AppRunner, str, Receiver]:
    """Start the receiver on ``host:port`` (0: any free port). Returns the runner (``await
    runner.cleanup()`` stops it), the webhook URL and the receiver."""
    from pipeline.config import load_config
    from pipeline.webhook_auth import load_webhook_config

    config = load_config(Path(config_path))
    webhooks = load_webhook_config(Path(config_path))
    secret = await resolve_secret(webhooks.secret_ref)
    receiver = Receiver(webhooks, secret, config, Path(data_dir),
                        trigger or make_trigger(webhooks, Path(config_path), Path(data_dir)))
    runner = web.AppRunner(receiver.app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_host, bound_port = runner.addresses[0][:2]
    return runner, f"http://{bound_host}:{bound_port}{PATH}", receiver
