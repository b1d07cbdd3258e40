"""Which text lines belong to which row (continuation lines), for the rows' labels.

Two habits exist. Most banks print the label on the row and 1-3 continuation lines under it (``Réf :``,
``RUM``, a counterparty): text lines go to the row above, across a page break too. N26 prints the row's
amount alone with the label around it (``Mastercard • Courses`` under, the counterparty's name above),
in blocks separated by wide gaps: there each line goes to the row of its block. Labels never change a
figure; the reconciliation does not depend on them.
"""
from __future__ import annotations

import statistics

from connectors.statements.generic.lines import TLine
from connectors.statements.generic.sections import Op

MAX_CONTINUATIONS = 8


def attach_labels(stream: list[tuple[str, object]]) -> None:
    """``stream``: (kind, payload) in document order, kind 'op' (an :class:`Op`), 'text' (a TLine),
    'page' (a page break) or anything else (a line that ends a row: a balance, a heading...)."""
    ops = [obj for kind, obj in stream if kind == "op"]
    if not ops:
        return
    on_row = sum(1 for op in ops if op.label) * 2 >= len(ops)  # type: ignore[union-attr]
    stream = [("text" if kind == "amount_text" else kind, obj) for kind, obj in stream]
    if on_row:
        _after_rows(stream)
    else:
        _by_blocks(stream)


def _after_rows(stream: list[tuple[str, object]]) -> None:
    cur: Op | None = None
    n = 0
    held: list[TLine] | None = None     # lines at the top of a page, until we know they are not its head

    def add(t: TLine) -> None:
        nonlocal n
        if cur is not None and n < MAX_CONTINUATIONS and t.text:
            cur.label.append(t.text)
            n += 1

    for kind, obj in stream:
        if kind == "page":
            held = []
            continue
        if kind == "text":
            if held is not None:
                held.append(obj)  # type: ignore[arg-type]
            else:
                add(obj)  # type: ignore[arg-type]
            continue
        if kind == "carry":         # a carried-over balance at a page end does not end the row
            continue
        if held is not None and kind != "header":
            for t in held:          # no column header on this page: its first lines continue the row
                add(t)
        held = None
        if kind == "op":
            cur, n = obj, 0  # type: ignore[assignment]
        elif kind != "header":
            cur = None


def _by_blocks(stream: list[tuple[str, object]]) -> None:
    tops: list[tuple[int, float]] = []
    for kind, obj in stream:
        line = obj.line if kind == "op" else obj if kind == "text" else None  # type: ignore[union-attr]
        if line is not None:
            tops.append((line.page, line.top))
    gaps = [b[1] - a[1] for a, b in zip(tops, tops[1:]) if a[0] == b[0] and b[1] > a[1]]
    limit = 1.6 * statistics.median(gaps) if gaps else 20.0
    block: list[tuple[str, object]] = []
    last: tuple[int, float] | None = None
    prev_op: Op | None = None
    for kind, obj in stream + [("end", None)]:
        line = obj.line if kind == "op" else obj if kind == "text" else None  # type: ignore[union-attr]
        breaks = line is None or last is None or line.page != last[0] or line.top - last[1] > limit
        if breaks and block:
            prev_op = _flush(block, prev_op)
            block = []
        if kind == "page":
            continue
        if line is None:
            prev_op = None if kind != "page" else prev_op
            last = None
            continue
        block.append((kind, obj))
        last = (line.page, line.top)


def _flush(block: list[tuple[str, object]], prev_op: Op | None) -> Op | None:
    ops = [obj for kind, obj in block if kind == "op"]
    if not ops:
        return prev_op     # text between blocks (page heads, notes) belongs to no row
    target: Op | None = ops[0]
    for kind, obj in block:
        if kind == "op":
            target = obj  # type: ignore[assignment]
        elif target is not None and obj.text:  # type: ignore[union-attr]
            target.label.append(obj.text)  # type: ignore[union-attr]
    return ops[-1] if ops else None
