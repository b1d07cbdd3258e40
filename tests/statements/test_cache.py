"""parse_cached: a PDF (good or bad) is parsed once; counted by wrapping the parser, not by timing."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from connectors.statements import cache, dispatch, parse_cached, parse_statement_pdf, render_statement_pdf
from connectors.statements import errors as E
from connectors.statements.synth import synth_statement


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = dispatch.read_statement_pdf

    def counting(body: bytes, *, source: str, account_ref: str | None = None):
        seen.append(source)
        return real(body, source=source, account_ref=account_ref)

    monkeypatch.setattr(dispatch, "read_statement_pdf", counting)
    return seen


BODY = render_statement_pdf(synth_statement(5, dt.date(2023, 12, 15), dt.date(2024, 1, 14), 25),
                            layout="lcl", account_number="00412 0123456Z")


def test_second_parse_is_a_cache_hit(tmp_path, calls) -> None:
    first = parse_cached(BODY, source="a.pdf", cache_dir=tmp_path)
    second = parse_cached(BODY, source="copy-of-a.pdf", cache_dir=tmp_path)
    assert calls == ["a.pdf"]
    assert first == second == parse_statement_pdf(BODY, source="a.pdf")
    entries = list(tmp_path.rglob("*.json"))
    assert len(entries) == 1
    data = json.loads(entries[0].read_text())
    assert isinstance(data["batch"]["statements"][0]["opening_balance"], str)  # Decimals as strings


def test_failures_are_cached_too(tmp_path, calls) -> None:
    bad = BODY[: len(BODY) // 2]
    for name in ("cut.pdf", "cut-again.pdf"):
        with pytest.raises(E.TruncatedPdfError) as ei:
            parse_cached(bad, source=name, cache_dir=tmp_path)
        assert str(ei.value).startswith(f"{name}: truncated PDF")
    assert calls == ["cut.pdf"]


def test_stale_entry_is_parsed_again(tmp_path, calls, monkeypatch: pytest.MonkeyPatch) -> None:
    parse_cached(BODY, source="a.pdf", cache_dir=tmp_path)
    monkeypatch.setattr(cache, "PARSER_VERSION", "999")
    parse_cached(BODY, source="a.pdf", cache_dir=tmp_path)
    parse_cached(BODY, source="a.pdf", cache_dir=tmp_path)
    assert calls == ["a.pdf", "a.pdf"]


def test_account_check_applies_to_hits(tmp_path, calls) -> None:
    parse_cached(BODY, source="a.pdf", cache_dir=tmp_path, account_ref="004120123456Z")
    with pytest.raises(E.StatementStructureError, match="expected 1"):
        parse_cached(BODY, source="a.pdf", cache_dir=tmp_path, account_ref="1")
    assert len(calls) == 1
