"""The column-wise parse of a streamed import (``parse_columns``) gives the lake exactly the rows of the per-row
parser (``parse_csv``): on every simulator profile, the real samples, the unusual files it hands to the per-row
parser, and labels whose card date each engine could read differently. A malformed cell is refused naming the
file, the line and the field."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from connectors.boursorama import parse_columns
from connectors.boursorama.parse_columns import iter_movement_columns
from connectors.boursorama.parse_csv import parse_movements_csv
from connectors.boursorama.simulator.csv_profiles import PROFILES, render_csv, select_rows
from connectors.boursorama.simulator.ledger import build_ledger
from connectors.errors import ParseError
from pipeline.normalize import normalize, normalize_batches
from tests.shared_samples import shared_sample

from .helpers import meta_for

HEADER = "dateOp;dateVal;label;category;categoryParent;amount;comment;accountNum;accountLabel;accountbalance"
LEDGER = build_ledger(5, dt.date(2026, 5, 20), months=14)


def _lake(tables: dict) -> dict[str, pa.Table]:
    """Streamed lake tables as whole tables, the transactions in payload order."""
    out = {e: t if isinstance(t, pa.Table) else pa.concat_tables(list(t)) for e, t in tables.items()}
    out["transactions"] = out["transactions"].sort_by("row_number")
    return out


def _same_rows(body: bytes, name: str = "export-operations-20-05-2026_x.csv", **kw) -> dict[str, pa.Table]:
    """The lake tables of ``body`` by both parsers; asserts they are equal. Small groups: many of them."""
    meta = meta_for(body, source_name=name)
    whole = normalize(parse_movements_csv(body, meta), meta, unique_ids=False)
    streamed = _lake(normalize_batches(iter_movement_columns(body, meta, block_bytes=4096, group_rows=64, **kw),
                                       meta, unique_ids=False, slice_rows=97))
    for entity, table in whole.items():
        expected = table.sort_by("row_number") if entity == "transactions" else table
        assert streamed[entity].equals(expected), entity
    return streamed


@pytest.fixture
def columns_only(monkeypatch):
    """The per-row parser is not called: the column path read the file alone."""
    def refuse(*_a, **_k):
        raise AssertionError("fell back to the per-row parser")
    monkeypatch.setattr(parse_columns, "iter_movements_csv", refuse)


def _export(profile: str, accounts=None) -> bytes:
    parts = [render_csv(LEDGER, a, select_rows(LEDGER, a, LEDGER.start, LEDGER.today, None), profile)
             for a in accounts or LEDGER.accounts]
    head, _, first = parts[0].partition(b"\n")
    return b"\n".join([head, first] + [p.partition(b"\n")[2] for p in parts[1:]])


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_gives_the_rows_of_the_per_row_parser(profile, columns_only):
    # p2026m adds a tags column only to the exports of tagged accounts: one file per account there
    bodies = ([_export(profile, [a]) for a in LEDGER.accounts] if profile == "p2026m" else [_export(profile)])
    for body in bodies:
        lake = _same_rows(body)
        assert lake["transactions"].num_rows > 10 and lake["balances"].num_rows > 0
    assert lake["transactions"]["operation_date"].null_count < lake["transactions"].num_rows  # card dates read


@pytest.mark.parametrize("name", ["export-2019-03_latin1.csv", "export-2022-06_utf8.csv"])
def test_the_real_samples_give_the_rows_of_the_per_row_parser(name, columns_only):
    body = shared_sample(f"samples/boursorama/{name}").read_bytes()
    for real_name in (name, "export-operations-30-03-2019_08-50-51.csv"):  # legacy balances: dated by the name
        lake = _same_rows(body, real_name)
        assert lake["transactions"].num_rows > 0 and lake["accounts"].num_rows > 0


def _rows(*rows: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + header + "\n" + "\n".join(rows)).encode("utf-8")


def _row(label: str, amount: str = "-2,00", booked: str = "2024-06-20", value: str = "2024-06-20",
         balance: str = "100.00", account: str = "00012345") -> str:
    return f'{booked};{value};"{label}";"Divers";"Divers";{amount};;{account};"COMPTE";{balance}'


CARD_LABELS = [
    "CARTE 13/06/24 CAFE", "PAIEMENT CARTE 1306/24 X", "ACHAT CARTE 13/06/24", "AVOIR 13/06/2024 Y",
    "RETRAIT DAB 13/06/24", "Merchant | CARTE 13/06/24", "Merchant |CARTE 13/06/24", "x CARTE 13/06/24",
    "CARTE 13/06/24X", "CARTE 13/06/2024X", "CARTE 13/06/2024", "CARTE 31/02/24 bad day", "CARTE 13/06/99 century",
    "CARTE 13/03/24 too old", "CARTE 21/06/24 after booking", "CARTE\x0b13/06/24", "CARTE\x1c13/06/24",
    "CARTE\t13/06/24", "CARTE  13/06/24", "CARTE13/06/24", "CARTE 13/06/24_", "CARTE 13/06/24-",
    "CARTE 13/06/24 CAFÉ", "CARTE\u00a013/06/24", "CAFÉ | CARTE 13/06/24", "CARTE 13/06/24é", "CARTE ١٣/06/24",
    "VIR SEPA", "CARTE 13/06/24 CARTE 14/06/24", "PRLV CARTE", "AVOIR 12/06/2024 | CARTE 13/06/24",
]


def test_card_dates_match_the_per_row_parser_on_labels_each_engine_could_read_differently():
    """ASCII labels are matched by RE2, others by Python's re: the same dates either way, including the
    whitespace and word-boundary differences of the two engines."""
    body = _rows(*(_row(label) for label in CARD_LABELS))
    lake = _same_rows(body)
    got = lake["transactions"]["operation_date"].to_pylist()
    assert dt.date(2024, 6, 13) in got and None in got


@pytest.mark.parametrize("rows", [
    [_row("A").replace('"Divers";"Divers"', 'Div"ers;Divers')],  # a quote inside an unquoted cell
    [_row("A"), "   ", _row("B")],                               # a line of spaces (skipped)
    [_row("A", amount='"1.234,56 €"'), _row("B", amount="−12,00")],  # amounts of other shapes
    [_row("A", balance=" ")],                                    # a blank balance
    [_row("A", value="", balance="not a number")],               # a pending row: its balance is not read
    [_row('SAY ""HI""')],                                        # doubled quotes inside a quoted cell
    [_row("A;B")],                                               # a quoted ';'
    [_row("A\nB")],                                              # a quoted line break
    [_row("A", booked="20/06/24", value="20/06/2024")],           # 2018 date shapes
], ids=["inner-quote", "blank-line", "amount-shapes", "blank-balance", "pending-balance", "doubled-quotes",
        "semicolon", "line-break", "old-dates"])
def test_unusual_files_give_the_rows_of_the_per_row_parser(rows):
    _same_rows(_rows(*rows, _row("CARTE 13/06/24 Z")))


def _refusal(body: bytes, name: str = "big.csv") -> str:
    meta = meta_for(body, source_name=name)
    with pytest.raises(ParseError) as expected:
        parse_movements_csv(body, meta)
    with pytest.raises(ParseError) as ei:
        normalize_batches(iter_movement_columns(body, meta, block_bytes=4096, group_rows=64), meta,
                          unique_ids=False)
    assert str(ei.value) == str(expected.value)
    return str(ei.value)


def test_a_malformed_amount_deep_in_the_file_is_refused_naming_file_line_and_field():
    good = [_row(f"ROW {i}") for i in range(700)]
    good[600] = _row("BAD", amount="12,3,4")
    msg = _refusal(_rows(*good))
    assert "big.csv" in msg and "line 602" in msg and "amount" in msg and "12,3,4" in msg


def test_a_malformed_date_or_balance_is_refused_naming_its_field():
    assert "dateVal" in _refusal(_rows(*[_row("A")] * 300, _row("B", value="2024-02-30")))
    assert "accountbalance" in _refusal(_rows(*[_row("A")] * 300, _row("B", balance="12..5")))
    assert "accountNum" in _refusal(_rows(*[_row("A")] * 300, _row("B", account=" ")))


def test_a_closing_quote_followed_by_text_is_refused_not_read_on():
    """Arrow's reader would read ``"ABC"DEF`` as ``ABCDEF``; Python's csv refuses it: so does the import
    (the quote check fires)."""
    bad = _row("ABC").replace('"ABC"', '"ABC"DEF')
    assert "line 3" in _refusal(_rows(_row("A"), bad))


def test_a_closing_quote_after_a_quoted_semicolon_followed_by_text_is_refused():
    """``"A;"X``: the closing quote follows ``;`` (it looks like an opening one to the byte check); the cell
    Arrow reads holds the ``;``, which the cell check catches."""
    bad = _row("A;").replace('"A;"', '"A;"X')
    assert "line 2" in _refusal(_rows(bad))


def test_a_file_given_as_a_stream_is_read_from_its_position_and_left_open(tmp_path, columns_only):
    body = _export("p2019")  # cp1252: Arrow reads it through Python's codec
    path = tmp_path / "export.csv"
    path.write_bytes(b"junk before" + body)
    meta = meta_for(body)
    with path.open("rb") as f:
        f.seek(len(b"junk before"))
        streamed = _lake(normalize_batches(iter_movement_columns(f, meta), meta, unique_ids=False))
        assert not f.closed
    whole = normalize(parse_movements_csv(body, meta), meta, unique_ids=False)
    assert streamed["transactions"].equals(whole["transactions"].sort_by("row_number"))
