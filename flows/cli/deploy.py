"""``bankflow deploy``: publish prefect.yaml's deployments, the work pool and the per-bank limits.

Why not only ``prefect deploy --all``: with Prefect 3.8.8 and the fastapi this project pins,
``prefect deploy`` creates the first deployment and then fails (HTTP 422 from
``/work_pools/<pool>/workers/filter``, which rejects the ``"limit": null`` the CLI sends), so the next
deployments of the file are never created; ``Flow.deploy`` calls the same endpoint before creating
anything (fastapi 0.151 and later reject the explicit nulls; 0.150.0 accepts them). This module reads
the same prefect.yaml and calls the deployment API directly, so the file stays the one description of
the deployments, whatever fastapi the server runs.

It also creates, when missing (an existing one is left as the operator set it):

* the process work pool named by the deployments (``bankflow``), with Prefect's default process job
  template and a concurrency limit of 1 flow run: daily-sync and monthly-statements write the same
  DuckDB file, which takes one writer (raise it per pool when each deployment has its own data dir);
* one global concurrency limit per bank, ``bankflow-bank-<bank>`` (default 1 slot): every fetch of a
  connection of that bank holds a slot (flows/sync.py), so runs on any number of workers never talk to
  one bank with more than that many connections at once.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from connectors.errors import ConfigError
from connectors.registry import all_specs

ENV_REF = re.compile(r"\{\{\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
DEFAULT_BANK_SLOTS = 1


@dataclass
class DeployResult:
    deployments: list[str]
    work_pools_created: list[str]
    limits_created: list[str]


def load_prefect_yaml(path: Path, *, project_dir: Path) -> dict[str, Any]:
    """prefect.yaml with ``{{ $VAR }}`` replaced from the environment, as ``prefect deploy`` does;
    ``BANKFLOW_PROJECT_DIR`` defaults to ``project_dir``."""
    if not path.exists():
        raise ConfigError(f"{path}: no such file", remedy="run bankflow deploy from the bankflow checkout")
    env = {"BANKFLOW_PROJECT_DIR": str(project_dir.resolve()), **os.environ}

    def sub(m: re.Match) -> str:
        if m.group(1) not in env:
            raise ConfigError(f"{path}: {m.group(0)} refers to an unset environment variable")
        return env[m.group(1)]

    return yaml.safe_load(ENV_REF.sub(sub, path.read_text("utf-8")))


async def deploy_all(prefect_yaml: Path, *, names: list[str] | None = None,
                     bank_slots: int = DEFAULT_BANK_SLOTS) -> DeployResult:
    """Create or update the deployments of ``prefect_yaml`` (only ``names`` if given) on the server
    PREFECT_API_URL names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.objects import ConcurrencyOptions
    from prefect.client.schemas.schedules import construct_schedule
    from prefect.flows import load_flow_from_entrypoint
    from prefect.utilities.callables import parameter_schema

    project_dir = prefect_yaml.resolve().parent
    spec = load_prefect_yaml(prefect_yaml, project_dir=project_dir)
    wanted = [d for d in spec.get("deployments", []) if not names or d["name"] in names]
    if names and len(wanted) != len(names):
        known = ", ".join(d["name"] for d in spec.get("deployments", []))
        raise ConfigError(f"{prefect_yaml}: no deployment named {sorted(set(names) - {d['name'] for d in wanted})}; "
                          f"known: {known}")
    result = DeployResult([], [], [])
    async with get_client() as client:
        for pool in sorted({d["work_pool"]["name"] for d in wanted}):
            if await _ensure_process_pool(client, pool):
                result.work_pools_created.append(pool)
        for bank in sorted(all_specs()):
            if await _ensure_limit(client, f"bankflow-bank-{bank}", bank_slots):
                result.limits_created.append(f"bankflow-bank-{bank}")
        for d in wanted:
            flow = load_flow_from_entrypoint(str(project_dir / d["entrypoint"]))
            schedules = [DeploymentScheduleCreate(
                schedule=construct_schedule(cron=s.get("cron"), interval=s.get("interval"), rrule=s.get("rrule"),
                                            timezone=s.get("timezone")),
                active=s.get("active", True)) for s in d.get("schedules") or []]
            climit = d.get("concurrency_limit")
            flow_id = await client.create_flow_from_name(flow.name)
            await client.create_deployment(
                flow_id=flow_id, name=d["name"], description=d.get("description"),
                entrypoint=d["entrypoint"], parameters=d.get("parameters") or {},
                parameter_openapi_schema=parameter_schema(flow).model_dump(exclude_unset=True),
                work_pool_name=d["work_pool"]["name"], job_variables=d["work_pool"].get("job_variables") or {},
                pull_steps=d.get("pull") or spec.get("pull") or [], schedules=schedules, tags=d.get("tags") or [],
                concurrency_limit=climit["limit"] if climit else None,
                concurrency_options=ConcurrencyOptions(collision_strategy=climit.get("collision_strategy", "ENQUEUE"))
                if climit else None,
                enforce_parameter_schema=True)
            result.deployments.append(f"{flow.name}/{d['name']}")
    return result


async def _ensure_process_pool(client: Any, name: str) -> bool:
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    try:
        await client.read_work_pool(name)
        return False
    except ObjectNotFound:
        template = ProcessWorker.get_default_base_job_template()
        # one flow run at a time on the pool: every deployment of this file writes the same DuckDB file
        await client.create_work_pool(WorkPoolCreate(name=name, type="process", base_job_template=template,
                                                     concurrency_limit=1))
        return True


async def _ensure_limit(client: Any, name: str, slots: int) -> bool:
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectNotFound

    try:
        await client.read_global_concurrency_limit_by_name(name)
        return False
    except ObjectNotFound:
        await client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=slots))
        return True
