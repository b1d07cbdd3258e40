"""A new bank's statement layout is added by files in its own folder only.

The test makes a bank folder that bankflow has never seen (``acme/statements/`` in a temporary
directory put on ``connectors.__path__``, where bank packages are found), with two data files and no
code: ``layout.toml`` (how the parser reads the statement) and ``render.toml`` (how the renderer draws
one). A statement drawn in that layout is then recognised and parsed back exactly; without the folder,
the same PDF is refused.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

import connectors
from connectors.errors import ParseError
from connectors.statements import errors as E
from connectors.statements import parse_statement_pdf, render_statement_pdf, reset_discovery, statement_bank
from connectors.statements.cache import parse_cached
from connectors.statements.layouts import layout_files, layouts_fingerprint
from connectors.statements.synth import synth_statement

LAYOUT = r'''
id = "acme"
bank = "acme"
identifiers = ["ACME BANQUE", "EXTRAIT DE COMPTE"]
period = '(?i)\bdu (\d{2}/\d{2}/\d{4}) au (\d{2}/\d{2}/\d{4})'
account = '(?i)N\S* de compte\s*:\s*(\S*\d\S*(?: \S*\d\S*)*)'
amount_mode = "two_columns"

[header]
date = "JOUR"
label = "OPERATION"
value_date = "VALEUR"
debit = "SORTIES"
credit = "ENTREES"

[dates]
booking = "DD/MM"
value = "DD/MM/YY"

[patterns]
opening = ['^SOLDE INITIAL\b']
closing = ['^SOLDE FINAL\b']
intermediate = ['^REPORT\b']
totals = ['^CUMUL DES OPERATIONS\b']
footer = ['^PAGE \d+ / \d+', '^ACME BANQUE SA']
'''

RENDER = r'''
layout = "acme"
bank_lines = ["ACME BANQUE", "1 AVENUE DU TEST", "75001 PARIS"]
title = "EXTRAIT DE COMPTE"
header = [["Jour", 41.0, "L"], ["Opération", 190.0, "L"], ["Valeur", 366.0, "L"],
          ["Sorties", 462.0, "R"], ["Entrées", 540.0, "R"]]
date_x = 41.0
label_x = 80.0
label_w = 270.0
cont_indent = 4.0
value_x = 366.0
debit_x1 = 462.0
credit_x1 = 540.0
booking_fmt = "%d/%m"
value_fmt = "%d/%m/%y"
period_fmt = "%d/%m/%Y"
thousands = " "
debit_suffix = ""
footer = ["ACME BANQUE SA - banque de test"]

[labels]
opening = "SOLDE INITIAL"
totals = "CUMUL DES OPERATIONS"
closing = "SOLDE FINAL"
intermediate = "REPORT"
'''


def _add_acme_folder(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bank folder ``root/acme/statements/`` holding only the two data files, put where banks are found."""
    folder = root / "acme" / "statements"
    folder.mkdir(parents=True)
    (folder / "layout.toml").write_text(LAYOUT, encoding="utf-8")
    (folder / "render.toml").write_text(RENDER, encoding="utf-8")
    monkeypatch.setattr(connectors, "__path__", [*connectors.__path__, str(root)])
    reset_discovery()


@pytest.fixture
def acme_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The acme folder for the whole test."""
    _add_acme_folder(tmp_path, monkeypatch)
    yield tmp_path
    monkeypatch.undo()
    reset_discovery()


def _statement():
    # Dec -> Jan, with wrapping labels and page breaks: the year-less DD/MM dates must be inferred
    return synth_statement(31, dt.date(2023, 12, 10), dt.date(2024, 1, 9), 30)


def test_layout_in_a_new_bank_folder_is_recognised_and_parsed(acme_root: Path) -> None:
    st0 = _statement()
    body = render_statement_pdf(st0, layout="acme", account_number="777 12345", rows_per_page=12)
    assert statement_bank(body) == "acme"
    batch = parse_statement_pdf(body, source="acme_2024-01.pdf")
    assert batch.statements == [dataclasses.replace(st0, account_ref="77712345")]
    assert {p.parent.parent.name for p in layout_files()} == {"acme", "boursorama", "lcl"}


def test_without_the_folder_the_same_pdf_is_an_unknown_layout(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _add_acme_folder(tmp_path, monkeypatch)
    try:
        body = render_statement_pdf(_statement(), layout="acme", account_number="777 12345")
    finally:
        monkeypatch.undo()
        reset_discovery()
    assert statement_bank(body) is None
    # no layout claims it: the generic reader gets it, and does not know "Sorties"/"Entrées" as amount
    # columns, so no reading reconciles and the file is refused (never a silently wrong figure)
    with pytest.raises(ParseError, match=r"acme_2024-01.pdf: page 1: .*lines add up to"):
        parse_statement_pdf(body, source="acme_2024-01.pdf")
    with pytest.raises(ValueError, match="unknown layout 'acme'"):
        render_statement_pdf(_statement(), layout="acme", account_number="777 12345")


def test_the_parse_cache_fingerprint_covers_the_new_layout(tmp_path: Path) -> None:
    """A cached parse made before a bank folder's layout appeared or changed is stale."""
    before = layouts_fingerprint()
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path / "banks"
        folder = root / "acme" / "statements"
        _add_acme_folder(root, mp)
        added = layouts_fingerprint()
        body = render_statement_pdf(_statement(), layout="acme", account_number="777 12345")
        first = parse_cached(body, source="a.pdf", cache_dir=tmp_path / "cache")
        (folder / "layout.toml").write_text(LAYOUT.replace("SOLDE FINAL", "SOLDE DE CLOTURE"),
                                            encoding="utf-8")
        reset_discovery()
        changed = layouts_fingerprint()
        # the stale entry is not served: parsed again with the changed layout, whose closing
        # pattern no longer matches this PDF
        with pytest.raises(E.StatementStructureError, match="closing balance not found"):
            parse_cached(body, source="a.pdf", cache_dir=tmp_path / "cache")
    reset_discovery()
    assert len({before, added, changed}) == 3
    assert first.statements[0].account_ref == "77712345"
    assert layouts_fingerprint() == before
