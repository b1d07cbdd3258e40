"""Columnar :func:`transforms.categorize.describe`: kind, merchant and category of many rows at once.

:func:`describe_columns` returns, row by row, exactly what ``describe(label_raw, amount, bank_category)``
returns, at a small fraction of its cost. How:

1. every label is masked (:func:`categorize._mask`) with numpy on the Arrow bytes (ASCII labels) or in
   Python (the others), then dictionary-encoded: the rows of one masked label share everything below;
2. the kind, the merchant, the category and the category a bank prints in the label (N26) are computed
   once per distinct masked label (and sign), the bank's hint once per distinct bank category;
3. the label patterns of ``kinds.toml``, ``categories.toml`` and ``merchant_kb.toml`` run as RE2
   (``pyarrow.compute``) over the distinct folded labels, each only on the labels still undecided (first
   match wins); a run of such rules (the knowledge base) is first matched as one union, each rule of the
   run then only on the union's hits.

Exactness policy (why RE2 may stand in for Python ``re``):

* RE2 only sees folded labels that are pure ASCII. There ``\\d \\w \\b \\s`` mean the same in both engines,
  and :func:`categorize.fold` leaves no whitespace but single spaces (so no ``\\n`` for ``$`` either).
  Labels whose folded form is not ASCII go through ``describe``'s own Python pieces.
* A pattern goes to RE2 only when RE2 compiles it and it has none of the few forms both engines accept
  with different meanings (:func:`_re2_text`). Any other pattern (e.g. the lookaheads ``^\\*(?!INT)`` and
  ``\\bORANGE\\b(?! BLEUE)``) runs in Python ``re``; when removing its lookarounds gives an RE2 pattern,
  that pattern (a superset) runs first and Python only confirms its hits. This general fallback is
  chosen over special-casing the two patterns known today: it stays exact for any rule added later.
* When a default rule has a condition other than ``label``/``kind``/``sign`` (``merchant``, ``account``,
  amount bounds), categories come from ``categorize._default_category`` per distinct key instead.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms import categorize as c
from transforms import merchant_bulk
from transforms.hints import hint_and_rule_text
from transforms.mask_bulk import _mask_column, _spans, _zeroed_digits  # noqa: F401  (tests use them here)

_SOURCES = pa.array(["rule", "bank", "none"])


class DescribeMemo:
    """What :func:`describe_columns` computed per distinct masked label (kind, merchant, category of a
    debit and of a credit, the category printed in the label), kept across its calls on the parts of one
    rebuild, so a label seen in an earlier part costs a dictionary look-up. Valid while the rule files
    are the same objects (checked at each call; any change empties it). Not used with rules that read
    the amount's size or the merchant (then categories are per row, see :func:`_categories_python`)."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[int, str | None, int, int, str | None]] = {}
        self._rules: tuple[object, object, object] | None = None

    def check(self) -> None:
        now = (c.default_rules(), c.kind_patterns(), c._merchant_spec())
        if self._rules is None or any(a is not b for a, b in zip(self._rules, now)):
            self.entries.clear()
        self._rules = now


