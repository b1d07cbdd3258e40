"""Which bank's layout claims a PDF statement (page 1 identifiers): how ``bankflow import`` routes files."""
from __future__ import annotations


#: (sha256, layouts fingerprint) -> statement_bank(): every bank's sniffer asks; a layout added or changed
#: since is another key
_BANK_OF: dict[tuple[str, str], str | None] = {}


def statement_bank(body: bytes) -> str | None:
    """The bank whose statement layout this PDF matches (page 1 identifiers), or None. Cheap enough for
    ``bankflow import`` to route files: reads page 1's text only (once per file content)."""
    if not sniff_pdf(body):
        return None
    import hashlib

    from connectors.statements.layouts import layouts_fingerprint

    key = (hashlib.sha256(body).hexdigest(), layouts_fingerprint())
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
