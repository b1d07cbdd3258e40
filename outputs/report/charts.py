"""The report's charts as plotly figure specs (plain dicts, drawn by plotly.js in the page).

Numbers go into the specs as decimal strings (plotly.js reads numeric strings on linear axes), so the
page holds the marts' exact figures; dates as ISO strings."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from outputs.report.data import ReportData, Row

Spec = dict[str, Any]

#: coverage map codes: what covers an account's month
COVERAGE_CODES = {"outside": 0, "api": 1, "statement": 2, "gap": 3}
COVERAGE_COLORS = {"outside": "#eeeeee", "api": "#2e7d32", "statement": "#1e88e5", "gap": "#e53935"}
COVERAGE_LABELS = {"outside": "before/after the account's history", "api": "bank API or CSV export",
                   "statement": "PDF statements only", "gap": "gap: some days covered by nothing"}
#: line style of a balance period by what covers it
PERIOD_DASH = {"api": "solid", "statement": "dot", "none": "dash"}
PERIOD_NAMES = {"api": "API/CSV", "statement": "statements", "none": "not covered"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")


def num(v: Decimal | int | None) -> str | None:
    """A figure as the page writes it: its exact decimal string."""
    return None if v is None else str(v)


def iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def account_label(a: Row) -> str:
    """``Compte courant · budgea …2496``: a name a person recognises, and the end of the number."""
    number = str(a.get("account_number") or "")
    return f"{a.get('name') or a.get('type') or 'account'} · {a['bank']} …{number[-4:]}"


def _layout(**kw: Any) -> Spec:
    base: Spec = {"margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "autosize": True,
                  "legend": {"orientation": "h", "y": -0.15, "x": 0}, "hovermode": "closest",
                  "font": {"family": "system-ui, sans-serif", "size": 12},
                  "paper_bgcolor": "white", "plot_bgcolor": "white"}
    base.update(kw)
    return base


def balance_chart(data: ReportData) -> Spec:
    """Balance over time: one line per account, solid where the bank's API or CSV covers the month,
    dotted where only statements do, dashed where nothing does; and the total per currency, thick."""
    labels = {a["account_id"]: account_label(a) for a in data.accounts}
    by_account: dict[str, list[Row]] = {}
    for r in data.balances:
        by_account.setdefault(r["account_id"], []).append(r)
    traces: list[Spec] = []
    for i, (acc, rows) in enumerate(sorted(by_account.items(), key=lambda kv: labels.get(kv[0], kv[0]))):
        color = PALETTE[i % len(PALETTE)]
        shown = False
        # each day's date, figure and period once per account (not once per period: a row per account and
        # day is most of the report's Python work, issue 13)
        xs = [iso(r["date"]) for r in rows]
        values = [num(r["balance"]) for r in rows]
        periods = [r["period_source"] for r in rows]
        previous = [None, *periods[:-1]]
        for source in ("api", "statement", "none"):
            if source not in periods:
                continue
            # the first day of the next period repeats the line's end, so the segments join
            ys = [v if here == source or before == source else None
                  for v, here, before in zip(values, periods, previous, strict=True)]
            traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys,
                           "name": labels.get(acc, acc), "legendgroup": acc, "showlegend": not shown,
                           "line": {"color": color, "width": 1.5, "dash": PERIOD_DASH[source]},
                           "connectgaps": False, "meta": {"account_id": acc, "period": source},
                           "hovertemplate": f"%{{x}}<br>%{{y:,.2f}} ({PERIOD_NAMES[source]})<extra>%{{fullData.name}}</extra>"})
            shown = True
    currencies = sorted({r["currency"] for r in data.total_balance})
    for cur in currencies:
        rows = [r for r in data.total_balance if r["currency"] == cur]
        traces.append({"type": "scatter", "mode": "lines", "name": f"Total ({cur})",
                       "x": [iso(r["date"]) for r in rows], "y": [num(r["balance"]) for r in rows],
                       "line": {"color": "#111111", "width": 3}, "meta": {"total": cur},
                       "hovertemplate": "%{x}<br>%{y:,.2f}<extra>%{fullData.name}</extra>"})
    return {"data": traces, "layout": _layout(height=460, xaxis={"type": "date", "automargin": True},
                                              yaxis={"type": "linear", "tickformat": ",.0f", "automargin": True,
                                                     "zeroline": True})}


def cashflow_chart(data: ReportData) -> Spec:
    """Money in and out per month (all accounts), and the net as a line."""
    traces: list[Spec] = []
    for cur in sorted({r["currency"] for r in data.cashflow}):
        rows = [r for r in data.cashflow if r["currency"] == cur]
        x = [iso(r["month"]) for r in rows]
        traces += [
            {"type": "bar", "name": f"Money in ({cur})", "x": x, "y": [num(r["inflow"]) for r in rows],
             "marker": {"color": "#43a047"}, "meta": {"field": "inflow", "currency": cur}},
            {"type": "bar", "name": f"Money out ({cur})", "x": x, "y": [num(r["outflow"]) for r in rows],
             "marker": {"color": "#e53935"}, "meta": {"field": "outflow", "currency": cur}},
            {"type": "scatter", "mode": "lines+markers", "name": f"Net ({cur})", "x": x,
             "y": [num(r["net"]) for r in rows], "line": {"color": "#111111"}, "meta": {"field": "net", "currency": cur}},
        ]
    return {"data": traces, "layout": _layout(height=380, barmode="group",
                                              xaxis={"type": "date", "dtick": "M3", "tickformat": "%b %Y", "automargin": True},
                                              yaxis={"type": "linear", "tickformat": ",.0f", "automargin": True})}


def short(text: str, width: int = 18) -> str:
    """A label for a narrow screen: a category's last level, cut to ``width`` characters."""
    last = text.rsplit(":", 1)[-1]
    return last if len(last) <= width else last[:width - 1] + "…"