def describe_columns(label_raw: pa.Array | pa.ChunkedArray, amount: pa.Array | pa.ChunkedArray,
                     bank_category: pa.Array | pa.ChunkedArray, memo: DescribeMemo | None = None) -> pa.Table:
    """``describe(label_raw[i], amount[i], bank_category[i])`` for every row ``i``, as a table with the
    columns ``kind`` (string, never null), ``merchant`` (string or null), ``category`` (string or null)
    and ``category_source`` (``'rule'``, ``'bank'`` or ``'none'``), one row per input row.

    ``label_raw``: strings, no nulls (``describe`` needs a string). ``amount``: decimals (the lake's
    ``decimal128(18, 2)``), no nulls. ``bank_category``: strings, nulls allowed. ``memo``: results per
    label kept from earlier calls (:class:`DescribeMemo`; the same output, less work).
    """
    labels, banks = _strings(label_raw), _strings(bank_category)
    amounts = amount.combine_chunks() if isinstance(amount, pa.ChunkedArray) else amount
    n = len(labels)
    if len(amounts) != n or len(banks) != n:
        raise ValueError(f"columns differ in length: {n} labels, {len(amounts)} amounts, {len(banks)} bank categories")
    if labels.null_count or amounts.null_count:
        raise ValueError("label_raw and amount must not be null (describe() needs a str and a Decimal)")
    enc = pc.dictionary_encode(_mask_column(labels))
    row_label = enc.indices.to_numpy()
    masked: list[str] = enc.dictionary.to_pylist()
    debit = pc.less(amounts, 0).to_numpy(zero_copy_only=False)
    rules = c.default_rules()
    kind_names = [name for name, _ in c.kind_patterns()] + ["other"]
    if c._bounded() or not all(_vectorized(r) for r in rules):
        folded = [c.fold(x) for x in masked]
        kind_names, kinds = _kinds(masked, folded)
        merchants = [c._merchant(x) for x in masked]
        cat = _categories_python(masked, [kind_names[k] for k in kinds], row_label, amounts)
        in_label = [c._label_hint(x) for x in masked]
    else:
        if memo is None:
            present = np.zeros((len(masked), 2), bool)
            present[row_label, debit.astype(np.int64)] = True
            kinds, merchants, table, in_label = _per_label(rules, masked, present)
        else:
            kinds, merchants, table, in_label = _per_label_memo(memo, rules, masked)
        cat = table[row_label, debit.astype(np.int64)]

    hints, bank_row = _bank_hints(banks)
    names = [r.category for r in rules]
    has_rule = cat >= 0
    truthy = np.array([bool(h) for h in hints] + [False])[bank_row]  # "bank" only for a non-empty hint
    label_names = sorted({h for h in in_label if h})
    label_code = np.array([label_names.index(h) if h else -1 for h in in_label] or [-1], np.int64)[row_label]
    has_label = ~has_rule & ~truthy & (label_code >= 0)  # the label's hint when the column gives none
    has_bank = ~has_rule & ~has_label & (bank_row >= 0)  # the column's hint, even a falsy one, as describe()
    code = np.where(has_rule, cat, np.where(has_label, len(names) + len(hints) + label_code,
                                            len(names) + bank_row))
    source = np.where(has_rule, 0, np.where(has_label | (has_bank & truthy), 1, 2))
    return pa.table({
        "kind": pa.array(kind_names, pa.string()).take(pa.array(kinds[row_label])),
        "merchant": pa.array(merchants, pa.string()).take(pa.array(row_label)),
        "category": pa.array(names + hints + label_names, pa.string()).take(
            pa.array(code, mask=~(has_rule | has_bank | has_label))),
        "category_source": _SOURCES.take(pa.array(source)),
    })


def _strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return arr if arr.type == pa.string() else arr.cast(pa.string())


def _per_label(rules: tuple[c.CategoryRule, ...], masked: list[str], present: np.ndarray
               ) -> tuple[np.ndarray, list[str | None], np.ndarray, list[str | None]]:
    """For each distinct masked label: its kind (index), merchant, category (rule index or -1) as a debit
    and as a credit (only where ``present[label, debit]``; -1 elsewhere) and the category a bank prints
    inside it (``_label_hint``)."""
    folded = [c.fold(x) for x in masked]
    kind_names, kinds = _kinds(masked, folded)
    merchants = merchant_bulk.merchants(folded, _matches_any)  # = [c.merchant_folded(f) for f in folded]
    # the label's printed category and what rules read, from one search per label (hints.py)
    in_label, texts = zip(*map(hint_and_rule_text, folded)) if folded else ((), ())
    table = _categories(rules, masked, folded, kind_names, kinds, present, list(texts))
    return kinds, merchants, table, list(in_label)


def _per_label_memo(memo: DescribeMemo, rules: tuple[c.CategoryRule, ...], masked: list[str]
                    ) -> tuple[np.ndarray, list[str | None], np.ndarray, list[str | None]]:
    """:func:`_per_label` for both signs of every label, the labels not in ``memo`` computed (and kept)."""
    memo.check()
    entries = memo.entries
    new = [x for x in masked if x not in entries]
    if new:
        kinds, merchants, table, in_label = _per_label(rules, new, np.ones((len(new), 2), bool))
        entries.update(zip(new, zip(kinds.tolist(), merchants, table[:, 0].tolist(), table[:, 1].tolist(),
                                    in_label)))
    got = [entries[x] for x in masked]
    kinds = np.array([g[0] for g in got], np.int64)
    table = np.array([(g[2], g[3]) for g in got], np.int64).reshape(len(got), 2)
    return kinds, [g[1] for g in got], table, [g[4] for g in got]


# ------------------------------------------------------------------------------------- label patterns
@lru_cache(maxsize=None)
def _re2_text(pattern: str, flags: int) -> str | None:
    """``pattern`` when RE2 gives it the meaning Python ``re`` gives it on folded ASCII labels, else None.

    Refused: non-default flags, non-ASCII text, what RE2 rejects, and what both accept with different
    meanings: ``{,n}`` and other ``{`` that are not ``{n}``/``{n,}``/``{n,m}`` (Python and RE2 disagree
    on which are literal), ``[:`` (POSIX classes in RE2 only), ``\\<digit>`` (octal or backreference)."""
    if flags != re.UNICODE or not pattern.isascii():
        return None
    plain = re.sub(r"\\.", "", pattern)
    if re.search(r"\\[0-9]", pattern) or "[:" in plain \
            or plain.count("{") != len(re.findall(r"\{[0-9]+(?:,[0-9]*)?\}", plain)):
        return None
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except pa.ArrowInvalid:
        return None
    return pattern


