"""Statements that must be refused, each with the right error (reference/statements.md §5.2, §8.7)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from connectors.errors import ParseError
from connectors.records import Statement, StatementLine
from connectors.statements import errors as E
from connectors.statements import parse_statement_pdf, render, render_statement_pdf
from connectors.statements.synth import synth_statement
from tests.statements.pdfcraft import image_only_pdf, text_pdf

BASE = synth_statement(11, dt.date(2023, 12, 15), dt.date(2024, 1, 14), 30, opening=Decimal("1000.00"))


def pdf(statement: Statement = BASE, layout: str = "lcl", **kw: object) -> bytes:
    return render_statement_pdf(statement, layout=layout, account_number="00412 0123456Z", **kw)


@pytest.mark.parametrize("layout", ["lcl", "boursorama"])
def test_unbalanced_statement_names_file_page_and_numbers(layout: str) -> None:
    bad = dataclasses.replace(BASE, closing_balance=BASE.closing_balance + Decimal("0.01"))
    with pytest.raises(E.StatementInvariantError) as ei:
        parse_statement_pdf(pdf(bad, layout, rows_per_page=25), source="releve_2024-01.pdf")
    msg = str(ei.value)
    assert msg.startswith("releve_2024-01.pdf: page 2: ")
    assert "opening 1 000,00" in msg and "diff -0,01" in msg and "(column sums agree)" in msg
    assert "15.12.2023–14.01.2024, 2 pages, 30 rows" in msg


@pytest.mark.parametrize("layout", ["lcl", "boursorama"])
def test_totals_off_by_one_cent(layout: str) -> None:
    bad = dataclasses.replace(BASE, total_debits=BASE.total_debits - Decimal("0.01"))
    with pytest.raises(E.StatementInvariantError, match=r"totals line: debit .* ≠ column sums"):
        parse_statement_pdf(pdf(bad, layout), source="t.pdf")


def test_missing_closing_balance(monkeypatch: pytest.MonkeyPatch) -> None:
    original = render._build_rows

    def without_closing(*a: object, **k: object):  # the trailer loses its last row (the closing)
        rows, trailer = original(*a, **k)
        return rows, trailer[:-1]

    monkeypatch.setattr(render, "_build_rows", without_closing)
    with pytest.raises(E.StatementStructureError, match="closing balance not found"):
        parse_statement_pdf(pdf(), source="c.pdf")


def test_booking_date_outside_period() -> None:
    line = StatementLine(dt.date(2023, 6, 1), Decimal("-5.00"), "CB ETE")
    bad = Statement("", BASE.period_start, BASE.period_end, Decimal("5.00"), Decimal("0.00"),
                    Decimal("5.00"), Decimal("0.00"), (line,))
    with pytest.raises(E.DateOutsidePeriodError, match=r"'01\.06' is not inside the period"):
        parse_statement_pdf(pdf(bad), source="d.pdf")


def test_unknown_layout_goes_to_the_generic_reader() -> None:
    """No layout claims it: the generic reader reads it, and refuses it (the closing balance is cut)."""
    body = text_pdf(["BANQUE EXEMPLE", "RELEVE DE COMPTE du 01/01/2024 au 31/01/2024",
                     "DATE OPERATION MONTANT", "SOLDE CREDITEUR AU 01/01/2024 100,00"])
    with pytest.raises(E.StatementStructureError, match="closing balance not found"):
        parse_statement_pdf(body, source="u.pdf")


def test_trade_confirmation_is_not_a_statement() -> None:
    body = text_pdf(["BOURSORAMA BANQUE", "AVIS D'OPERE", "ACHAT COMPTANT 10 AIR LIQUIDE",
                     "MONTANT BRUT 1 650,00 EUR"])
    with pytest.raises(E.NotAStatementError, match="trade confirmation"):
        parse_statement_pdf(body, source="avis.pdf")


def test_random_document_is_not_a_statement() -> None:
    body = text_pdf(["Invitation", "Assemblee generale des coproprietaires le 12 mars 2024"])
    with pytest.raises(E.NotAStatementError, match="not an account statement"):
        parse_statement_pdf(body, source="doc.pdf")


def test_encrypted_pdf() -> None:
    body = text_pdf(["LCL - CREDIT LYONNAIS", "RELEVE DE COMPTE COURANT"], encrypt_with="secret")
    assert b"/Encrypt" in body
    with pytest.raises(E.EncryptedPdfError, match="encrypted PDF") as ei:
        parse_statement_pdf(body, source="enc.pdf")
    assert "secret" not in str(ei.value)


def test_image_only_pdf() -> None:
    with pytest.raises(E.NoTextLayerError, match="no text layer"):
        parse_statement_pdf(image_only_pdf(), source="scan.pdf")


def test_glued_text() -> None:
    body = text_pdf(["LCL-CREDITLYONNAIS", "RELEVEDECOMPTECOURANT", "ECRITURESDELAPERIODE",
                     "DATELIBELLEVALEURDEBITCREDIT", "ANCIENSOLDE 0,00"])
    with pytest.raises(E.GluedTextError):
        parse_statement_pdf(body, source="glued.pdf")


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_pdf(cut: float) -> None:
    body = pdf()
    with pytest.raises(E.TruncatedPdfError, match="truncated"):
        parse_statement_pdf(body[: int(len(body) * cut)], source="cut.pdf")


def test_not_a_pdf_and_garbage_pdf() -> None:
    with pytest.raises(E.NotAPdfError):
        parse_statement_pdf(b"Date;Libelle;Montant\n", source="x.csv")
    with pytest.raises(ParseError):
        parse_statement_pdf(b"%PDF-1.4\n garbage \n%%EOF\n", source="g.pdf")


def test_account_mismatch() -> None:
    with pytest.raises(E.StatementStructureError, match="expected 999"):
        parse_statement_pdf(pdf(), source="a.pdf", account_ref="999")
    assert parse_statement_pdf(pdf(), source="a.pdf", account_ref="004120123456Z").statements


def test_all_refusals_are_parse_errors() -> None:
    for name in dir(E):
        cls = getattr(E, name)
        if isinstance(cls, type) and name.endswith("Error") and name != "ParseError":
            assert issubclass(cls, ParseError), name
