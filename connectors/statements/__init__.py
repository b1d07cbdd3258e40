"""PDF bank statements: rendering (for the simulators), layouts as data, and the layout-free reader.

* :func:`render_statement_pdf` — a canonical Statement -> a realistic LCL or Boursorama statement PDF.
* :func:`parse_statement_pdf` — PDF bytes -> ParsedBatch (a layout's parser when a layout claims the
  file, else the generic reader in :mod:`connectors.statements.generic`), or a ParseError subclass
  (see :mod:`connectors.statements.errors`); every statement is checked against the balance invariant.
* :func:`parse_cached` — the same, cached by the file's sha256 (a PDF is never parsed twice).
* :func:`sniff_pdf` — cheap "is this a PDF file?" check.

The engine here is generic: each bank keeps its statement files in its own folder,
``connectors/<bank>/statements/`` (``layout.toml`` for the parser, ``render.toml`` for the renderer,
``golden/`` fixtures), discovered at run time; a new bank's layout is files in its folder, not code.
"""
from __future__ import annotations

from pathlib import Path

from connectors.records import ParsedBatch
from connectors.statements.cache import parse_cached
from connectors.statements.dispatch import read_statement_pdf as _parse_uncached
from connectors.statements.routing import sniff_pdf, statement_bank, statement_sniffer

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


def __getattr__(name: str) -> object:
    """``render_statement_pdf`` is imported on first use: its PDF library (fpdf, with Pillow and fontTools:
    ~40 MB resident, 0.3 s) serves the simulators, not a user's sync or import."""
    if name == "render_statement_pdf":
        from connectors.statements.render import render_statement_pdf
        return render_statement_pdf
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def reset_discovery() -> None:
    """Forget the discovered layouts and renderer geometries (a bank folder added while running)."""
    from connectors.statements import layouts, render

    layouts.reset_caches()
    render.geometries.cache_clear()


__all__ = ["parse_cached", "parse_statement_pdf", "render_statement_pdf", "reset_discovery", "sniff_pdf",
           "statement_bank", "statement_sniffer", "use_cache"]