def short_account(a: Row) -> str:
    number = str(a.get("account_number") or "")
    return f"{short(str(a.get('name') or a['bank']), 12)} …{number[-4:]}"


def _hbar(rows: list[Row], label: str, color: str, field: str = "amount") -> Spec:
    rows = list(reversed(rows))  # plotly draws the first category at the bottom
    return {"meta": {"short": [short(r[label]) for r in rows]},
            "data": [{"type": "bar", "orientation": "h", "y": [r[label] for r in rows],
                      "x": [num(r[field]) for r in rows], "marker": {"color": color},
                      "hovertemplate": "%{y}<br>%{x:,.2f}<extra></extra>"}],
            "layout": _layout(height=max(220, 26 * len(rows) + 60), showlegend=False,
                              xaxis={"type": "linear", "tickformat": ",.0f", "automargin": True},
                              yaxis={"type": "category", "automargin": True})}


def spend_month_chart(data: ReportData) -> Spec:
    return _hbar(data.spend_month, "category", "#fb8c00")


def spend_year_chart(data: ReportData) -> Spec:
    return _hbar(data.spend_year, "category", "#8e24aa")


def merchants_chart(data: ReportData) -> Spec:
    return _hbar(data.top_merchants, "merchant", "#3949ab")


def coverage_status(r: Row) -> str:
    """What covers one account's month (marts.coverage): a gap wins, then the API/CSV, then statements."""
    if r["gap_days"] > 0:
        return "gap"
    if r["days_covered_api"] > 0:
        return "api"
    if r["days_covered_statement"] > 0:
        return "statement"
    return "outside"


def coverage_chart(data: ReportData) -> Spec:
    """A map of accounts x months, each cell coloured by what covers it."""
    labels = {a["account_id"]: account_label(a) for a in data.accounts}
    months = sorted({r["month"] for r in data.coverage})
    accounts = sorted({r["account_id"] for r in data.coverage}, key=lambda a: labels.get(a, a))
    cells = {(r["account_id"], r["month"]): r for r in data.coverage}
    z, text = [], []
    for acc in accounts:
        zr, tr = [], []
        for m in months:
            r = cells.get((acc, m))
            if r is None:
                zr.append(None)
                tr.append("")
                continue
            zr.append(COVERAGE_CODES[coverage_status(r)])
            tr.append(f"API/CSV {r['days_covered_api']} d, statements {r['days_covered_statement']} d, "
                      f"gap {r['gap_days']} d of {r['days_in_month']}")
        z.append(zr)
        text.append(tr)
    n = len(COVERAGE_CODES)
    scale = []
    for status, code in COVERAGE_CODES.items():
        scale += [[code / n, COVERAGE_COLORS[status]], [(code + 1) / n, COVERAGE_COLORS[status]]]
    shorts = {a["account_id"]: short_account(a) for a in data.accounts}
    return {"meta": {"short": [shorts.get(a, a) for a in accounts]},
            "data": [{"type": "heatmap", "x": [iso(m) for m in months], "y": [labels.get(a, a) for a in accounts],
                      "z": z, "text": text, "zmin": -0.5, "zmax": n - 0.5, "colorscale": scale,
                      "showscale": False, "xgap": 2, "ygap": 2,
                      "hovertemplate": "%{y}<br>%{x|%b %Y}: %{text}<extra></extra>"}],
            "layout": _layout(height=max(200, 34 * len(accounts) + 80),
                              xaxis={"type": "date", "tickformat": "%b %Y", "automargin": True},
                              yaxis={"type": "category", "automargin": True})}


def all_charts(data: ReportData) -> dict[str, Spec]:
    """Every chart of the page by its element id (empty data: no chart)."""
    specs = {"chart-balance": balance_chart(data) if data.balances else None,
             "chart-cashflow": cashflow_chart(data) if data.cashflow else None,
             "chart-spend-month": spend_month_chart(data) if data.spend_month else None,
             "chart-spend-year": spend_year_chart(data) if data.spend_year else None,
             "chart-merchants": merchants_chart(data) if data.top_merchants else None,
             "chart-coverage": coverage_chart(data) if data.coverage else None}
    return {k: v for k, v in specs.items() if v is not None}
