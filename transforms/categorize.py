"""Kinds, merchants and categories from label patterns kept as data (transforms/rules/*.toml).

Minimal version for the spine: ordered rules, first match wins, ``category_source`` says where a
category came from (``rule`` | ``bank`` | ``none``). Overrides and the learned fallback come later.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True, slots=True)
class CategoryRule:
    category: str
    label: re.Pattern[str] | None = None
    kind: str | None = None
    sign: str | None = None  # "debit" | "credit"

    def matches(self, label: str, kind: str, amount: Decimal) -> bool:
        if self.kind and self.kind != kind:
            return False
        if self.sign == "debit" and amount >= 0 or self.sign == "credit" and amount < 0:
            return False
        return self.label is None or bool(self.label.search(label))


def _load_toml(name: str) -> dict:
    return tomllib.loads(resources.files("transforms.rules").joinpath(name).read_text("utf-8"))


@cache
def kind_patterns() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    data = _load_toml("kinds.toml")
    return tuple((k["name"], tuple(re.compile(p) for p in k["patterns"])) for k in data["kind"])


def load_rules(path: Path | None = None) -> tuple[CategoryRule, ...]:
    """The user's rules (if ``path``) followed by the default taxonomy."""
    raw: list[dict] = []
    if path is not None and path.exists():
        raw += tomllib.loads(path.read_text("utf-8")).get("rule", [])
    raw += _load_toml("categories.toml")["rule"]
    return tuple(CategoryRule(category=r["category"], label=re.compile(r["label"]) if r.get("label") else None,
                              kind=r.get("kind"), sign=r.get("sign")) for r in raw)


@cache
def default_rules() -> tuple[CategoryRule, ...]:
    return load_rules(None)


def kind_of(label_raw: str) -> str:
    up = label_raw.upper().strip()
    for name, pats in kind_patterns():
        if any(p.search(up) for p in pats):
            return name
    return "other"


_CARD_PREFIX = re.compile(r"^(CARTE|CB|PAIEMENT (PAR )?CB|PAIEMENT CARTE|ACHAT CB)\s+(\d{2}/\d{2}(/\d{2,4})?\s+)?")
_PREFIX = re.compile(r"^(PRLV SEPA|PRLV|VIR SEPA RECU|VIR SEPA EMIS|VIR SEPA|VIR|VIREMENT( SEPA)?( RECU| EMIS)?|"
                     r"RETRAIT DAB|RETRAIT)\s+(\d{2}/\d{2}(/\d{2,4})?\s+)?")
_NOISE = re.compile(r"(\bCB\*?\d{4}\b|\bX{2,}\d+\b|\*\d{4,}|\b\d{6,}\b|/REF.*$|\bREF[: ].*$|\bECH/.*$|\bMDT/.*$)")


def merchant_of(label_raw: str) -> str | None:
    """Drop the kind prefix, card numbers, dates and SEPA references; keep the merchant words."""
    up = " ".join(label_raw.upper().split())
    up = _CARD_PREFIX.sub("", up)
    up = _PREFIX.sub("", up)
    up = _NOISE.sub("", up)
    up = " ".join(up.split())
    return up or None


def categorize(label_raw: str, kind: str, amount: Decimal, bank_category: str | None,
               rules: tuple[CategoryRule, ...] | None = None) -> tuple[str | None, str]:
    """(category, category_source)."""
    up = label_raw.upper()
    for rule in rules if rules is not None else default_rules():
        if rule.matches(up, kind, amount):
            return rule.category, "rule"
    if bank_category:
        return bank_category, "bank"
    return None, "none"
