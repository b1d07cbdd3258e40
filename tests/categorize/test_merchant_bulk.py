"""transforms.merchant_bulk.merchants gives, label by label, exactly categorize.merchant_folded."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bench_data import csv_rows, synth
from tests.categorize.test_describe_bulk import FRAGMENTS, labeled_rows
from tests.shared_samples import shared_sample
from transforms import categorize as c
from transforms import describe_bulk as b
from transforms import merchant_bulk as mb

# what the merchant steps look for: SEPA markers, card numbers, dates, amounts, processors, suffixes, cities
MERCHANT_FRAGMENTS = [
    "/DE ", "/A ", "/MOTIF ", "/REF ", " /", "MDT/", "ECH/", " REF:", " REFERENCE ", " MANDAT ", " ID EMETTEUR ",
    " NUMFISCAL ", " DONT TVA ", " TVA 5", " FACTURE ", "CB*1234", "X1234", "4974XXXXXXXX1234", "CARTE NUMERO 123",
    "LE 12/03", "12.03.24", "12H30", "46,99EUR", "1 EURO = 1,08 USD", "AB12CD34EF56", "1234567", "2024-03",
    "03/2024", "SUMUP *", "SQ*", "ZETTLE_", "PAYPAL ", "PP*", "*", " FR", " FRANCE", " CEDEX", " 75011", " 11EME",
    " SAS", " S.A.", " ET CIE", " -", " PARIS", " LYON 3E", "DE PARIS", " 69 LYON", "75 PARIS ", "MAL30BORDEAUX",
    "DA33LA BREDE", " MASTERCARD • ", " VISA • ", "PAIEMENT CB 1203 ", "PAIEMENT PSC 1203 PARIS ", "DU 120324 ",
    "120324 CB*1234 ", "FACT 120324 ", "AVOIR ", "RET DAB ", "PRLV SEPA ", "VIR INST ", "REM CHQ ", "ECH PRET ",
    "EN COURS", ",", ".", "-", "  ",
]


def differences(raw: list[str], matches_any: mb.MatchesAny = b._matches_any) -> list[tuple[str, object, object]]:
    folded = [c.fold(c._mask(x)) for x in raw]
    got = mb.merchants(folded, matches_any)
    assert len(got) == len(folded)
    return [(f, g, w) for f, g in zip(folded, got) if g != (w := c.merchant_folded(f))]


def test_real_and_labeled_labels() -> None:
    raw = [r["label_raw"] for r in csv_rows("real_labels.csv")]
    raw += [r[0] for r in labeled_rows()]
    assert len(raw) > 1000
    assert differences(raw) == []


@pytest.mark.parametrize("relative", [
    "samples/boursorama/export-2019-03_latin1.csv", "samples/boursorama/export-2022-06_utf8.csv",
    "samples/statements/boursobank_releve_2020_1_rebuilt_from_wordboxes.pdf",
    "samples/statements/n26_releve_2020-09_rebuilt_from_wordboxes.pdf",  # card rows with "Mastercard • ..."
    "samples/statements/n26_releve_preliminaire_rebuilt_from_wordboxes.pdf"])
def test_shared_sample_labels(relative: str) -> None:
    """The labels of the real third-party files (skipped without the shared directory)."""
    path = shared_sample(relative)
    if path.suffix == ".csv":
        from connectors.boursorama.parse import parse
        from tests.boursorama.helpers import meta_for
        body = path.read_bytes()
        raw = [t.label_raw for t in parse(body, meta_for(body, source_name=path.name)).transactions]
    else:
        from connectors.statements.dispatch import read_statement_pdf
        batch = read_statement_pdf(path.read_bytes(), source=path.name)
        raw = [ln.label_raw for s in batch.statements for ln in s.lines]
    assert raw
    assert differences(raw) == []


def test_synthetic_ledger_labels() -> None:
    gen = synth()
    raw = gen.canonical(gen.generate(20_000, seed=5))["label_raw"].to_pylist()
    assert differences(raw) == []


labels = st.lists(st.one_of(st.sampled_from(MERCHANT_FRAGMENTS + FRAGMENTS), st.text(max_size=4)),
                  max_size=8).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(labels, max_size=40))
def test_random_labels(raw: list[str]) -> None:
    assert differences(raw) == []


def test_every_step_changes_some_real_label() -> None:
    """The labels above exercise each skipped step on both sides (a step that never fires would make the
    equality tests above prove nothing about it)."""
    spec = c._merchant_spec()
    rests = [r for r in (c.merchant_rest(c.fold(c._mask(x["label_raw"]))) for x in csv_rows("real_labels.csv")) if r]
    for step in (spec.cut, spec.noise, spec.tail):
        hits = sum(bool(step.search(r)) for r in rests)
        assert 0 < hits < len(rests)


def test_a_wrong_skip_is_caught() -> None:
    """A step skipped on a label it changes shows up as a difference."""
    never = lambda patterns, strings: np.zeros(len(strings), bool)  # noqa: E731
    assert differences(["PRLV SEPA ORANGE SA REF 2403000123", "CB DARTY 12/03 PARIS"], never)


def test_matches_any_is_python_search() -> None:
    """describe_bulk._matches_any: one of the patterns matches, as Python re says (RE2, supersets and
    Python patterns mixed: the merchant steps' alternatives)."""
    spec = c._merchant_spec()
    strings = [c.fold(c._mask(r["label_raw"])) for r in csv_rows("real_labels.csv")]
    strings = [x for x in strings if x.isascii()]
    for patterns in mb._steps(spec):
        want = [any(p.search(x) for p in patterns) for x in strings]
        assert b._matches_any(patterns, strings).tolist() == want
