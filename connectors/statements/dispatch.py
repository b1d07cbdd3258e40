"""Which reader reads a statement PDF: the bank's layout when one claims the file, else the generic one.

Layouts (``layouts/*.toml``, moving to ``connectors/<bank>/``) stay where they add something (the
document type, the account number as the bank's other channels print it); they agree with the generic
reader on every golden file (tests/statements/test_generic_agrees.py). A PDF that no layout claims
(another bank, or a layout of a known bank we have no file for, like the real BoursoBank "Extrait de
votre compte") is read by :mod:`connectors.statements.generic`, judged by its own balances only.
"""
from __future__ import annotations

from connectors.records import ParsedBatch


def claimed_by_layout(body: bytes) -> str | None:
    """The layout bank whose page-1 identifiers this PDF carries, or None."""
    from connectors.statements.routing import statement_bank
    return statement_bank(body)


def read_statement_pdf(body: bytes, *, source: str, account_ref: str | None = None) -> ParsedBatch:
    """Parse one statement PDF with the layout that claims it, else with the generic reader."""
    if claimed_by_layout(body):
        from connectors.statements.parse import parse_statement_pdf
        return parse_statement_pdf(body, source=source, account_ref=account_ref)
    from connectors.statements.generic import read_statement
    return read_statement(body, source=source, account_ref=account_ref)
