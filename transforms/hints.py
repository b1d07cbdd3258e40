"""The banks' own categories as hints, in our taxonomy: the bank's category column (Boursorama CSV,
Powens) and the category a statement prints inside the label (N26), both mapped by
``transforms/rules/bank_categories.toml``; and :func:`rule_text`, the label without that printed category,
which is what category rules read."""
from __future__ import annotations

import re
from functools import cache, lru_cache

from transforms.folding import _load_toml, _mask, fold


@cache
def _bank_map() -> tuple[dict[str, str], frozenset[str]]:
    d = _load_toml("bank_categories.toml")
    return {fold(k): v for k, v in d["map"].items()}, frozenset(fold(x) for x in d["uncategorized"])


@cache
def _label_hint_spec() -> tuple[tuple[re.Pattern[str], ...], dict[str, str]]:
    d = _load_toml("bank_categories.toml")
    return (tuple(re.compile(p) for p in d["label_hint"]["patterns"]),
            {fold(k): v for k, v in d["label_hint"]["map"].items()})


def label_hint(label_raw: str) -> str | None:
    """The category a bank prints *inside* the label (N26 statements: the line "Mastercard • Courses
    alimentaires" under each card row, joined to the label as a continuation line), in our taxonomy;
    ``None`` when the label carries none or its category is not mapped (an unmapped one is too vague to
    keep: unlike ``bank_category`` it is not kept as written)."""
    return _label_hint(_mask(label_raw))


@lru_cache(maxsize=1 << 16)
def _label_hint(masked: str) -> str | None:
    patterns, mapping = _label_hint_spec()
    up = fold(masked)
    for p in patterns:
        m = p.search(up)
        if m:
            return mapping.get(" ".join(m.group("category").split()))
    return None


@lru_cache(maxsize=1 << 17)
def rule_text(folded: str) -> str:
    """What category rules read: the folded label without the bank's own category line (see
    :func:`label_hint`), so that a rule never fires on the bank's words ("BARS ET RESTAURANTS") and what
    the bank said is reported as the bank's hint."""
    for p in _label_hint_spec()[0]:
        m = p.search(folded)
        if m:
            return folded[:m.start()].rstrip()
    return folded


def hint_and_rule_text(folded: str) -> tuple[str | None, str]:
    """``(_label_hint(masked), rule_text(folded))`` of a masked label already folded (``folded ==
    fold(masked)``), from one search of the patterns instead of two (both take the first pattern that
    matches), without their caches: for callers that see each label once (``describe_bulk``)."""
    patterns, mapping = _label_hint_spec()
    for p in patterns:
        m = p.search(folded)
        if m:
            return mapping.get(" ".join(m.group("category").split())), folded[:m.start()].rstrip()
    return None, folded


def bank_hint(bank_category: str | None) -> str | None:
    """The bank's own category in our taxonomy when ``bank_categories.toml`` knows it, else as the bank
    wrote it; ``None`` for the banks' "not categorized" values."""
    if not bank_category or not bank_category.strip():
        return None
    mapping, nothing = _bank_map()
    key = fold(bank_category)
    if key in nothing:
        return None
    return mapping.get(key, bank_category.strip())
