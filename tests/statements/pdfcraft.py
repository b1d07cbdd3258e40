"""Tiny fpdf2 helpers to build the bad PDFs of the negative tests (reference/statements.md §8.7)."""
from __future__ import annotations

import datetime as dt
import io

from fpdf import FPDF
from PIL import Image

FIXED = dt.datetime(2024, 1, 15, 6, 0, tzinfo=dt.timezone.utc)


def _pdf() -> FPDF:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(FIXED)
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", "", 9)
    return pdf


def text_pdf(lines: list[str], *, encrypt_with: str | None = None) -> bytes:
    """One page with ``lines`` written top-down; optionally protected by a user password."""
    pdf = _pdf()
    if encrypt_with:
        pdf.set_encryption(owner_password="owner-" + encrypt_with, user_password=encrypt_with)
    pdf.add_page()
    for i, line in enumerate(lines):
        pdf.text(41, 60 + 12 * i, line)
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    """A 'scanned' statement: one page holding only a picture."""
    img = Image.new("RGB", (200, 280), "white")
    for x in range(20, 180):
        img.putpixel((x, 40), (0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pdf = _pdf()
    pdf.add_page()
    pdf.image(io.BytesIO(buf.getvalue()), x=20, y=20, w=550)
    return bytes(pdf.output())
