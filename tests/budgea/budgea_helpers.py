"""Helpers for the Budgea tests: a client runner over real sockets and a tiny upsert store."""
from __future__ import annotations

import collections
import datetime as dt
from decimal import Decimal

from connectors.base import Credentials, SyncState
from connectors.budgea import BudgeaClient, parse
from connectors.http import RetryPolicy, open_session, session_stats
from connectors.records import Account, Transaction

TODAY = dt.date(2026, 11, 14)
FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)


async def run_client(sb, index: int = 0, *, state: SyncState | None = None, options: dict | None = None,
                     policy: RetryPolicy = FAST, waits: list | None = None, otp=None) -> list:
    """Run BudgeaClient for ``sb.connections[index]`` over a real session; return its artifacts.
    ``waits``, if given, receives the retry layer's chosen waits (seconds)."""
    conn = sb.connections[index]
    creds = Credentials(conn.secrets)
    async with open_session(connection=conn.name, secrets=creds.secret_values(), policy=policy) as session:
        client = BudgeaClient(connection=conn.name, base_url=conn.base_url, session=session, credentials=creds,
                              options={**conn.options, "poll_interval": 0, **(options or {})}, state=state,
                              otp=otp)
        try:
            return [a async for a in client.fetch()]
        finally:
            if waits is not None:
                waits.extend(session_stats(session).waits)


class Store:
    """Upsert by (account_ref, bank_txn_id), like the warehouse does for unique-id banks."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.txns: dict[tuple[str, str], Transaction] = {}

    def load(self, artifacts) -> "Store":
        for art in artifacts:
            batch = parse(art.body, art.meta)
            for acc in batch.accounts:
                self.accounts[acc.account_ref] = acc
            for t in batch.transactions:
                self.txns[(t.account_ref, t.bank_txn_id)] = t
        return self

    def state(self) -> SyncState:
        return SyncState(max_source_updated_at=max(t.source_updated_at for t in self.txns.values()))

    def booked_by_number(self) -> dict[str, tuple[int, Decimal]]:
        out: dict[str, list] = collections.defaultdict(lambda: [0, Decimal("0.00")])
        for t in self.txns.values():
            if t.pending or t.deleted_at is not None:
                continue
            number = self.accounts[t.account_ref].number
            out[number][0] += 1
            out[number][1] += t.amount
        return {k: (n, s) for k, (n, s) in out.items()}


def truth_by_number(sb, connection: str) -> dict[str, tuple[int, Decimal]]:
    out: dict[str, list] = collections.defaultdict(lambda: [0, Decimal("0.00")])
    for r in sb.truth():
        if r.connection == connection:
            out[r.account_number][0] += 1
            out[r.account_number][1] += r.amount
    return {k: (n, s) for k, (n, s) in out.items()}
