"""The learned fallback: abstains below its threshold, and is optional (no scikit-learn -> no model)."""
from __future__ import annotations

import builtins
import importlib
from decimal import Decimal

import pytest

from transforms import learn

HISTORY = [("CB LE PETIT ZINC LE 0{d}/03", "Alimentation:Restaurants et cafés"),
           ("CB BOUCHERIE MOREAU LE 0{d}/03", "Alimentation:Commerces de bouche"),
           ("PRLV SEPA KEOLIS RENNES", "Transport:Transports du quotidien")]


def examples(n=10):
    from transforms.categorize import kind_of, merchant_of
    for d in range(1, n):
        for label, cat in HISTORY:
            lab = label.format(d=d)
            yield learn.features(lab, merchant_of(lab), kind_of(lab), Decimal("-9.50")), cat


def feat(label, amount="-9.50"):
    from transforms.categorize import kind_of, merchant_of
    return learn.features(label, merchant_of(label), kind_of(label), Decimal(amount))


@pytest.mark.skipif(not learn.available(), reason="scikit-learn not installed")
def test_model_predicts_known_merchants_and_abstains_below_threshold():
    model = learn.train(examples(), threshold=0.5)
    assert model is not None and model.examples == 27
    (cat, conf), = model.predict([feat("CB LE PETIT ZINC PARIS LE 12/04")])
    assert cat == "Alimentation:Restaurants et cafés" and conf >= 0.5
    model.threshold = 0.999
    (cat, conf2), = model.predict([feat("CB LE PETIT ZINC PARIS LE 12/04")])
    assert cat is None and conf2 == conf


@pytest.mark.skipif(not learn.available(), reason="scikit-learn not installed")
def test_model_never_gives_a_category_a_sign_it_never_had():
    """A credit from a shop seen only in debits is a refund: the shop's category is not predicted for it."""
    model = learn.train(examples(), threshold=0.0)
    (debit, _), = model.predict([feat("CB LE PETIT ZINC PARIS LE 12/04")])
    assert debit == "Alimentation:Restaurants et cafés"
    (credit, conf), = model.predict([feat("CB LE PETIT ZINC PARIS LE 12/04", "9.50")])
    assert credit is None and conf == 0.0
    model.signs = {}  # without the guard the same model files the credit under the restaurant
    (credit, _), = model.predict([feat("CB LE PETIT ZINC PARIS LE 12/04", "9.50")])
    assert credit == "Alimentation:Restaurants et cafés"


@pytest.mark.skipif(not learn.available(), reason="scikit-learn not installed")
def test_model_abstains_on_names_it_never_saw():
    model = learn.train(examples(), threshold=0.0)
    (cat, conf), = model.predict([feat("CHQ 1234567")])
    assert cat is None and conf == 0.0


@pytest.mark.skipif(not learn.available(), reason="scikit-learn not installed")
def test_too_little_history_gives_no_model():
    assert learn.train(list(examples())[:5]) is None
    assert learn.train([(t, "Une seule") for t, _ in examples()]) is None


@pytest.fixture
def no_sklearn(monkeypatch):
    real = importlib.import_module
    real_import = builtins.__import__

    def fake_import_module(name, *a, **kw):
        if name.split(".")[0] == "sklearn":
            raise ImportError(f"No module named {name!r}")
        return real(name, *a, **kw)

    def fake_import(name, *a, **kw):
        if name.split(".")[0] == "sklearn":
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(importlib, "import_module", fake_import_module)
    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_without_sklearn_there_is_no_model_and_no_crash(no_sklearn):
    assert learn.available() is False
    assert learn.train(examples()) is None
