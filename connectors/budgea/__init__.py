"""Budgea / Powens (API 2.0): an aggregator reached with one permanent user token.

``client.py`` talks to the API (refresh, activate accounts, page transactions), ``parse.py`` turns its
JSON into canonical records, ``simulator/`` serves the same API locally. Powens transaction ids are
unique and stable, so identity keys on them (``unique_txn_ids=True``).
"""
from __future__ import annotations

from connectors.base import ConnectorSpec
from connectors.budgea.client import BudgeaClient
from connectors.budgea.parse import parse
from connectors.budgea.simulator import start_sandbox

SPEC = ConnectorSpec(
    bank="budgea",
    title="Budgea / Powens",
    client=BudgeaClient,
    parse=parse,
    credential_fields=("token",),
    start_sandbox=start_sandbox,
    unique_txn_ids=True,
    # a REST API made for aggregation, with one token per user: no reason to queue users behind each other
    max_parallel=16,
)

__all__ = ["SPEC", "BudgeaClient", "parse", "start_sandbox"]
