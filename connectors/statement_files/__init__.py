"""Bank ``statements``: PDF statements of any bank no bankflow connector knows, for ``bankflow import``.

Import-only (no client, no credentials). A PDF lands here when no bank claims it: no layout matches
its page 1. It is read by the generic reader (:mod:`connectors.statements.generic`) and is either
reconciled to the cent with its own printed balances or refused with the reason (not a PDF, UTF-16
text, truncated, encrypted, zero pages, no text layer, not a statement, no balances, "lines add up
to X, the statement says Y").

Filing: bank ``statements``, connection ``import`` (or the one given with ``--connection``), and
``account_ref`` = the account number as printed (``N° de compte``), else the IBAN, spaces removed;
one statement per account section, so a file holding a current account and a savings book gives two.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from connectors.artifact import ArtifactMeta
from connectors.base import Connector, ConnectorSpec, RawArtifact
from connectors.errors import ConfigError
from connectors.records import ParsedBatch
from connectors.statements import parse_statement_pdf
from connectors.statements.dispatch import claimed_by_layout

BANK = "statements"


class ImportOnly(Connector):
    """No online access: statements of unknown banks only come from ``bankflow import``."""

    async def fetch(self) -> AsyncIterator[RawArtifact]:  # pragma: no cover - never configured
        raise ConfigError("bank 'statements' has no online access: use `bankflow import FILE.pdf`")
        yield  # type: ignore[unreachable]


def parse(body: bytes, meta: ArtifactMeta) -> ParsedBatch:
    """A landed statement PDF -> its reconciled statements (see the module docstring)."""
    return parse_statement_pdf(body, source=meta.source_name or meta.sha256[:12],
                               account_ref=meta.account_ref)


def sniff(body: bytes, filename: str) -> bool:
    """Every ``.pdf`` that no layout claims (even a broken one: the reader then says what is wrong)."""
    return filename.lower().endswith(".pdf") and claimed_by_layout(body) is None


SPEC = ConnectorSpec(bank=BANK, title="PDF statements (any bank)", client=ImportOnly, parse=parse,
                     credential_fields=(), sniff_import=sniff)
