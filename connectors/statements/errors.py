"""Statement-specific parse errors (all subclasses of :class:`connectors.errors.ParseError`).

Each names the file (``file=``) and where (``where=`` page, line) and says what was expected and found.
The names follow reference/statements.md so logs and the quarantine report read the same.
"""
from __future__ import annotations

from connectors.errors import ParseError


class NotAPdfError(ParseError):
    """The bytes are not a PDF file at all."""


class TruncatedPdfError(ParseError):
    """The PDF has no end-of-file marker: the download or copy was cut short."""

    remedy = "download the statement again"


class EncryptedPdfError(ParseError):
    """The PDF needs a password: bankflow does not guess passwords."""

    remedy = "save an unprotected copy of the statement (print to PDF) and import that"


class UnreadablePdfError(ParseError):
    """pdfminer could not read the file structure."""


class NoTextLayerError(ParseError):
    """Scan or image-only page: no text layer (OCR is out of scope)."""

    remedy = "download the original statement from the bank instead of a scan"


class GluedTextError(ParseError):
    """The text layer lost its inter-word spaces (re-typed or 'printed' PDF): columns cannot be trusted."""

    remedy = "download the original statement from the bank"


class NotAStatementError(ParseError):
    """A PDF but not an account statement (trade confirmation, loan schedule, RIB, ...)."""

    remedy = "import only account statements ('relevés de compte')"


class UnknownLayoutError(ParseError):
    """Looks like a statement, but of no known layout (connectors/<bank>/statements/layout*.toml)."""

    remedy = ("add a layout file in the bank's folder, connectors/<bank>/statements/layout.toml "
              "(see connectors/lcl/statements/), with fixtures")


class PeriodNotFoundError(ParseError):
    """Neither the statement period nor dated balance lines were found."""


class AmountFormatError(ParseError):
    """A token in an amount column is not a French amount (``1 234,56``)."""


class DateOutsidePeriodError(ParseError):
    """A booking date cannot be placed inside the statement period (± 7 days)."""


class StatementStructureError(ParseError):
    """Missing header, opening or closing balance, or a row without exactly one amount."""


class StatementInvariantError(ParseError):
    """opening + credits − debits ≠ closing, or totals / intermediate balances disagree with the rows."""

    remedy = ("the statement was not loaded (no rows from this file); keep the PDF and report the "
              "message: usually a row lost at a page break or a label number taken as an amount")


class EmptyPdfError(StatementStructureError):
    """A PDF file with zero pages."""

    remedy = "download the statement again"


class NoBalancesError(StatementStructureError):
    """A statement-like file that prints no opening/closing balance: nothing to check its rows against."""

    remedy = ("bankflow only loads statements it can check against their printed balances; "
              "download the full statement (relevé de compte) from the bank")
