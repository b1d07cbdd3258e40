"""Shared helpers for the Boursorama tests: run the real client against a sandbox, compare with truth."""
from __future__ import annotations

import collections
import datetime as dt
from decimal import Decimal
from typing import Any

from connectors.artifact import RawArtifact, make_artifact
from connectors.base import Credentials, SyncState
from connectors.boursorama import SPEC
from connectors.errors import BankflowError
from connectors.http import RetryPolicy, open_session


def meta_for(body: bytes, *, kind: str = "csv", resource: str = "transactions", source_name: str | None = None,
             **kw: Any):
    return make_artifact(body, bank="boursorama", connection="test", kind=kind, resource=resource,
                         source_name=source_name, **kw).meta


async def run_client(sb, *, options: dict | None = None, state: SyncState | None = None,
                     today: dt.date | None = None) -> tuple[list[RawArtifact], BankflowError | None]:
    """Fetch everything the client yields; return the artifacts and the typed error that ended it (if any)."""
    conn = sb.connections[0]
    opts = {**conn.options, "statements": False, **(options or {})}
    arts: list[RawArtifact] = []
    async with open_session(connection=conn.name, secrets=list(conn.secrets.values()),
                            policy=RetryPolicy(attempts=2, base_delay=0.01)) as session:
        client = SPEC.client(connection=conn.name, base_url=conn.base_url, session=session,
                             credentials=Credentials(conn.secrets), options=opts, state=state,
                             today=today or sb.ledger.today)
        try:
            async for art in client.fetch():
                arts.append(art)
        except BankflowError as exc:
            return arts, exc
    return arts, None


def booked_by_account(arts: list[RawArtifact]) -> dict[str, tuple[int, Decimal]]:
    """(count, sum) of booked CSV rows per account_ref, parsed with the connector's own parser."""
    acc: dict[str, list[Decimal]] = collections.defaultdict(list)
    for art in arts:
        if art.meta.kind != "csv":
            continue
        for t in SPEC.parse(art.body, art.meta).transactions:
            if not t.pending:
                acc[t.account_ref].append(t.amount)
    return {k: (len(v), sum(v, Decimal("0"))) for k, v in acc.items()}


def truth_by_account(sb) -> dict[str, tuple[int, Decimal]]:
    acc: dict[str, list[Decimal]] = collections.defaultdict(list)
    for row in sb.truth():
        acc[row.account_number].append(row.amount)
    return {k: (len(v), sum(v, Decimal("0"))) for k, v in acc.items()}
