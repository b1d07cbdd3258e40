"""``bankflow otp CONNECTION [CODE]``: give a running sync the one-time code its bank asked for."""
from __future__ import annotations

import asyncio
import sys
from typing import Annotated, Optional
from uuid import UUID

import typer

from connectors.errors import BankflowError
from flows.cli.common import console, fail, out


def otp(connection: Annotated[str, typer.Argument(help="The connection waiting for a code (see the run's log).")],
        code: Annotated[Optional[str], typer.Argument(
            help="The code the bank sent. Omit it (or pass -) to type it hidden or pipe it on stdin, "
                 "so it stays out of your shell history.")] = None,
        flow_run: Annotated[Optional[str], typer.Option(
            "--flow-run", help="The run's id, when several runs wait.")] = None) -> None:
    """Send a one-time code (SMS, app) to the sync run that waits for it, through the Prefect server."""
    from pipeline.otp_prefect import send_code

    if code in (None, "-"):
        code = sys.stdin.readline() if not sys.stdin.isatty() else typer.prompt("code", hide_input=True)
    try:
        run = UUID(flow_run) if flow_run else None
    except ValueError:
        console.print(f"[red]error:[/red] --flow-run {flow_run!r} is not a flow run id")
        raise typer.Exit(2)
    try:
        run_id = asyncio.run(send_code(connection, code or "", run))
    except BankflowError as exc:
        fail(exc)
    out.print(f"code sent to run {run_id} for connection {connection}; the run resumes within a few seconds")


COMMANDS = {"otp": otp}
