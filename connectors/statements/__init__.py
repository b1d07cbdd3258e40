"""PDF bank statements: rendering (for the simulators) and one generic parser driven by layouts as data.

* :func:`render_statement_pdf` — a canonical Statement -> a realistic LCL or Boursorama statement PDF.
* :func:`parse_statement_pdf` — PDF bytes -> ParsedBatch with one Statement, or a ParseError subclass
  (see :mod:`connectors.statements.errors`); every statement is checked against the balance invariant.
* :func:`parse_cached` — the same, cached by the file's sha256 (a PDF is never parsed twice).
* :func:`sniff_pdf` — cheap "is this a PDF file?" check.

Layouts live in ``layouts/*.toml`` (one per bank); a new bank is a new file plus fixtures.
"""
from __future__ import annotations

from connectors.statements.cache import parse_cached
from connectors.statements.parse import parse_statement_pdf
from connectors.statements.render import render_statement_pdf


def sniff_pdf(body: bytes) -> bool:
    """True when ``body`` starts like a PDF file (``%PDF-`` within the first 1024 bytes, as readers allow)."""
    return b"%PDF-" in body[:1024]


__all__ = ["parse_cached", "parse_statement_pdf", "render_statement_pdf", "sniff_pdf"]
