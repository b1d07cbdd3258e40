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

_SOURCES = pa.array(["rule", "bank", "none"])
_BLOCK = 1 << 15  # rows masked per numpy pass


def describe_columns(label_raw: pa.Array | pa.ChunkedArray, amount: pa.Array | pa.ChunkedArray,
                     bank_category: pa.Array | pa.ChunkedArray) -> pa.Table:
    """``describe(label_raw[i], amount[i], bank_category[i])`` for every row ``i``, as a table with the
    columns ``kind`` (string, never null), ``merchant`` (string or null), ``category`` (string or null)
    and ``category_source`` (``'rule'``, ``'bank'`` or ``'none'``), one row per input row.

    ``label_raw``: strings, no nulls (``describe`` needs a string). ``amount``: decimals (the lake's
    ``decimal128(18, 2)``), no nulls. ``bank_category``: strings, nulls allowed.
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
    folded = [c.fold(x) for x in masked]
    debit = pc.less(amounts, 0).to_numpy(zero_copy_only=False)

    kind_names, kinds = _kinds(masked, folded)
    merchants = [c._merchant(x) for x in masked]
    rules = c.default_rules()
    if c._bounded() or not all(_vectorized(r) for r in rules):
        cat = _categories_python(masked, [kind_names[k] for k in kinds], row_label, amounts)
    else:
        cat = _categories(rules, masked, folded, kind_names, kinds, row_label, debit)

    hints, bank_row = _bank_hints(banks)
    in_label = [c._label_hint(x) for x in masked]  # the category a bank prints inside the label
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


# ------------------------------------------------------------------------------------------ masking
def _mask_column(labels: pa.StringArray) -> pa.StringArray:
    """``categorize._mask`` of every row: numpy on the bytes for ASCII rows (:func:`_zeroed_digits`),
    Python for the others (its ``\\d`` also matches non-ASCII digits)."""
    _, offsets, data = labels.buffers()
    n = len(labels)
    off = np.frombuffer(offsets, np.int32)[labels.offset:labels.offset + n + 1]
    raw = np.frombuffer(data, np.uint8)[off[0]:off[-1]] if data is not None else np.zeros(0, np.uint8)
    rel = (off - off[0]).astype(np.int64)
    out = raw.copy()
    for lo in range(0, n, _BLOCK):  # blocks of rows: the temporaries stay in cache (3x faster than at once)
        hi = min(n, lo + _BLOCK)
        out[rel[lo] + _zeroed_digits(raw[rel[lo]:rel[hi]], rel[lo:hi + 1] - rel[lo])] = ord("0")
    masked = pa.StringArray.from_buffers(n, pa.py_buffer(rel.astype(np.int32)), pa.py_buffer(out))
    other = pc.invert(pc.string_is_ascii(labels))
    if pc.any(other).as_py():
        again = pc.filter(labels, other)
        enc = pc.dictionary_encode(again)
        fixed = pa.array([c._mask(x) for x in enc.dictionary.to_pylist()], pa.string()).take(enc.indices)
        masked = pc.replace_with_mask(masked, other, fixed)
    return masked


def _zeroed_digits(raw: np.ndarray, row_start: np.ndarray) -> np.ndarray:
    """Byte positions that ``_mask`` turns into "0": the digits inside the matches of
    ``\\d{2}[/.]\\d{2}(?:[/.]\\d{2,4})?|\\d{6,}`` found left to right, the way ``re.sub`` scans.

    Works on digit runs (maximal, within a row). A run is entered at offset ``e`` (digits already taken
    by the previous match). From there, with ``rem = len - e`` digits left: ``rem >= 6`` -> the second
    alternative takes them all; ``2 <= rem <= 5`` -> no match can start before the last two digits, where
    the first alternative matches when one "/" or "." and a run of 2+ digits follow; it takes 2 digits
    of that next run (entered at 2), and when that run has exactly 2 digits and is followed by "/" or "."
    and 2+ digits, up to 4 digits of the run after (entered at min(4, len)). ``e`` of a run depends only
    on the two runs before it, so iterating ``e <- f(e)`` from zeros reaches the one solution.
    """
    size = raw.size
    if not size:
        return np.zeros(0, np.int64)
    dig = (raw - np.uint8(48)) < 10
    edge = np.flatnonzero(dig[1:] != dig[:-1]) + 1  # where digit runs start or end
    bounds = np.concatenate((np.array([0] if dig[0] else [], np.int64), edge,
                             np.array([size] if dig[-1] else [], np.int64)))
    start, end = bounds[0::2], bounds[1::2]
    row_first = np.zeros(size + 1, bool)
    row_first[row_start] = True
    inner = row_start[(row_start > 0) & (row_start < size)]
    cuts = np.unique(inner[dig[inner - 1] & dig[inner]])
    if cuts.size:  # a run never spans two rows (rare: a row ending and the next starting with a digit)
        start, end = np.sort(np.concatenate((start, cuts))), np.sort(np.concatenate((end, cuts)))
    length = end - start
    m = start.size
    nxt, nxt2 = np.zeros(m, np.int64), np.zeros(m, np.int64)
    nxt[:-1], nxt2[:-2] = length[1:], length[2:]
    link = np.zeros(m, bool)  # exactly one "/" or "." between this run and the next, all in one row
    gap = end[:-1]
    link[:-1] = (start[1:] == gap + 1) & ((raw[gap] == ord("/")) | (raw[gap] == ord("."))) \
        & ~row_first[gap] & ~row_first[gap + 1]
    pair = link & (nxt >= 2)
    triple = pair & (nxt == 2) & np.r_[link[1:], False] & (nxt2 >= 2)
    entry = np.zeros(m, np.int64)
    while True:
        rem = length - entry
        first = pair & (rem >= 2) & (rem <= 5)
        tail = first & triple
        new = np.zeros(m, np.int64)
        new[1:][first[:-1]] = 2
        new[2:][tail[:-2]] = np.minimum(4, length[2:][tail[:-2]])
        if np.array_equal(new, entry):
            break
        entry = new
    # zeroed: [0, entry) and [own, length) of each run; one span when they touch (the common case)
    own = np.where(rem >= 6, entry, np.where(first, length - 2, length))
    whole = own <= entry
    apart = ~whole & (own < length)
    return _spans(np.concatenate((start, start[apart] + own[apart])),
                  np.concatenate((np.where(whole, length, entry), (length - own)[apart])))


def _spans(first: np.ndarray, count: np.ndarray) -> np.ndarray:
    """All positions first[i] + k, 0 <= k < count[i]."""
    keep = count > 0
    first, count = first[keep], count[keep]
    if not count.size:
        return np.zeros(0, np.int64)
    ends = np.cumsum(count)
    dtype = np.int32 if first[-1] + count[-1] < 2**31 else np.int64
    return np.repeat((first - (ends - count)).astype(dtype), count) + np.arange(ends[-1], dtype=dtype)


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


def _search(pattern: re.Pattern[str], which: np.ndarray, folded: list[str], arrow: pa.StringArray) -> np.ndarray:
    """``pattern.search(folded[i]) is not None`` for each i of ``which`` (folded ASCII labels)."""
    if not which.size:
        return np.zeros(0, bool)
    exact = _re2_text(pattern.pattern, pattern.flags)
    text = exact or _re2_superset(pattern.pattern, pattern.flags)
    if text is None:
        return np.fromiter((pattern.search(folded[i]) is not None for i in which), bool, which.size)
    hit = pc.match_substring_regex(arrow.take(pa.array(which)), text).to_numpy(zero_copy_only=False)
    if exact is None:  # a superset: Python decides on its hits
        pos = np.flatnonzero(hit)
        hit[pos] = [pattern.search(folded[i]) is not None for i in which[pos]]
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
                kinds: np.ndarray, row_label: np.ndarray, debit: np.ndarray) -> np.ndarray:
    """Per row, the index in ``rules`` of the first rule matching (folded label, kind, sign), or -1.
    Decided per (distinct label, debit) key, each label pattern only on the keys still undecided."""
    m = len(masked)
    present = np.zeros((m, 2), bool)
    present[row_label, debit.astype(np.int64)] = True
    cat = np.full((m, 2), -1, np.int64)
    ascii_ = np.array([f.isascii() for f in folded], bool)
    index_of = {r.category: i for i, r in reversed(list(enumerate(rules)))}
    for i in np.flatnonzero(~ascii_):  # describe()'s own pieces for the rest
        for d in np.flatnonzero(present[i]):
            name = c._default_category(masked[i], kind_names[kinds[i]], bool(d), None)
            cat[i, d] = -1 if name is None else index_of[name]
    texts = [c.rule_text(f) for f in folded]  # what rules read (match_rules): without the bank's category line
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
    return cat[row_label, debit.astype(np.int64)]


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

