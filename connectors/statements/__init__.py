"""PDF bank statements: rendering (for the simulators), layouts as data, and the layout-free reader.

* :func:`render_statement_pdf` — a canonical Statement -> a realistic LCL or Boursorama statement PDF.
* :func:`parse_statement_pdf` — PDF bytes -> ParsedBatch (a layout's parser when a layout claims the
  file, else the generic reader in :mod:`connectors.statements.generic`), or a ParseError subclass
  (see :mod:`connectors.statements.errors`); every statement is checked against the balance invariant.
* :func:`parse_cached` — the same, cached by the file's sha256 (a PDF is never parsed twice).
* :func:`sniff_pdf` — cheap "is this a PDF file?" check.

Layouts live in ``layouts/*.toml`` (one per bank); a new bank is a new file plus fixtures.
"""
from __future__ import annotations

from pathlib import Path

from connectors.records import ParsedBatch
from connectors.statements.cache import parse_cached
from connectors.statements.dispatch import read_statement_pdf as _parse_uncached
from connectors.statements.render import render_statement_pdf

_CACHE_DIR: Path | None = None


def use_cache(cache_dir: Path | None) -> None:
    """Make :func:`parse_statement_pdf` go through the sha256 cache in ``cache_dir`` (the data dir's
    ``cache/statements``; set by the ingest step, in every worker process). ``None`` turns it off."""
    global _CACHE_DIR
    _CACHE_DIR = Path(cache_dir) if cache_dir is not None else None


def parse_statement_pdf(body: bytes, *, source: str, account_ref: str | None = None) -> ParsedBatch:
    """Parse one statement PDF (see :func:`connectors.statements.parse.parse_statement_pdf`); through
    the cache when one is configured, so a PDF is never parsed twice, not even by ``bankflow rebuild``."""
    if _CACHE_DIR is not None:
        return parse_cached(body, source=source, cache_dir=_CACHE_DIR, account_ref=account_ref)
    return _parse_uncached(body, source=source, account_ref=account_ref)


_BANK_OF: dict[str, str | None] = {}   # sha256 -> statement_bank(): every bank's sniffer asks


def statement_bank(body: bytes) -> str | None:
    """The bank whose statement layout this PDF matches (page 1 identifiers), or None. Cheap enough for
    ``bankflow import`` to route files: reads page 1's text only (once per file content)."""
    if not sniff_pdf(body):
        return None
    import hashlib

    key = hashlib.sha256(body).hexdigest()
    if key not in _BANK_OF:
        if len(_BANK_OF) > 256:
            _BANK_OF.clear()
        _BANK_OF[key] = _statement_bank(body)
    return _BANK_OF[key]


def _statement_bank(body: bytes) -> str | None:
    import io

    import pdfplumber

    from connectors.statements.layouts import load_layouts, norm

    try:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            text = norm(pdf.pages[0].extract_text() or "") if pdf.pages else ""
    except Exception:  # not readable: the parser will say why when it is asked to parse it
        return None
    hits = {lay.bank for lay in load_layouts() if lay.matches(text)}
    return hits.pop() if len(hits) == 1 else None


def statement_sniffer(bank: str):
    """A ``ConnectorSpec.sniff_import`` for a bank's PDF statements."""
    def sniff(body: bytes, filename: str) -> bool:
        return filename.lower().endswith(".pdf") and statement_bank(body) == bank
    return sniff


def sniff_pdf(body: bytes) -> bool:
    """True when ``body`` starts like a PDF file (``%PDF-`` within the first 1024 bytes, as readers allow)."""
    return b"%PDF-" in body[:1024]


__all__ = ["parse_cached", "parse_statement_pdf", "render_statement_pdf", "sniff_pdf", "statement_bank",
           "statement_sniffer", "use_cache"]
