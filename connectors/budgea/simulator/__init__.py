"""Simulated Budgea / Powens API 2.0 (reference ``shared/reference/budgea.md``).

``await start_sandbox(...)`` starts a real aiohttp server on 127.0.0.1 and returns a
:class:`~connectors.budgea.simulator.sandbox.BudgeaSandbox` (``.url``, ``.connections``, ``.truth()``,
``.write_truth(path)``, ``.advance_days(n)``, knobs as attributes, ``await .close()``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.budgea.simulator.sandbox import BudgeaSandbox


async def start_sandbox(host: str = "127.0.0.1", port: int = 0, *, seed: int = 0, today: dt.date | None = None,
                        latency: float = 0.0, wrong_password: bool = False, sca: bool = False,
                        **bank_knobs: Any) -> BudgeaSandbox:
    """Start the simulator. Bank knobs: ``users`` (1), ``fail_5xx`` (0: next N requests answer 503),
    ``rate_limit_per_min`` (0 = off; 429 + Retry-After beyond it, window ``rate_window`` seconds),
    ``pagination`` ("links" | "offset"), ``links_absolute`` (False), ``amounts_as_strings`` (False),
    ``booking_variant`` ("in_place" | "recreate"), ``connection_state`` (force a Powens state on the
    first connection's sync), ``validating_polls`` (0), ``otp`` ("off" | "once" | "always": the first
    connection's sync asks for a one-time code, see ``otp.py``), ``otp_code`` ("246810"), ``otp_ttl`` (300 s),
    ``webhook_url`` / ``webhook_auth`` / ``webhook_secret`` / ``webhook_format`` / ``webhook_retries`` (see
    ``webhooks.py``; ``await sandbox.background_refresh(days)`` or ``POST /__admin/refresh`` pushes)."""
    sandbox = BudgeaSandbox(seed=seed, today=today, latency=latency, wrong_password=wrong_password, sca=sca,
                            **bank_knobs)
    return await sandbox.start(host, port)


__all__ = ["BudgeaSandbox", "start_sandbox"]
