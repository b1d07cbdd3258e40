"""Boursorama / BoursoBank: web login with the virtual keypad, CSV movement exports, PDF statements.

Protocol facts: ``shared/reference/boursorama.md``. ``client.py`` talks to the bank (or the simulator in
``simulator/``), ``parse.py`` turns the landed bytes into records (pure).
"""
from __future__ import annotations

from connectors.base import ConnectorSpec
from connectors.boursorama.client import BoursoramaClient
from connectors.boursorama.parse import parse, sniff_csv
from connectors.boursorama.simulator import start_sandbox

SPEC = ConnectorSpec(bank="boursorama", title="Boursorama / BoursoBank", client=BoursoramaClient, parse=parse,
                     credential_fields=("login", "password"), start_sandbox=start_sandbox, sniff_import=sniff_csv)
