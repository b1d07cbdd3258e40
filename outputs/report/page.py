"""The report page: one self-contained HTML file (plotly.js inlined once, the chart specs and figures as
JSON in the page; no network at view time)."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from outputs.report import format as fmt
from outputs.report.charts import COVERAGE_COLORS, COVERAGE_LABELS, account_label, all_charts
from outputs.report.data import ReportData
from outputs.report.health import advice, check_meaning, is_ok

CSS = """
:root { --fg:#1d1d1f; --muted:#6b6b70; --line:#e3e3e8; --ok:#2e7d32; --bad:#c62828; --warn:#ef6c00; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:#f6f6f8; }
main { max-width:1180px; margin:0 auto; padding:16px; }
header h1 { margin:8px 0 0; font-size:1.7em; }
header p { margin:4px 0 0; color:var(--muted); }
nav { margin:12px 0; display:flex; flex-wrap:wrap; gap:6px 14px; font-size:.95em; }
nav a { color:#1a56c4; text-decoration:none; }
section { background:white; border:1px solid var(--line); border-radius:10px; padding:16px; margin:16px 0; }
section h2 { margin:0 0 4px; font-size:1.3em; }
.lead { color:var(--muted); margin:0 0 12px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(200px, 1fr)); gap:12px; }
.card { background:white; border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.card .k { color:var(--muted); font-size:.85em; }
.card .v { font-size:1.45em; font-weight:600; white-space:nowrap; }
.card .s { color:var(--muted); font-size:.85em; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(320px, 1fr)); gap:16px; }
.chart { width:100%; min-height:200px; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-size:.92em; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; white-space:nowrap; }
td.nowrap { white-space:nowrap; }
td.num, th.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
.neg { color:var(--bad); }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:.85em; color:white; }
.badge.ok { background:var(--ok); } .badge.bad { background:var(--bad); }
.chips { display:flex; flex-wrap:wrap; gap:6px 14px; margin:8px 0; font-size:.9em; }
.chip { display:inline-block; width:14px; height:14px; border-radius:3px; vertical-align:-2px; margin-right:5px; }
details { margin-top:10px; } summary { cursor:pointer; color:#1a56c4; }
code { background:#f0f0f3; padding:1px 4px; border-radius:4px; font-size:.9em; }
footer { color:var(--muted); font-size:.85em; margin:20px 0; }
@media (max-width: 600px) { main { padding:8px; } section { padding:10px; } body { font-size:14px; } }
"""

DRAW_JS = """
(function () {
  var specs = JSON.parse(document.getElementById('report-charts').textContent);
  var config = {responsive: true, displaylogo: false, displayModeBar: false};
  var narrow = window.innerWidth < 600;
  Object.keys(specs).forEach(function (id) {
    var el = document.getElementById(id), spec = specs[id];
    if (!el) { return; }
    if (narrow && spec.meta && spec.meta.short) {
      // long category and account names would squeeze the bars on a phone: shorter tick labels
      spec.layout.yaxis.tickvals = spec.data[0].y;
      spec.layout.yaxis.ticktext = spec.meta.short;
    }
    Plotly.newPlot(el, spec.data, spec.layout, config);
  });
})();
"""


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell: its text, and for a figure its exact value (``data-value``)."""

    text: str
    value: str | None = None
    cls: str = ""


def amount(v: Decimal | None, currency: str | None = "EUR") -> Cell:
    return Cell(fmt.money(v, currency), None if v is None else str(v), "num" + (" neg" if v is not None and v < 0 else ""))


def count(n: int | None) -> Cell:
    return Cell("" if n is None else f"{n:,}", None if n is None else str(n), "num")


def table(key: str, headers: Sequence[str], rows: Iterable[Sequence[Cell | str]], *, num_cols: Iterable[int] = (),
          empty: str = "nothing here yet") -> str:
    """An HTML table; ``key`` names it (``data-table``) for the test that compares it with the marts."""
    nums = set(num_cols)
    head = "".join(f'<th class="{"num" if i in nums else ""}">{escape(h)}</th>' for i, h in enumerate(headers))
    body = []
    for r in rows:
        tds = []
        for c in r:
            c = c if isinstance(c, Cell) else Cell(str(c))
            val = f' data-value="{escape(c.value)}"' if c.value is not None else ""
            tds.append(f'<td class="{c.cls}"{val}>{c.text if c.cls == "html" else escape(c.text)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    if not body:
        body.append(f'<tr class="empty"><td colspan="{len(headers)}">{escape(empty)}</td></tr>')
    return (f'<div class="scroll"><table data-table="{key}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def html_cell(markup: str) -> Cell:
    return Cell(markup, None, "html")


def _card(key: str, label: str, value: str, sub: str = "", value_attr: str | None = None) -> str:
    val = f' data-value="{escape(value_attr)}"' if value_attr is not None else ""
    return (f'<div class="card" data-card="{key}"><div class="k">{escape(label)}</div>'
            f'<div class="v"{val}>{escape(value)}</div><div class="s">{escape(sub)}</div></div>')


def _section(sid: str, title: str, lead: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{escape(title)}</h2><p class="lead">{lead}</p>{body}</section>'


def _chart(cid: str, charts: dict[str, Any]) -> str:
    return f'<div class="chart" id="{cid}"></div>' if cid in charts else '<p class="lead">No data for this chart yet.</p>'


def summary_cards(data: ReportData) -> str:
    cards = []
    totals: dict[str, Decimal] = {}
    for a in data.accounts:
        if a["balance"] is not None:
            totals[a["currency"] or "EUR"] = totals.get(a["currency"] or "EUR", Decimal(0)) + a["balance"]
    for cur, tot in sorted(totals.items()):
        cards.append(_card(f"total-{cur}", "All accounts together", fmt.money(tot, cur),
                           f"{sum(1 for a in data.accounts if a['balance'] is not None)} accounts, latest balances "
                           "the banks reported (cards apart: their spending is paid from an account)", str(tot)))
    month_rows = [r for r in data.cashflow if r["month"] == data.month]
    for r in month_rows:
        cards.append(_card(f"net-{r['currency']}", f"Net in {fmt.month(data.month)}", fmt.money(r["net"], r["currency"]),
                           f"in {fmt.money(r['inflow'], r['currency'])}, out {fmt.money(r['outflow'], r['currency'])}",
                           str(r["net"])))
    if data.recurring:
        yearly = sum((r["yearly_cost"] for r in data.recurring), Decimal(0))
        cards.append(_card("recurring", "Recurring payments a year", fmt.money(yearly),
                           f"{len(data.recurring)} active subscriptions and bills", str(yearly)))
    failed_runs = sum(not is_ok(r["status"]) for r in data.runs)
    failed_checks = sum(r["violations"] > 0 for r in data.checks)
    health = "All good" if not failed_runs and not failed_checks else "Needs attention"
    cards.append(_card("health", "Data health", health,
                       f"{len(data.runs) - failed_runs} of {len(data.runs)} connections OK, "
                       f"{failed_checks} failed checks"))
    return f'<div class="cards">{"".join(cards)}</div>'


def accounts_section(data: ReportData, charts: dict[str, Any]) -> str:
    rows = [[account_label(a), (a["type"] or "") + ("" if a["counts_in_total"] else " (not in the total)"),
             amount(a["balance"] if a["balance"] is not None else a["card_outstanding"], a["currency"]),
             Cell(fmt.day(a["balance_date"]), cls="nowrap"),
             f"{fmt.day(a['first_date'])} – {fmt.day(a['last_date'])}" if a["first_date"] else ""]
            for a in data.accounts]
    lead = ("Each account's balance day by day, and the total (thick black line; card accounts are not in it: "
            "what they spend is paid from a current account, which already counts it). "
            "<b>Solid</b> lines: months your bank's API or CSV exports cover; <b>dotted</b>: months rebuilt "
            "from PDF statements; <b>dashed</b>: months nothing covers. Click a name in the legend to hide it.")
    return _section("balances", "Balances", lead, _chart("chart-balance", charts) + table(
        "accounts", ["Account", "Type", "Balance", "As of", "History"], rows, num_cols=[2]))


def cashflow_section(data: ReportData, charts: dict[str, Any]) -> str:
    rows = [[fmt.month(r["month"]), amount(r["inflow"], r["currency"]), amount(r["outflow"], r["currency"]),
             amount(r["net"], r["currency"]), count(r["transactions"])] for r in reversed(data.cashflow)]
    lead = ("Money in (green) and out (red) each month, all accounts together; the line is the difference. "
            "Transfers between your own accounts count on both sides.")
    return _section("cashflow", "Cash flow", lead, _chart("chart-cashflow", charts) + "<details><summary>Every month as a table</summary>"
                    + table("cashflow", ["Month", "In", "Out", "Net", "Transactions"], rows, num_cols=[1, 2, 3, 4]) + "</details>")


def spending_section(data: ReportData, charts: dict[str, Any]) -> str:
    def rows(rs):
        return [[r["category"], amount(r["amount"]), count(r["transactions"])] for r in rs]
    span = f"{fmt.month(data.year_start)} – {fmt.month(data.month)}"
    body = (f'<div class="grid2"><div><h3>{escape(fmt.month(data.month))}</h3>{_chart("chart-spend-month", charts)}'
            + table("spend-month", ["Category", "Spent", "Transactions"], rows(data.spend_month), num_cols=[1, 2])
            + f'</div><div><h3>12 months: {escape(span)}</h3>{_chart("chart-spend-year", charts)}'
            + table("spend-year", ["Category", "Spent", "Transactions"], rows(data.spend_year), num_cols=[1, 2])
            + "</div></div>")
    lead = ("What you spent, by category: purchases and bills minus refunds. Money moved between your own "
            f"accounts and income are left out. The month shown is the last complete one ({escape(fmt.month(data.month))}).")
    return _section("spending", "Spending by category", lead, body)


def merchants_section(data: ReportData, charts: dict[str, Any]) -> str:
    rows = [[r["merchant"], r["category"] or "", amount(r["amount"]), count(r["transactions"])] for r in data.top_merchants]
    lead = f"Where most of your money went over the 12 months {escape(fmt.month(data.year_start))} – {escape(fmt.month(data.month))}."
    return _section("merchants", "Top merchants", lead, _chart("chart-merchants", charts)
                    + table("merchants", ["Merchant", "Category", "Spent", "Transactions"], rows, num_cols=[2, 3]))


def recurring_section(data: ReportData) -> str:
    labels = {a["account_id"]: account_label(a) for a in data.accounts}
    rows = [[r["merchant"], labels.get(r["account_id"], r["account_number"] or ""), r["cadence"],
             Cell(fmt.money(r["typical_amount"]) + (" (varies)" if r["amount_varies"] else ""), str(r["typical_amount"]), "num"),
             Cell(fmt.day(r["last_date"]), cls="nowrap"),
             Cell(fmt.day(r["next_expected_date"]), r["next_expected_date"].isoformat(), "nowrap"),
             amount(r["yearly_cost"])] for r in data.recurring]
    lead = ("Subscriptions, rent, bills and instalments that come back at a regular pace, still running. "
            "Yearly cost = the usual amount × payments per year.")
    return _section("recurring", "Recurring payments", lead, table(
        "recurring", ["Payee", "Account", "Every", "Usual amount", "Last paid", "Next expected", "Per year"],
        rows, num_cols=[3, 6]))


def coverage_section(data: ReportData, charts: dict[str, Any]) -> str:
    chips = "".join(f'<span><span class="chip" style="background:{COVERAGE_COLORS[k]}"></span>{escape(v)}</span>'
                    for k, v in COVERAGE_LABELS.items() if k != "outside")
    labels = {a["account_id"]: account_label(a) for a in data.accounts}
    rows = [[labels.get(r["account_id"], r["account_number"] or ""), fmt.day(r["gap_start"]), fmt.day(r["gap_end"]),
             count(r["days"])] for r in data.coverage_gaps]
    lead = ("Which months of each account bankflow has complete listings for (blank: before the first or after "
            "the last covered month). In a gap, transactions may be "
            "missing without anything noticing: fetch that period again (<code>bankflow sync</code>) or import "
            "the bank's statement for it (<code>bankflow backfill DIR</code>). Accounts whose bank does not say "
            "which period a listing covers are not on the map.")
    return _section("coverage", "Coverage", lead, f'<div class="chips">{chips}</div>' + _chart("chart-coverage", charts)
                    + "<h3>Gaps</h3>" + table("coverage-gaps", ["Account", "From", "To", "Days"], rows, num_cols=[3],
                          empty="No gap: every account's covered history is complete."))


def health_section(data: ReportData) -> str:
    runs = []
    for r in data.runs:
        ok = is_ok(r["status"])
        badge = f'<span class="badge {"ok" if ok else "bad"}">{escape(r["status"])}</span>'
        runs.append([r["connection"], r["bank"], html_cell(badge),
                     Cell(fmt.day(r["finished_at"] or r["started_at"]), cls="nowrap"),
                     Cell(fmt.day(r["last_ok_at"]), cls="nowrap") if r["last_ok_at"] else "never",
                     r["message"] or "",
                     advice(r["status"], r["connection"])])
    checks = [[r["check_name"], check_meaning(r["check_name"]), html_cell(f'<span class="badge {"bad" if r["violations"] else "ok"}">'
                                          f'{"failed" if r["violations"] else "passed"}</span>'),
               count(r["violations"]), Cell(fmt.day(r["checked_at"]), cls="nowrap"), r["sample"] or ""]
              for r in data.checks]
    lead = ("The last sync of each bank connection, and the warehouse's own consistency checks. A failed check "
            "lists examples; <code>bankflow check</code> shows them all. Fix a connection with the next step shown.")
    return _section("health", "Data health", lead, "<h3>Connections</h3>" + table(
        "runs", ["Connection", "Bank", "Last run", "When", "Last success", "Message", "Next step"], runs)
        + "<h3>Checks</h3>" + table("checks", ["Check", "What it checks", "Result", "Problems", "Checked", "Examples"], checks,
                                   num_cols=[3]))


def _json_script(element_id: str, payload: Any) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def render(data: ReportData, plotly_js: str, *, built_at: dt.datetime) -> str:
    """The whole page."""
    charts = all_charts(data)
    nav = "".join(f'<a href="#{i}">{t}</a>' for i, t in (
        ("balances", "Balances"), ("cashflow", "Cash flow"), ("spending", "Spending"), ("merchants", "Merchants"),
        ("recurring", "Recurring"), ("coverage", "Coverage"), ("health", "Data health")))
    latest = fmt.day(data.generated_from) if data.generated_from else "no transaction yet"
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>bankflow: your money</title>", f"<style>{CSS}</style>",
        f"<script>{plotly_js}</script></head><body><main>",
        f"<header><h1>Your money</h1><p>Built by bankflow on {escape(fmt.day(built_at))} from your warehouse; "
        f"latest transaction {escape(latest)}. Everything here is in this one file and works offline.</p></header>",
        f"<nav>{nav}</nav>", summary_cards(data), accounts_section(data, charts), cashflow_section(data, charts),
        spending_section(data, charts), merchants_section(data, charts), recurring_section(data),
        coverage_section(data, charts), health_section(data),
        "<footer>Amounts are exact to the cent (from the warehouse's marts.* views). Rebuild this page with "
        "<code>bankflow report</code>; export the ledger with <code>bankflow export --format ofx|qif|beancount|csv"
        "</code>.</footer></main>",
        _json_script("report-charts", charts), f"<script>{DRAW_JS}</script></body></html>",
    ]
    return "".join(parts)
