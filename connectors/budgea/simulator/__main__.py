"""``python -m connectors.budgea.simulator --port 8765``: run the simulator until interrupted."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt

from connectors.budgea.simulator import start_sandbox


async def _serve(args: argparse.Namespace) -> None:
    today = dt.date.fromisoformat(args.today) if args.today else None
    sb = await start_sandbox(args.host, args.port, seed=args.seed, today=today, users=args.users,
                             pagination=args.pagination, booking_variant=args.booking_variant)
    print(f"Budgea/Powens simulator listening on {sb.url}", flush=True)
    for conn in sb.connections:
        # simulator tokens are fake, printing them is the point of this command
        print(f"  {conn.name}: powens_connection_ids={conn.options['powens_connection_ids']} "
              f"token={conn.secrets['token']}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sb.close()


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m connectors.budgea.simulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--today", help="simulator day, YYYY-MM-DD (default: today)")
    p.add_argument("--users", type=int, default=1)
    p.add_argument("--pagination", choices=("links", "offset"), default="links")
    p.add_argument("--booking-variant", choices=("in_place", "recreate"), default="in_place")
    try:
        asyncio.run(_serve(p.parse_args()))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
