"""Boursorama simulator: the statements page (one link per account and month) and the statement PDFs,
drawn by the generic renderer with the layout in ``connectors/boursorama/statements/``."""
from __future__ import annotations

import datetime as dt

from aiohttp import web

from connectors.boursorama.simulator import html
from connectors.boursorama.simulator.state import SimState, session_of, to_login


def statement_months(st: SimState, acc_start: dt.date) -> list[tuple[int, int]]:
    """The months with a statement: the last ``statement_months`` full months, none before ``acc_start``."""
    today = st.ledger.today
    y, m = today.year, today.month
    out = []
    for _ in range(st.knobs.statement_months):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        if dt.date(y, m, 1) < acc_start:
            break
        out.append((y, m))
    return out


async def documents(request: web.Request, st: SimState) -> web.Response:
    if not session_of(request, st):
        raise to_login()
    keys = request.query.getall("FiltersType[accountsKeys][]", [])
    rows = []
    for acc in st.ledger.accounts:
        if acc.key not in keys or not acc.statements:
            continue
        for y, m in statement_months(st, st.ledger.start):
            nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
            url = (f"{request.scheme}://{request.host}/services/api/files/statements-document.phtml"
                   f"?type=ccs&id={acc.key}-{y:04d}{m:02d}")
            rows.append((acc, nxt, url))
    return web.Response(text=html.statements_page(st.ledger, st.knobs.holder, rows), content_type="text/html")


async def statement_pdf(request: web.Request, st: SimState) -> web.Response:
    if not session_of(request, st):
        raise to_login()
    key, _, ym = request.query.get("id", "").partition("-")
    acc = st.ledger.account(key)
    if acc is None or len(ym) != 6 or not ym.isdigit():
        return web.Response(status=404, text="no such document")
    stmt = st.ledger.statement(acc, int(ym[:4]), int(ym[4:]))
    from connectors.statements.render import render_statement_pdf  # fpdf: ~40 MB, only when a PDF is served

    pdf = render_statement_pdf(stmt, layout="boursorama", account_number=acc.number, holder=st.knobs.holder)
    return web.Response(body=pdf, content_type="application/pdf")

