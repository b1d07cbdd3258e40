"""A sync run without Prefect: the steps of the ``bankflow-sync`` flow (flows/sync.py), run in this
process, for ``bankflow demo`` when no Prefect server is configured.

Why it exists: Prefect 3 cannot run a flow without an API; with no ``PREFECT_API_URL`` it starts a
temporary local server (a separate process importing Prefect's whole server and opening its SQLite
database), which took 5-11 s of a 8-18 s demo on the 2-core development machine (benchmarks/README.md,
issue 13). The demo's point is the data, so without a server it runs the same working parts (the same
``fetch_connection``, ``load_outcomes`` and ``summarize`` as the flow's tasks) and says so; with a server
(``PREFECT_API_URL``) or ``--prefect`` it runs the flow. ``bankflow sync`` and the deployments are always
Prefect flow runs.

What a run without Prefect does not have: the banks' global concurrency slots (they live on a server; the
per-bank ``max_parallel`` semaphore still applies), one-time codes through run inputs (a connection
whose bank asks for one ends in ``sca_required``, as in a flow on a temporary server), artifacts and the
run's record in Prefect's UI. ``ops.sync_runs`` records it as any run.
"""
from __future__ import annotations

import asyncio
import os
import tomllib
import uuid
from pathlib import Path

from pipeline.config import load_config, select_connections
from pipeline.datadir import DataDir
from pipeline.runner import ProgressFn, fetch_all, load_outcomes, summarize, sync_states


def prefect_server_configured(env: dict[str, str] | None = None) -> bool:
    """Whether Prefect would report runs to a server (``PREFECT_API_URL`` in the environment or in the
    active Prefect profile), read without importing Prefect (that import alone takes 1.5-2 s).
    Prefect's other setting sources (a ``prefect.toml`` or ``.env`` in the working folder) are not read:
    ``--prefect`` covers them."""
    env = os.environ if env is None else env
    if env.get("PREFECT_API_URL"):
        return True
    home = Path(env.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    path = Path(env.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    active = env.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    settings = profiles.get("profiles", {}).get(active, {})
    return bool(isinstance(settings, dict) and settings.get("PREFECT_API_URL"))


def sync_in_process(config_path: Path, data_dir: Path, connections: list[str] | None = None,
                    options: dict | None = None, *, progress: ProgressFn | None = None) -> dict:
    """What ``sync_flow`` does, without Prefect: every selected connection fetched concurrently, one
    writer loads them, the summary (same shape as the flow's) is returned. The report is the caller's
    (outputs/ is not pipeline's to import)."""
    cfg = load_config(Path(config_path))
    conns = select_connections(cfg, connections, options)
    dd = DataDir(Path(data_dir))
    run_id = uuid.uuid4().hex[:12]
    # in the config's order: fetch_all gathers in it, load_outcomes keeps it
    outcomes = asyncio.run(fetch_all(conns, dd, sync_states(dd, conns), progress=progress))
    return summarize(run_id, load_outcomes(dd, outcomes, run_id))
