"""The short markdown a sync publishes as a Prefect artifact: totals, what failed (connections and
checks) with the next step, and where the report is. No account number or label goes into it."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from outputs.report import build_report
from outputs.report.format import money
from outputs.report.health import advice
from warehouse.db import Warehouse

log = logging.getLogger("bankflow.report")


def sync_markdown(run_id: str, connections: list[dict[str, Any]], totals: list[dict[str, Any]],
                  failed_checks: list[dict[str, Any]], report: Path | None, report_error: str | None = None) -> str:
    """The artifact's text. ``connections``: the sync summary's rows (connection, status, message);
    ``totals``: report_totals.sql; ``failed_checks``: report_checks.sql rows with violations."""
    failed = [c for c in connections if c["status"] != "ok"]
    lines = [f"# bankflow sync {run_id}", "",
             f"**{len(connections) - len(failed)} of {len(connections)} connections OK.**", ""]
    for t in totals:
        lines.append(f"- {t['accounts']} accounts in {t['currency']}: balance {money(t['balance'], t['currency'])}, "
                     f"{t['transactions']:,} booked transactions")
    if failed:
        lines += ["", "## Connections that failed"]
        lines += [f"- **{c['connection']}**: `{c['status']}`: {c['message']} (next: {advice(c['status'], c['connection'])})"
                  for c in failed]
    if failed_checks:
        lines += ["", "## Failed checks (`bankflow check` shows them)"]
        lines += [f"- `{c['check_name']}`: {c['violations']} problems" for c in failed_checks]
    lines.append("")
    if report is not None:
        lines.append(f"Report: [{report}]({report.resolve().as_uri()})")
    else:
        lines.append(f"The report could not be built: {report_error}")
    return "\n".join(lines)


def sync_report_markdown(wh: Warehouse, run_id: str, connections: list[dict[str, Any]], report_dir: Path) -> str:
    """Rebuild the report into ``report_dir`` and return the artifact's markdown (a report that fails
    to build is said in it; the sync itself is not failed for it)."""
    report: Path | None = None
    error = None
    try:
        report = build_report(wh, report_dir)
    except Exception as exc:  # the sync's data is loaded: a broken page must not hide that
        error = f"{type(exc).__name__}: {exc}"
    totals = wh.fetch_dicts("report_totals.sql")
    checks = [c for c in wh.fetch_dicts("report_checks.sql") if c["violations"]]
    return sync_markdown(run_id, connections, totals, checks, report, error)


def report_after_sync(open_warehouse: Callable[[], Warehouse], summary: dict[str, Any], report_dir: Path) -> str | None:
    """What every sync does at its end (the Prefect flow and a run without Prefect alike): rebuild the
    report in ``report_dir`` and return the run's markdown; None when the warehouse cannot be opened
    (logged: a report is never worth failing a sync that loaded)."""
    try:
        with open_warehouse() as wh:
            return sync_report_markdown(wh, summary["run_id"], summary["connections"], report_dir)
    except Exception:
        log.exception("the report of run %s could not be built", summary["run_id"])
        return None
