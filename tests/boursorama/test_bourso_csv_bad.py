"""Bad inputs are refused with a ParseError that names the file and says what was expected and found."""
from __future__ import annotations

import pytest

from connectors.boursorama.parse import parse, sniff_csv
from connectors.boursorama.parse_columns import iter_movement_columns
from connectors.errors import ParseError
from tests.shared_samples import shared_sample

from .helpers import meta_for

HEADER = "dateOp;dateVal;label;category;categoryParent;amount;comment;accountNum;accountLabel;accountbalance\n"


def _fail(body: bytes, name: str = "in.csv") -> str:
    """The per-row parser's refusal; the column-wise parse of a streamed import refuses with the same words."""
    meta = meta_for(body, source_name=name)
    with pytest.raises(ParseError) as ei:
        parse(body, meta)
    assert name in str(ei.value)
    with pytest.raises(ParseError) as streamed:
        list(iter_movement_columns(body, meta))
    assert str(streamed.value) == str(ei.value)
    return str(ei.value)


def test_html_instead_of_csv():
    msg = _fail(b"<!DOCTYPE html><html><form name='form'><input name='form[clientNumber]'></form>"
                b"<a href='/connexion/'>x</a></html>")
    assert "HTML page" in msg and "login page" in msg


@pytest.fixture
def good() -> bytes:
    """A real export (third-party sample): the base the truncation and delimiter cases damage."""
    return shared_sample("samples/boursorama/export-2022-06_utf8.csv").read_bytes()


def test_truncated_row(good: bytes):
    msg = _fail(good.rstrip(b"\n") + b"\n2021-08-18;2021-08-18;\"CARTE 16/08/21 VELIB")
    assert "line 3" in msg


def test_truncated_inside_quotes_midfile():
    msg = _fail((HEADER + '2021-08-18;2021-08-18;"CARTE 16/08/21 VELIB;x;y;-2,00;;001;"B";1.00\n').encode())
    assert "truncated" in msg or "line" in msg


def test_wrong_delimiter(good: bytes):
    body = good.decode().replace(";", ",").encode()
    msg = _fail(body)
    assert "expected ';'" in msg and "','" in msg


def test_unknown_header():
    msg = _fail(b"date;description;debit;credit\n2024-01-01;x;1;0\n")
    assert "dateOp" in msg and "date;description" in msg


def test_other_boursorama_product_is_refused():
    body = "name;isin;quantity;buyingPrice;lastPrice;amount\nAIR LIQUIDE;FR0000120073;3;150,00;160,00;480,00\n"
    msg = _fail(body.encode())
    assert "portfolio" in msg and "account-movements" in msg
    assert not sniff_csv(body.encode(), "positions.csv")


def test_bad_amount_names_line_and_column():
    body = (HEADER + '2024-01-02;2024-01-02;"X";a;b;12,3,4;;001;"B";1.00\n').encode()
    msg = _fail(body)
    assert "line 2" in msg and "amount" in msg and "12,3,4" in msg


def test_bad_date_names_line_and_column():
    body = (HEADER + '2024-13-02;2024-01-02;"X";a;b;-1,00;;001;"B";1.00\n').encode()
    msg = _fail(body)
    assert "line 2" in msg and "dateOp" in msg


def test_empty_file():
    assert "empty" in _fail(b"")


def test_sniff_rejects_random_files():
    assert not sniff_csv(b"a,b,c\n1,2,3\n", "x.csv")
    assert not sniff_csv(b"%PDF-1.7 ...", "x.pdf")
    assert not sniff_csv(b"\x00\x01\x02", "x.bin")