_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")


def _without_lookarounds(pattern: str) -> str | None:
    """``pattern`` with its lookaround groups removed (a dropped assertion only relaxes the pattern, so
    the result matches at least what ``pattern`` matches); None for a quantified lookaround."""
    out: list[str] = []
    i, depth, dropping = 0, 0, -1  # dropping: depth at which the lookaround being removed opened
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            token = pattern[i:i + 2]
        elif ch == "[":  # a class runs to the first "]" that is neither escaped nor its first member
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            token = pattern[i:j + 1]
        elif ch == "(":
            token = next((t for t in _LOOKAROUNDS if pattern.startswith(t, i)), "(")
            if token != "(" and dropping < 0:
                dropping = depth
            depth += 1
        elif ch == ")":
            token, depth = ch, depth - 1
            if depth == dropping:
                dropping = -1
                if pattern[i + 1:i + 2] in ("*", "+", "?", "{"):
                    return None
                i += 1
                continue
        else:
            token = ch
        if dropping < 0:
            out.append(token)
        i += len(token)
    return "".join(out)


@lru_cache(maxsize=None)
def _re2_superset(pattern: str, flags: int) -> str | None:
    """An RE2 pattern matching at least every label ``pattern`` matches, or None."""
    text = _without_lookarounds(pattern)
    return None if text is None or text == pattern else _re2_text(text, flags)


#: at most this many labels are searched with Python's ``re`` (the reference: RE2 only ever stands in for
#: it): an Arrow regex call compiles its pattern each time (~0.3 ms, ~80 calls per normalize), which a
#: sync's small batches of a few labels paid per batch (issue 13); Python's search costs ~1-2 µs a label
SMALL_SEARCH = 64


def _search(pattern: re.Pattern[str], which: np.ndarray, folded: list[str], arrow: pa.StringArray) -> np.ndarray:
    """``pattern.search(folded[i]) is not None`` for each i of ``which`` (folded ASCII labels)."""
    if not which.size:
        return np.zeros(0, bool)
    exact = text = None
    if which.size > SMALL_SEARCH:
        exact = _re2_text(pattern.pattern, pattern.flags)
        text = exact or _re2_superset(pattern.pattern, pattern.flags)
    if text is None:  # a few labels, or a pattern RE2 cannot stand in for: Python's re
        return np.fromiter((pattern.search(folded[i]) is not None for i in which), bool, which.size)
    hit = pc.match_substring_regex(arrow.take(pa.array(which)), text).to_numpy(zero_copy_only=False)
    if exact is None:  # a superset: Python decides on its hits
        pos = np.flatnonzero(hit)
        hit[pos] = [pattern.search(folded[i]) is not None for i in which[pos]]
    return hit


def _matches_any(patterns: tuple[re.Pattern[str], ...], strings: list[str]) -> np.ndarray:
    """For each of ``strings`` (ASCII), whether one of ``patterns`` matches somewhere in it: those RE2 runs
    exactly as one union, the others one by one (:func:`_search`), each only on the strings still unmatched."""
    hit = np.zeros(len(strings), bool)
    if not strings:
        return hit
    arrow = pa.array(strings, pa.string())
    for p in _any_of(patterns):
        todo = np.flatnonzero(~hit)
        hit[todo[_search(p, todo, strings, arrow)]] = True
    return hit


# --------------------------------------------------------------------------------- kinds, categories
def _kinds(masked: list[str], folded: list[str]) -> tuple[list[str], np.ndarray]:
    """The kind names of ``kinds.toml`` then "other", and for each distinct masked label the index of
    its kind (``categorize._kind``): first kind with a matching pattern."""
    names = [name for name, _ in c.kind_patterns()] + ["other"]
    code = np.full(len(masked), -1, np.int64)
    python = [i for i, f in enumerate(folded) if not f.isascii()]
    code[python] = [names.index(c._kind(masked[i])) for i in python]
    arrow = pa.array(folded, pa.string())
    for k, (_, patterns) in enumerate(c.kind_patterns()):
        for p in _any_of(patterns):
            todo = np.flatnonzero(code < 0)
            code[todo[_search(p, todo, folded, arrow)]] = k
    code[code < 0] = len(names) - 1
    return names, code


def _any_of(patterns: tuple[re.Pattern[str], ...]) -> list[re.Pattern[str]]:
    """Patterns such that one matches exactly when one of ``patterns`` does: those RE2 runs as they are
    joined into one alternation (one pass instead of one per pattern), the others as they are."""
    exact = [p for p in patterns if _re2_text(p.pattern, p.flags) is not None]
    rest = [p for p in patterns if _re2_text(p.pattern, p.flags) is None]
    return ([re.compile("|".join(f"(?:{p.pattern})" for p in exact))] if exact else []) + rest


