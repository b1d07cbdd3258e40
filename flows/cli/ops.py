"""Operating commands: ``bankflow secrets set`` and ``bankflow deploy`` (registered on flows.cli's app)."""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from connectors.errors import BankflowError
from flows.cli.common import ConfigOpt, console, fail, guarded, out


class _QuietConnectionFailures(logging.Filter):
    """On the command line, a failed connection is shown once, in the outcome table and the message
    under it; Prefect's own ERROR lines for the fetch task's Failed state (NeedsUser, RetryLater,
    NeedsFix) would repeat it twice with a stray "NoneType: None". Workers keep them (this module is
    only imported by the CLI)."""

    NAMES = ("NeedsUser(", "RetryLater(", "NeedsFix(")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        msg = record.getMessage()
        return not (msg.startswith(("Task run failed with state: ", "Finished in state "))
                    and any(n in msg for n in self.NAMES))


logging.getLogger("prefect.task_runs").addFilter(_QuietConnectionFailures())

secrets_app = typer.Typer(help="Store credentials in Prefect Secret blocks.", no_args_is_help=True)


def _api_note() -> None:
    if not os.environ.get("PREFECT_API_URL"):
        console.print("[yellow]note:[/yellow] PREFECT_API_URL is not set: this talks to Prefect's local "
                      "temporary server, whose blocks live under PREFECT_HOME (~/.prefect). Export "
                      "PREFECT_API_URL=http://HOST:4200/api to use your server.")


def secrets_set(
    connection: Annotated[str, typer.Argument(help="The connection's name in bankflow.toml.")],
    field: Annotated[Optional[list[str]], typer.Option("--field", "-f", help="Only this credential field (repeatable).")] = None,
    config: ConfigOpt = Path("bankflow.toml"),
    bank: Annotated[Optional[str], typer.Option(help="The bank, when the connection is not in bankflow.toml yet.")] = None,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the values from standard input, one line per field "
                                                       "(for scripts), instead of prompting.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing block.")] = True,
) -> None:
    """Prompt for a connection's credentials (hidden input), store each in a Prefect Secret block and
    print the `secret:BLOCK` lines to put in bankflow.toml. The values are never printed or logged."""
    from flows.cli.secrets import block_name, fields_for, store_secret

    try:
        bank_name, fields = fields_for(connection, config_path=config, bank=bank)
        chosen = field or fields
        unknown = set(chosen) - set(fields)
        if unknown:
            raise BankflowError(f"bank {bank_name!r} has no credential field {sorted(unknown)}; "
                                f"its fields: {', '.join(fields)}")
        _api_note()
        refs: dict[str, str] = {}
        for f in chosen:
            if stdin:
                value = sys.stdin.readline().rstrip("\r\n")
            else:
                value = typer.prompt(f"{connection} {f}", hide_input=True)
            refs[f] = asyncio.run(store_secret(block_name(connection, f), value, overwrite=overwrite))
    except BankflowError as exc:
        fail(exc)
    console.print(f"Stored {len(refs)} Secret block(s). In bankflow.toml, under "
                  f"{escape(f'[connections.{connection}]')}:")
    for f, ref in refs.items():
        out.print(f'{f} = "{ref}"')


secrets_app.command("set")(guarded(secrets_set))


def deploy(
    prefect_file: Annotated[Path, typer.Option("--prefect-file", help="The deployments file.")] = Path("prefect.yaml"),
    name: Annotated[Optional[list[str]], typer.Option("--name", "-n", help="Only this deployment (repeatable).")] = None,
    bank_slots: Annotated[int, typer.Option(help="Slots of each new per-bank limit: connections of one bank "
                                                 "fetched at once across all runs.")] = 1,
) -> None:
    """Publish prefect.yaml's deployments to the Prefect server (PREFECT_API_URL), creating the process
    work pool and the per-bank concurrency limits (bankflow-bank-<bank>) when missing."""
    from flows.cli.deploy import deploy_all

    if not os.environ.get("PREFECT_API_URL"):
        console.print("[red]error:[/red] PREFECT_API_URL is not set: deployments need a running Prefect server "
                      "(prefect server start; export PREFECT_API_URL=http://127.0.0.1:4200/api)")
        raise typer.Exit(2)
    try:
        res = asyncio.run(deploy_all(prefect_file, names=name, bank_slots=bank_slots))
    except BankflowError as exc:
        fail(exc)
    for p in res.work_pools_created:
        out.print(f"created work pool {p} (process)")
    for lim in res.limits_created:
        out.print(f"created concurrency limit {lim} ({bank_slots} slot(s))")
    for d in res.deployments:
        out.print(f"deployed {d}")
    out.print("Start a worker: prefect worker start --pool bankflow")


COMMANDS = {"deploy": deploy}
