"""Keypad identification (data-driven fingerprints, never a guess) and the pure HTML readers."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from connectors.boursorama import pages
from connectors.boursorama.keypad import decode_src, digit_for, known_fingerprints, parse_keypad, svg_fingerprint
from connectors.boursorama.simulator import html
from connectors.boursorama.simulator.glyphs import glyph_src, glyph_svg
from connectors.boursorama.simulator.ledger import build_ledger
from connectors.errors import ProtocolChanged

KEYS = {d: k for d, k in enumerate(["NXS", "GKY", "KJE", "YOL", "JXA", "YFM", "YSP", "ABC", "QRT", "WZE"])}


def _fragment(glyph_set: str = "sim-v1") -> str:
    order = list(range(10))
    random.Random(1).shuffle(order)
    return html.keypad_fragment(KEYS, order, "Q" * 13000, glyph_set)


def test_keypad_maps_every_digit_and_encodes_repeats():
    kp = parse_keypad(_fragment())
    assert kp.keys == KEYS and len(kp.challenge) == 13000
    assert kp.encode("12345567") == "GKY|KJE|YOL|JXA|YFM|YFM|YSP|ABC"


def test_unknown_glyph_raises_protocol_changed():
    with pytest.raises(ProtocolChanged, match="keypad changed: 10 unknown"):
        parse_keypad(_fragment("unknown"))


def test_one_unknown_glyph_is_enough_to_refuse():
    frag = _fragment().replace(glyph_src(7), glyph_src(7, "unknown"))
    with pytest.raises(ProtocolChanged, match="1 unknown"):
        parse_keypad(frag)


def test_missing_challenge_is_protocol_changed():
    with pytest.raises(ProtocolChanged):
        parse_keypad(_fragment().split("<script>")[0])


def test_fingerprint_ignores_whitespace_and_attribute_order_but_not_redraws():
    svg = glyph_svg(4)
    reformatted = svg.replace('<path fill="#003883" d="', '<path  d="').replace('"/>', '" fill="#123456" />') \
        .replace("z M", "z \n   M")
    assert svg_fingerprint(reformatted) == svg_fingerprint(svg)
    assert svg_fingerprint(glyph_svg(4, "unknown")) != svg_fingerprint(svg)
    assert decode_src(glyph_src(4)) == svg  # the space after "base64," is tolerated


def test_glyph_table_holds_bank_prefixes_and_simulator_set():
    rows = known_fingerprints()
    assert {d for _, d, s in rows if s == "boursobank-2024"} == set(range(10))
    assert digit_for("0f1fd82105dbfb72" + "0" * 48) == 0  # the bank's published 16-hex prefix
    assert all(digit_for(svg_fingerprint(glyph_svg(d))) == d for d in range(10))


def test_accounts_fragment_skips_external_and_reads_french_amounts():
    ledger = build_ledger(seed=2, today=dt.date(2026, 1, 10), months=3)
    items = pages.parse_accounts_fragment(html.accounts_fragment(ledger))
    assert [i.key for i in items] == [a.key for a in ledger.accounts]  # the /budget/compte/ one is skipped
    assert [i.type for i in items] == ["checking", "savings", "card"]
    assert [i.balance for i in items] == [ledger.balance(a.number) for a in ledger.accounts]
    assert items[2].balance < 0  # U+2212 minus with a space, U+202F thousands


def test_classify_export_answers():
    assert pages.classify_export(b"\xef\xbb\xbfdateOp;dateVal\n") == ("csv", None)
    assert pages.classify_export(html.export_form(build_ledger(1, dt.date(2026, 1, 1), 1), "t",
                                                  html.EMPTY_RANGE).encode())[0] == "empty"
    assert pages.classify_export(html.login_page("tok").encode())[0] == "login"
    assert pages.classify_export(html.mit_page("a" * 32).encode())[0] == "login"
    kind, url = pages.classify_export(html.token_page("https://x/services/api/files/download.phtml?token=abc").encode())
    assert kind == "token" and url.endswith("token=abc")
    kind, snippet = pages.classify_export(html.page("Erreur", "<p>Une erreur technique</p>").encode())
    assert kind == "other" and "erreur technique" in snippet


def test_statement_numbers_and_rows():
    ledger = build_ledger(seed=2, today=dt.date(2026, 1, 10), months=3)
    acc = ledger.accounts[0]
    rows = [(acc, dt.date(2025, 12, 1), "/doc?id=1"), (acc, dt.date(2025, 12, 1), "/doc?id=2")]
    page = html.statements_page(ledger, "M. X", rows)
    assert pages.statement_account_numbers(page) == {a.key: a.number for a in ledger.accounts}
    links = pages.parse_statement_rows(page)
    assert [(link.doc_id, link.url) for link in links] == [("2025-12-01", "/doc?id=1"), ("2025-12-01-2", "/doc?id=2")]


def test_french_amount_rendering_round_trips():
    for v in ("0.00", "-94959.82", "1234567.89"):
        assert pages.parse_amount(html.fr_amount(Decimal(v))) == Decimal(v)
