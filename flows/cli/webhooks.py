"""``bankflow webhooks serve``: receive Powens webhooks and pull the connections they name."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from connectors.errors import BankflowError
from flows.cli.common import ConfigOpt, DataDirOpt, fail, out

webhooks_app = typer.Typer(help="Powens webhooks: a receiver that triggers incremental syncs.",
                           no_args_is_help=True)


@webhooks_app.command("serve")
def serve(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8787,
          data_dir: DataDirOpt = Path("data"), config: ConfigOpt = Path("bankflow.toml")) -> None:
    """Serve POST /webhooks/powens until Ctrl-C: checks the signature (the webhooks table of bankflow.toml), keeps
    the body for audit, answers at once, then syncs the connection (a deployment run when PREFECT_API_URL
    is set, in this process otherwise)."""
    import logging

    from pipeline.webhooks import start_receiver

    # a long-running server: its log is the record of what each webhook set off
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp").setLevel(logging.WARNING)

    async def main() -> None:
        runner, url, receiver = await start_receiver(config, data_dir, host, port)
        out.print(f"receiving Powens webhooks at {url} ({receiver.webhooks.auth}); "
                  f"syncs: {type(receiver.trigger).__name__}; Ctrl-C to stop", highlight=False)
        try:
            await asyncio.Event().wait()
        finally:
            await receiver.trigger.idle()
            await runner.cleanup()

    try:
        asyncio.run(main())
    except BankflowError as exc:
        fail(exc)
    except KeyboardInterrupt:
        pass