def _vectorized(rule: c.CategoryRule) -> bool:
    return rule.merchant is None and rule.account is None and rule.min_amount is None and rule.max_amount is None


def _categories(rules: tuple[c.CategoryRule, ...], masked: list[str], folded: list[str], kind_names: list[str],
                kinds: np.ndarray, present: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
    """Per (distinct label, debit) key where ``present``, the index in ``rules`` of the first rule matching
    (folded label, kind, sign), or -1: an array (labels, 2). Each label pattern runs only on the labels
    with keys still undecided. ``texts``: ``rule_text`` of each folded label when the caller has them."""
    m = len(masked)
    cat = np.full((m, 2), -1, np.int64)
    ascii_ = np.array([f.isascii() for f in folded], bool)
    index_of = {r.category: i for i, r in reversed(list(enumerate(rules)))}
    for i in np.flatnonzero(~ascii_):  # describe()'s own pieces for the rest
        for d in np.flatnonzero(present[i]):
            name = c._default_category(masked[i], kind_names[kinds[i]], bool(d), None)
            cat[i, d] = -1 if name is None else index_of[name]
    if texts is None:  # what rules read (match_rules): without the bank's category line
        texts = [c.rule_text(f) for f in folded]
    arrow = pa.array(texts, pa.string())
    sign_ok = {None: np.array([True, True]), "debit": np.array([False, True]), "credit": np.array([True, False])}
    blocks = _union_blocks(rules)
    union_hit: np.ndarray | None = None  # the current run's union hits, None outside a run
    block_end = -1
    for index, rule in enumerate(rules):
        kind_ok = np.ones(m, bool) if rule.kind is None else np.array([k in rule.kind for k in kind_names])[kinds]
        todo = (cat < 0) & present & (kind_ok & ascii_)[:, None] & sign_ok[rule.sign][None, :]
        if index in blocks:  # one RE2 pass for a run of rules (the knowledge base): a superset of their hits
            block_end, union = blocks[index]
            which = np.flatnonzero(((cat < 0) & present & ascii_[:, None]).any(axis=1))
            union_hit = np.zeros(m, bool)
            union_hit[which] = _search(union, which, texts, arrow)
        elif index >= block_end:
            union_hit = None
        if rule.label is not None:
            cand = todo.any(axis=1) if union_hit is None else todo.any(axis=1) & union_hit
            which = np.flatnonzero(cand)
            hit = np.zeros(m, bool)
            hit[which] = _search(rule.label, which, texts, arrow)
            todo &= hit[:, None]
        cat[todo] = index
    return cat


_MIN_BLOCK = 4


def _union_blocks(rules: tuple[c.CategoryRule, ...]) -> dict[int, tuple[int, re.Pattern[str]]]:
    """{first index: (end index, union pattern)} for each maximal run of at least ``_MIN_BLOCK``
    consecutive rules whose label RE2 runs exactly: a label matched by none of the union is matched by
    none of the run's rules, so each rule of the run need only be tried on the union's hits."""
    out: dict[int, tuple[int, re.Pattern[str]]] = {}
    i = 0
    while i < len(rules):
        j = i
        while j < len(rules) and rules[j].label is not None \
                and _re2_text(rules[j].label.pattern, rules[j].label.flags) is not None:
            j += 1
        if j - i >= _MIN_BLOCK:
            out[i] = (j, re.compile("|".join(f"(?:{r.label.pattern})" for r in rules[i:j])))
        i = max(j, i + 1)
    return out


def _categories_python(masked: list[str], kinds: list[str], row_label: np.ndarray, amounts: pa.Array) -> np.ndarray:
    """The exact slow path for rule files this module does not vectorize: ``_default_category`` per row
    (it caches per distinct key), called as ``describe`` calls it. Returns indices as :func:`_categories`."""
    rules = c.default_rules()
    index_of = {r.category: i for i, r in reversed(list(enumerate(rules)))}
    bounded = c._bounded()
    out = np.empty(len(row_label), np.int64)
    for row, (j, a) in enumerate(zip(row_label.tolist(), amounts.to_pylist())):
        name = c._default_category(masked[j], kinds[j], a < 0, abs(a) if bounded else None)
        out[row] = -1 if name is None else index_of[name]
    return out


def _bank_hints(banks: pa.StringArray) -> tuple[list[str | None], np.ndarray]:
    """``bank_hint`` of each distinct bank category, and per row the index of its own (-1 for null)."""
    enc = pc.dictionary_encode(banks)
    hints = [c.bank_hint(b) for b in enc.dictionary.to_pylist()]
    return hints, pc.fill_null(enc.indices, -1).to_numpy().astype(np.int64)

