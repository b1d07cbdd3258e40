"""The pdfplumber level: open and vet a PDF, words with coordinates, lines, the column header.

Words come from ``extract_words(x_tolerance=1.5, y_tolerance=2)`` and are clustered into lines by
``top`` with a 2 pt tolerance (row pitch is ~10.8 pt: wide buckets would merge rows, reference/statements.md §2.4).
Column edges are derived from each page's own header, never fixed x values (pages shift, statements.md §3.1).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

from connectors.statements.errors import (
    EncryptedPdfError, NotAPdfError, TruncatedPdfError, UnreadablePdfError)
from connectors.statements.layouts import Layout, norm

LINE_TOLERANCE = 2.0
MIN_CHARS = 20          # fewer characters than this on a page: scan / image, no text layer
JOIN_GAP = 4.0          # "1 234,56" may come out as two words 2-3 pt apart (reference/statements.md §3.1)


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float


@dataclass
class Line:
    top: float
    words: list[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Bands:
    """Column geometry of one page, from that page's header words."""

    date_x0: float
    value_x0: float
    debit: tuple[float, float]    # x1 of a debit amount falls in [lo, hi)
    credit: tuple[float, float]   # x1 of a credit amount falls in [lo, hi]
    header_top: float

    def column_of(self, w: Word) -> str | None:
        if self.debit[0] <= w.x1 < self.debit[1]:
            return "debit"
        if self.credit[0] <= w.x1 <= self.credit[1]:
            return "credit"
        return None


def open_pdf(body: bytes, source: str) -> pdfplumber.PDF:
    """Open ``body`` with pdfplumber, refusing non-PDFs, truncated and password-protected files."""
    if b"%PDF-" not in body[:1024]:
        raise NotAPdfError(f"not a PDF file (starts with {body[:8]!r})", file=source)
    if b"%%EOF" not in body[-1024:]:
        raise TruncatedPdfError(f"truncated PDF: no %%EOF marker in the last 1024 of {len(body)} bytes",
                                file=source)
    try:
        pdf = pdfplumber.open(io.BytesIO(body))
        _ = pdf.pages  # forces the document catalog (and decryption) to load
    except Exception as exc:  # pdfminer raises assorted types on damaged files
        # pdfplumber wraps pdfminer's exception in PdfminerException(original)
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        name = type(inner).__name__
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or "password" in str(inner).lower():
            raise EncryptedPdfError(f"encrypted PDF that needs a password ({name})", file=source) from None
        if not isinstance(inner, (PDFSyntaxError, PSException, ValueError, KeyError, TypeError,
                                  AttributeError, IndexError, AssertionError)):
            raise
        raise UnreadablePdfError(f"unreadable PDF structure ({name}: {inner})", file=source) from None
    return pdf


def page_lines(page: pdfplumber.page.Page) -> list[Line]:
    """Words of a page grouped into lines (by ``top``, 2 pt tolerance), each sorted by ``x0``."""
    raw = page.extract_words(x_tolerance=1.5, y_tolerance=LINE_TOLERANCE, keep_blank_chars=False,
                             use_text_flow=False)
    words = sorted((Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"])) for w in raw),
                   key=lambda w: (w.top, w.x0))
    lines: list[Line] = []
    for w in words:
        if lines and w.top - lines[-1].top <= LINE_TOLERANCE:
            lines[-1].words.append(w)
        else:
            lines.append(Line(top=w.top, words=[w]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def header_words(line: Line, layout: Layout) -> dict[str, Word] | None:
    """The header word of each column if ``line`` is this layout's column header, else None."""
    found: dict[str, Word] = {}
    wanted = {v: k for k, v in layout.header.items()}
    for w in line.words:
        col = wanted.get(norm(w.text))
        if col and col not in found:
            found[col] = w
    return found if len(found) == len(layout.header) else None


def find_bands(lines: list[Line], layout: Layout) -> tuple[int, Bands] | None:
    """Index of the header line and the column bands derived from it (reference/statements.md §3.1), or None."""
    for i, line in enumerate(lines):
        h = header_words(line, layout)
        if h is None:
            continue
        debit, credit = h["debit"], h["credit"]
        mid = (debit.x1 + credit.x0) / 2
        return i, Bands(date_x0=h["date"].x0, value_x0=h["value_date"].x0,
                        debit=(debit.x0 - 30, mid), credit=(mid, credit.x1 + 15),
                        header_top=line.top)
    return None


def looks_glued(lines: list[Line], layout: Layout) -> bool:
    """True when the header words appear only glued together (lost inter-word spaces, reference/statements.md §2.2)."""
    glued = "".join(layout.header[c] for c in ("date", "label"))
    return any(glued in norm(line.text).replace(" ", "") and header_words(line, layout) is None
               for line in lines)
