"""The known layouts (LCL, Boursorama) and the generic reader agree: on every golden file, and on
statements the simulators' renderer draws (random data), every row, label, date and balance."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from connectors.statements.dispatch import claimed_by_layout
from connectors.statements.generic import read_statement
from connectors.statements.parse import parse_statement_pdf as layout_parse
from connectors.statements.render import render_statement_pdf
from connectors.statements.synth import synth_statement
from tests.statements.golden.regen import CASES


def _same(body: bytes, name: str) -> None:
    by_layout = layout_parse(body, source=name)
    generic = read_statement(body, source=name)
    assert generic.statements == by_layout.statements
    assert generic.balances == by_layout.balances
    assert (generic.window_start, generic.window_end) == (by_layout.window_start, by_layout.window_end)
    assert [(ln.page, ln.line) for ln in generic.statements[0].lines] == \
        [(ln.page, ln.line) for ln in by_layout.statements[0].lines]
    assert all(ln.page and ln.line for ln in generic.statements[0].lines)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_file_read_alike(name: str) -> None:
    body = CASES[name].path(".pdf").read_bytes()
    assert claimed_by_layout(body) == name.split("_")[0]
    _same(body, f"{name}.pdf")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.sampled_from(["lcl", "boursorama"]), st.integers(0, 10_000), st.integers(1, 60),
       st.sampled_from([(dt.date(2024, 3, 1), dt.date(2024, 3, 31)), (dt.date(2023, 12, 15), dt.date(2024, 1, 14))]),
       st.integers(-50_000, 500_000))
def test_rendered_statements_read_alike(layout: str, seed: int, n: int, period: tuple[dt.date, dt.date],
                                        opening: int) -> None:
    s = synth_statement(seed, period[0], period[1], n, opening=Decimal(opening) / 100)
    _same(render_statement_pdf(s, layout=layout, account_number="00412 0123456Z"), f"{layout}.pdf")
