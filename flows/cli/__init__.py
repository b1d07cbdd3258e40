"""The ``bankflow`` command line: one module per group of commands, registered here.

Every data command takes ``--data-dir`` (default ``./data`` or ``$BANKFLOW_DATA_DIR``). The command modules
import only :mod:`flows.cli.common` (and each other's helpers), never this module: no import cycle.
"""
from __future__ import annotations

import typer

from pipeline.memory import skip_pandas_probe

skip_pandas_probe()  # first, before a command module converts Python objects with pyarrow: ~50 MB less

from flows.cli import backfill_dask, categorize, files, ledger, ops, otp, outputs, query, sync, webhooks  # noqa: E402
from flows.cli.common import guarded  # noqa: E402

app = typer.Typer(help="bankflow: your whole bank history as data (sync, backfill, query).",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

for _module in (sync, otp, files, query, ledger, categorize, backfill_dask, outputs, ops):
    for _name, _fn in _module.COMMANDS.items():
        app.command(_name)(guarded(_fn))
app.add_typer(ops.secrets_app, name="secrets")
app.add_typer(webhooks.webhooks_app, name="webhooks")


def main() -> None:
    app()
