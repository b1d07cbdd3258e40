"""``categorize._mask`` of a whole Arrow column at once (numpy on the bytes of ASCII labels): the first
step of :func:`transforms.describe_bulk.describe_columns`."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms import categorize as c

_BLOCK = 1 << 15  # rows masked per numpy pass


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
