"""Boursorama / BoursoBank: web login with the virtual keypad, CSV movement exports, PDF statements.

Protocol facts: ``shared/reference/boursorama.md``. ``client.py`` talks to the bank (or the simulator in
``simulator/``), ``parse.py`` turns the landed bytes into records (pure).
"""
from __future__ import annotations

from connectors.base import ConnectorSpec
from connectors.boursorama.client import BoursoramaClient
from connectors.boursorama.parse import parse, parse_chunks, sniff_csv
from connectors.boursorama.simulator import start_sandbox
from connectors.statements import statement_sniffer

_sniff_statement = statement_sniffer("boursorama")


def sniff_import(body: bytes, filename: str) -> bool:
    """A movements CSV export or a PDF statement of Boursorama's."""
    return sniff_csv(body, filename) or _sniff_statement(body, filename)


SPEC = ConnectorSpec(bank="boursorama", title="Boursorama / BoursoBank", client=BoursoramaClient, parse=parse,
                     parse_chunks=parse_chunks, credential_fields=("login", "password"),
                     start_sandbox=start_sandbox, sniff_import=sniff_import)
