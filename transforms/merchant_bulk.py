"""Merchants of many distinct masked, folded labels at once: ``[categorize.merchant_folded(f) for f in
folded]``, label by label the same result, at less cost (issue 13: ~1 s of a 1M-row rebuild's CPU).

``merchant_folded`` takes the label's prefix off (steps 1-3 of ``merchants.toml``, cheap in Python) and
then runs four rewriting steps on what is left (``categorize._merchant_name``): ``cut`` and ``noise``
substitutions, the ``processor`` prefixes, and the repeated ``tail`` stripping. Most labels are left
unchanged by most of these steps, yet Python ``re`` pays a search at every position of every label to
find that out. Here each step first asks, for all the labels at once, which labels it can change (a
step changes a string only if its pattern matches somewhere in it), and runs in Python on those only;
on the others the step is the identity and is skipped.

Exactness: "which labels a pattern matches" is the caller's ``matches_any`` (``describe_bulk``'s, under
its policy: RE2 only on ASCII strings and patterns it gives the meaning Python gives them; a pattern with
lookarounds has its RE2 superset confirmed by Python; any other pattern runs in Python; passed in, so
this module and describe_bulk do not import each other). A step's joined alternation matches a string
exactly when one of its alternatives does, so the alternatives are handed over apart, which lets the
RE2-able ones go to RE2 when another (the N26 card line with its "•") cannot. Labels whose folded form is
not ASCII go through ``merchant_folded`` itself.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from transforms import categorize as c
from transforms.folding import _load_toml

Patterns = tuple[re.Pattern[str], ...]
#: (patterns, ASCII strings) -> for each string, whether one of the patterns matches somewhere in it
MatchesAny = Callable[[Patterns, list[str]], np.ndarray]


@lru_cache(maxsize=4)
def _steps(spec: c._MerchantSpec) -> tuple[Patterns, Patterns, Patterns, Patterns]:
    """The alternatives of the ``cut``, ``noise`` and ``processor`` steps of ``spec``, and its ``tail``,
    as patterns to search. A step is split into its alternatives only when its joined pattern is
    exactly their alternation as ``merchants.toml`` gives them; else the joined pattern is searched."""
    data = _load_toml("merchants.toml")

    def alternatives(joined: re.Pattern[str], key: str) -> Patterns:
        alts = data.get(key) or []
        if joined.pattern == "|".join(f"(?:{p})" for p in alts) and joined.flags == re.UNICODE:
            return tuple(re.compile(p) for p in alts)
        return (joined,)

    return (alternatives(spec.cut, "cut"), alternatives(spec.noise, "noise"),
            alternatives(spec.processor, "processor"), (spec.tail,))


def merchants(folded: list[str], matches_any: MatchesAny) -> list[str | None]:
    """``categorize.merchant_folded`` of every masked, folded label of ``folded``; ``matches_any`` says
    which strings a step's patterns match (exactly: a wrong "no" would skip a step that applies)."""
    out: list[str | None] = [None] * len(folded)
    rests: dict[str, list[int]] = {}  # what _merchant_name reads -> the labels that leave it
    for i, f in enumerate(folded):
        if not f.isascii():
            out[i] = c.merchant_folded(f)
            continue
        rest = c.merchant_rest(f)
        if rest is not None:  # None: a label that names no merchant
            rests.setdefault(rest, []).append(i)
    names = _merchant_names(list(rests), matches_any)
    for name, rows in zip(names, rests.values()):
        for i in rows:
            out[i] = name
    return out


def _merchant_names(strings: list[str], matches_any: MatchesAny) -> list[str | None]:
    """``categorize._merchant_name`` of each of ``strings`` (ASCII), each step run only where it can
    change the string (the order and the whitespace handling of ``_merchant_name``)."""
    spec = c._merchant_spec()
    cut, noise, processor, tail = _steps(spec)
    s = [spec.cut.sub("", x) if h else x for x, h in zip(strings, matches_any(cut, strings))]
    s = [" ".join((spec.noise.sub(" ", x) if h else x).split()) for x, h in zip(s, matches_any(noise, s))]
    s = [(spec.processor.sub("", x) if h else x).replace("*", " ") for x, h in zip(s, matches_any(processor, s))]
    s = [" ".join(x.split()).strip(" ,-/.") for x in s]
    # _without_tail(x) is `x or None` when the tail pattern finds nothing in x
    return [c._without_tail(x) if h else (x or None) for x, h in zip(s, matches_any(tail, s))]
