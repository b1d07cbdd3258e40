"""``bankflow backfill-dask DIR``: ``bankflow backfill DIR`` with the PDFs parsed on a Dask cluster
(flows/backfill_dask.py, imported only when the command runs, so that starting the CLI does not import
Prefect and Dask)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from connectors.errors import BankflowError
from flows.cli.common import DataDirOpt, console, fail, pdfs_in, report_imports


def backfill_dask(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A folder of PDF statements (searched recursively).")],
    data_dir: DataDirOpt = Path("data"),
    address: Annotated[Optional[str], typer.Option(
        help="The Dask scheduler, e.g. tcp://10.0.0.5:8786 (every worker must see --data-dir and have "
             "bankflow installed). Default: a temporary local cluster.")] = None,
    workers: Annotated[Optional[int], typer.Option(help="Worker processes of the temporary local cluster.")] = None,
    bank: Annotated[Optional[str], typer.Option(help="Skip detection: the bank of the PDFs in DIR.")] = None,
    chunk_size: Annotated[int, typer.Option(help="PDFs per Prefect task.")] = 4,
) -> None:
    """Like `backfill DIR`, for large folders: PDF parsing runs as Prefect tasks on a Dask cluster
    (needs the `dask` extra), then one load. Same results as `backfill DIR`."""
    files = pdfs_in(folder)
    # quiet, like the rest of the CLI: Dask logs every scheduler and worker event at INFO (read from
    # the environment when distributed is first imported, also by the worker processes)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    try:
        from flows.backfill_dask import run_on_dask

        console.print(f"parsing {len(files)} PDFs on " + (f"the Dask cluster at {address}" if address
                                                         else "a temporary local Dask cluster"))
        results = run_on_dask(files, data_dir, address=address, n_workers=workers, bank=bank,
                              chunk_size=chunk_size)
    except BankflowError as exc:
        fail(exc)
    report_imports(results)


COMMANDS = {"backfill-dask": backfill_dask}
