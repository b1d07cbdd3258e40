"""Each kind of file the generic reader refuses, with its own error, and the same through `bankflow
import` without --bank (files no layout claims go to bank 'statements', whose reader says why)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connectors.statements import errors as E
from connectors.statements import parse_statement_pdf
from connectors.statements.generic import read_statement
from pipeline.importer import detect_bank, import_files
from tests.statements.family import Account, Row, Variant, render_family
from tests.statements.pdfcraft import image_only_pdf, text_pdf
from pipeline.datadir import DataDir

GOOD_ACC = Account("00012345678", dt.date(2024, 3, 1), dt.date(2024, 3, 31), Decimal("100.00"),
                   (Row(dt.date(2024, 3, 4), Decimal("-12.50"), "CB ICI", dt.date(2024, 3, 3)),
                    Row(dt.date(2024, 3, 9), Decimal("250.00"), "VIR SALAIRE", dt.date(2024, 3, 9))))
GOOD = render_family([GOOD_ACC], Variant())
ZERO_PAGES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
              b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
              b"trailer<</Root 1 0 R>>\n%%EOF\n")

CASES = {
    "utf16.pdf": ("\ufeffRELEVE DE COMPTE".encode("utf-16-le"), E.NotAPdfError, "UTF-16"),
    "truncated.pdf": (GOOD[: len(GOOD) // 2], E.TruncatedPdfError, "truncated"),
    "encrypted.pdf": (text_pdf(["BANQUE EXEMPLE", "RELEVE DE COMPTE"], encrypt_with="pw"),
                      E.EncryptedPdfError, "encrypted"),
    "zero.pdf": (ZERO_PAGES, E.EmptyPdfError, "zero pages"),
    "scan.pdf": (image_only_pdf(), E.NoTextLayerError, "no text layer"),
    "avis.pdf": (text_pdf(["BANQUE EXEMPLE", "AVIS D'OPERE", "ACHAT 10 AIR LIQUIDE",
                           "MONTANT NET 1 650,00 EUR"]), E.NotAStatementError, "avis d'opéré"),
    "card_en.pdf": (text_pdf(["EXAMPLE BANK PLC", "Credit card statement", "Statement date 31/03/2024",
                              "03/03/2024 GROCERY STORE 12.50", "Minimum payment due 25.00"]),
                    E.NotAStatementError, "not an account statement"),
    "no_balances.pdf": (text_pdf(["BANQUE EXEMPLE", "RELEVE DE COMPTE du 01/03/2024 au 31/03/2024",
                                  "Date Libellé Débit Crédit", "04/03/2024 CB ICI 12,50"]),
                        E.NoBalancesError, "no opening and closing balances"),
    "off.pdf": (render_family([GOOD_ACC], Variant(), printed=[[GOOD_ACC.rows[0], Row(
        dt.date(2024, 3, 9), Decimal("250.01"), "VIR SALAIRE", dt.date(2024, 3, 9))]]),
        E.StatementInvariantError, "lines add up to 337,51, the statement says 337,50"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_with_its_reason(name: str) -> None:
    body, cls, text = CASES[name]
    with pytest.raises(cls) as ei:
        parse_statement_pdf(body, source=name)
    assert text in str(ei.value) and str(ei.value).startswith(name)


def test_good_statement_reads() -> None:
    s = read_statement(GOOD, source="good.pdf").statements[0]
    assert (s.opening_balance, s.closing_balance, len(s.lines)) == (Decimal("100.00"), Decimal("337.50"), 2)


def test_import_without_bank_names_each_refusal(tmp_path) -> None:
    dd = DataDir(tmp_path / "data")
    files = []
    for name, (body, _cls, _text) in sorted(CASES.items()):
        f = tmp_path / name
        f.write_bytes(body)
        files.append(f)
        assert detect_bank(body, name) == "statements"
    (tmp_path / "good.pdf").write_bytes(GOOD)
    res = {r.file.rsplit("/", 1)[-1]: r for r in import_files(dd, files + [tmp_path / "good.pdf"])}
    assert res["good.pdf"].status == "ok" and res["good.pdf"].bank == "statements"
    for name, (_body, _cls, text) in CASES.items():
        assert res[name].status == "parse_error", name
        assert text in res[name].message and "not a file any bankflow bank recognises" not in res[name].message
    with dd.open_warehouse(read_only=True) as wh:
        assert wh.query("SELECT count(*), sum(amount) FROM marts.transactions").fetchone() == (2, Decimal("237.50"))


def test_account_given_by_the_caller() -> None:
    """A connector passes its account number: accepted when the printed number is it or holds it
    (an IBAN), and then used; another printed account is refused."""
    assert read_statement(GOOD, source="g.pdf", account_ref="00012345678").statements[0].account_ref == "00012345678"
    assert read_statement(GOOD, source="g.pdf", account_ref="12345678").statements[0].account_ref == "12345678"
    with pytest.raises(E.StatementStructureError, match="expected 999999"):
        read_statement(GOOD, source="g.pdf", account_ref="999999")
