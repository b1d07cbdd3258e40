"""Boursorama simulator: the accounts list and the CSV export (reference §6–§9): the 2026 form with a
CSRF token (POST, then a page with a one-time download link, or the CSV at once), the legacy GET, the
quirks (rows capped, the session dying mid-export, an OTP for old history, an empty range answered
with the form)."""
from __future__ import annotations

import datetime as dt
import secrets

from aiohttp import web

from connectors.boursorama.simulator import html
from connectors.boursorama.simulator.csv_profiles import render_csv, select_rows
from connectors.boursorama.simulator.state import SESSION_COOKIE, SimState, session_of, to_login


async def accounts(request: web.Request, st: SimState) -> web.Response:
    if not session_of(request, st):
        raise to_login()
    return web.Response(text=html.accounts_fragment(st.ledger), content_type="text/html")


async def generate(request: web.Request, st: SimState) -> web.Response:
    if not session_of(request, st):
        raise to_login()
    token = secrets.token_urlsafe(32)
    st.export_tokens.add(token)
    return web.Response(text=html.export_form(st.ledger, token), content_type="text/html")


def export_body(request: web.Request, st: SimState, key: str, start: dt.date, end: dt.date) -> bytes | web.Response:
    """The CSV of one account over [start, end], or the page the bank answers instead (unknown
    account, OTP needed for old history, empty range: the form again with a message)."""
    acc = st.ledger.account(key)
    if acc is None:
        return web.Response(status=400, text="unknown account")
    otp = st.knobs.history_otp_after_days
    if otp is not None and start < st.ledger.today - dt.timedelta(days=otp):
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            return web.Response(status=401, text="")
        st.sessions.discard(request.cookies.get(SESSION_COOKIE, ""))
        raise to_login()
    rows = select_rows(st.ledger, acc, start, end, st.knobs.export_cap)
    if not rows:
        token = secrets.token_urlsafe(32)
        st.export_tokens.add(token)
        return web.Response(text=html.export_form(st.ledger, token, html.EMPTY_RANGE), content_type="text/html")
    st.exports_done += 1
    return render_csv(st.ledger, acc, rows, st.knobs.csv_profile)


def check_expiry(request: web.Request, st: SimState) -> None:
    """Redirect to the login page unless the session lives (knob: it dies once after the 2nd export)."""
    sid = session_of(request, st)
    if sid and st.knobs.session_expiry_mid_export and st.exports_done >= 2 and not st.expired_once:
        st.expired_once = True
        st.sessions.discard(sid)
    if not session_of(request, st):
        raise to_login(expire=True)


def dates(get, prefix: str, fmt: str = "%d/%m/%Y") -> tuple[dt.date, dt.date] | None:  # type: ignore[no-untyped-def]
    """``<prefix>[fromDate]`` / ``<prefix>[toDate]`` read with ``get`` (form or query), or None."""
    try:
        return (dt.datetime.strptime(str(get(f"{prefix}[fromDate]")), fmt).date(),
                dt.datetime.strptime(str(get(f"{prefix}[toDate]")), fmt).date())
    except (TypeError, ValueError):
        return None


async def export_post(request: web.Request, st: SimState) -> web.StreamResponse:
    check_expiry(request, st)
    form = await request.post()
    if st.knobs.export_flow != "post_token":
        return web.Response(status=405, text="Method Not Allowed")
    if str(form.get("movementSearch[_token]")) not in st.export_tokens:
        return web.Response(status=400, text="invalid CSRF token")
    if form.get("movementSearch[format]") != "CSV" or form.get("movementSearch[filtredBy]") != "filtredByCategory":
        return web.Response(status=400, text="unsupported export form")
    keys = form.getall("movementSearch[selectedAccounts][]", [])
    span = dates(form.get, "movementSearch")
    if len(keys) != 1 or span is None:
        return web.Response(status=400, text="one account and a date range are required")
    body = export_body(request, st, str(keys[0]), *span)
    if isinstance(body, web.Response):
        return body
    dl = secrets.token_urlsafe(24)
    st.downloads[dl] = body
    raise web.HTTPFound(f"/budget/export-pret?t={dl}" if st.knobs.download_page else
                        f"/services/api/files/download.phtml?token={dl}")


async def export_ready(request: web.Request, st: SimState) -> web.Response:
    url = f"{request.scheme}://{request.host}/services/api/files/download.phtml?token={request.query.get('t', '')}"
    return web.Response(text=html.token_page(url), content_type="text/html")


async def download(request: web.Request, st: SimState) -> web.Response:
    body = st.downloads.pop(request.query.get("token", ""), None)  # one time only
    if body is None:
        return web.Response(status=404, text=html.page("Erreur", "<p>Ce lien a expiré.</p>"),
                            content_type="text/html")
    return web.Response(body=body, content_type="text/csv", headers={
        "Content-Disposition": 'attachment; filename="export-operations.csv"'})


async def export_get(request: web.Request, st: SimState) -> web.StreamResponse:
    check_expiry(request, st)
    q = request.query
    if st.knobs.export_flow != "get_legacy":
        raise web.HTTPFound("/mon-budget/generate")  # 2026: the old GET bounces to the form
    span = dates(q.get, "movementSearch")
    key = q.get("movementSearch[selectedAccounts][]", "")
    if span is None or q.get("movementSearch[format]") != "CSV":
        return web.Response(status=400, text="bad export query")
    body = export_body(request, st, key, *span)
    if isinstance(body, web.Response):
        return body
    return web.Response(body=body, content_type="text/csv")

