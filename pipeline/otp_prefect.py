"""One-time codes through Prefect: a connection that needs a code waits on a run input keyed to it, and
``bankflow otp CONNECTION CODE`` (or any Prefect client) sends it.

Why run inputs and not ``pause_flow_run(wait_for_input=...)``: the sync flow fetches its connections
concurrently in one flow run. Pausing the run would stop every connection's tasks from starting and, once
the pause times out, the server fails the whole run (Prefect 3.8: a Paused run past its timeout can no
longer go back to Running). A per-connection run input lets the connection keep its bank session open
while the flow run stays Running: the other connections finish and are loaded, the waiting one resumes
when its code arrives, or ends in ``NeedsUser`` (``otp_timeout``) when none comes in ``otp_timeout``
seconds. The price: Prefect's UI shows a "Resume" form only for paused runs, so the code is entered with
``bankflow otp`` (the run's log and its ``bankflow-otp-<connection>`` markdown artifact say so).

Keys (Prefect allows only letters, digits and dashes; connection names may hold ``_``, hence hex):
``bankflow-otp-request-<hex name>`` holds the request (connection, label, field, pattern, deadline:
no secret) while the connection waits; codes arrive under ``bankflow-otp-code-<hex name>-<uuid>``.
A code is a secret for its few minutes of life: the waiting side deletes it from the server as soon as it
has read it, and it is never logged.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from uuid import UUID

from prefect.input import RunInput
from pydantic import Field

from connectors.errors import ConfigError
from connectors.otp import OtpProvider, OtpRequest

log = logging.getLogger("bankflow.otp")

FLOW_NAME = "bankflow-sync"
#: flow run id -> connections now waiting for a code (read by the sync flow to load the others first)
_WAITING: dict[UUID, set[str]] = {}


class OtpCode(RunInput):
    """The one-time code a bank sent (SMS, app) for one connection."""

    code: str = Field(description="the one-time code, exactly as received")


def request_key(connection: str) -> str:
    return f"bankflow-otp-request-{connection.encode().hex()}"


def code_prefix(connection: str) -> str:
    return f"bankflow-otp-code-{connection.encode().hex()}-"


def api_configured() -> bool:
    """Whether runs report to a Prefect server another process can reach (PREFECT_API_URL)."""
    from prefect.settings import get_current_settings

    return bool(get_current_settings().api.url)


def waiting_connections(flow_run_id: UUID) -> set[str]:
    return set(_WAITING.get(flow_run_id, ()))


def code_provider() -> OtpProvider | None:
    """The provider for a task of the sync flow: run inputs when a Prefect server is configured; None
    otherwise (an in-process, ephemeral run has no server another process could send a code to)."""
    return ask_through_prefect if api_configured() else None


async def ask_through_prefect(request: OtpRequest) -> str | None:
    """Announce the request on the flow run, wait up to ``request.timeout`` seconds for a code sent to
    it, delete the code from the server, return it (None when none came)."""
    from prefect.artifacts import create_markdown_artifact
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext
    from prefect.logging import get_run_logger

    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None:
        return None
    run_id = ctx.flow_run.id
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=request.timeout)
    announce = {"connection": request.connection, "bank": request.bank, "label": request.label,
                "field": request.field, "pattern": request.pattern, "deadline": deadline.isoformat()}
    command = f"bankflow otp {request.connection} CODE"
    async with get_client() as client:
        await client.create_flow_run_input(run_id, key=request_key(request.connection), value=json.dumps(announce))
        _WAITING.setdefault(run_id, set()).add(request.connection)
        try:
            get_run_logger().warning("connection %s: the bank asks for %r; waiting up to %.0f s for it: run `%s`",
                                     request.connection, request.label, request.timeout, command)
            await create_markdown_artifact(
                key=f"bankflow-otp-{request.connection.encode().hex()}",
                markdown=f"# {request.connection} waits for a code\n\nThe bank asks for **{request.label}**. "
                         f"Enter it before {deadline:%H:%M:%S} UTC with:\n\n    {command}\n",
                description=f"one-time code asked for {request.connection}")
            handler = OtpCode.receive(timeout=request.timeout, poll_interval=1.0, raise_timeout_error=True,
                                      key_prefix=code_prefix(request.connection), flow_run_id=run_id)
            try:
                got = await handler.anext()
            except TimeoutError:
                return None
            await client.delete_flow_run_input(run_id, got.metadata.key)
            return got.code.strip()
        finally:
            _WAITING.get(run_id, set()).discard(request.connection)
            try:
                await client.delete_flow_run_input(run_id, request_key(request.connection))
            except Exception:  # already gone, or the server is unreachable: the request holds no secret
                log.debug("could not delete the code request of %s", request.connection, exc_info=True)


async def send_code(connection: str, code: str, flow_run_id: UUID | None = None) -> UUID:
    """Send ``code`` to the run whose connection ``connection`` waits for one (the newest such run, or
    ``flow_run_id``). Raises ConfigError with what to do when no run waits or the code cannot fit."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterState,
                                                FlowRunFilterStateType)
    from prefect.client.schemas.objects import StateType
    from prefect.exceptions import ObjectNotFound

    if not api_configured():
        raise ConfigError("bankflow otp sends the code to a run through a Prefect server, and PREFECT_API_URL "
                          "is not set", remedy="set PREFECT_API_URL to the server the run reports to")
    code = code.strip()
    if not code:
        raise ConfigError("the code is empty", remedy="pass the code the bank sent: bankflow otp CONNECTION CODE")
    async with get_client() as client:
        if flow_run_id is not None:
            candidates = [flow_run_id]
        else:
            runs = await client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.RUNNING]))), limit=50)
            candidates = [r.id for r in sorted(runs, key=lambda r: r.start_time or r.created, reverse=True)]
        for run_id in candidates:
            try:
                raw = await client.read_flow_run_input(run_id, request_key(connection))
            except ObjectNotFound:
                continue
            pattern = json.loads(raw).get("pattern")
            if pattern and not re.fullmatch(pattern.removeprefix("^").removesuffix("$"), code):
                # a malformed code would spend the bank's one attempt: refuse it here (never echo it)
                raise ConfigError(f"connection {connection!r}: the bank expects a code matching {pattern}; "
                                  "the code given does not match", remedy="check the code and send it again")
            await OtpCode(code=code).asend_to(run_id, key_prefix=code_prefix(connection)[:-1])
            return run_id
    raise ConfigError(f"no running sync waits for a code for connection {connection!r}",
                      remedy="start the sync first (the run's log says when it waits), or pass --flow-run ID")
