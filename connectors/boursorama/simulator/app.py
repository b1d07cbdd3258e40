"""The Boursorama simulator: an aiohttp app serving the bank's web protocol (reference/boursorama.md §2–§10).

Server-side state lives in :class:`SimState`; knobs in :class:`Knobs`. Paths, methods, cookies and field
names are the bank's; only the host differs (the ``api.boursobank.com`` download paths are served here too).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import random
import secrets
import string
from dataclasses import dataclass, field

from aiohttp import web

from connectors.boursorama.simulator import html
from connectors.boursorama.simulator.csv_profiles import render_csv, select_rows
from connectors.boursorama.simulator.ledger import Ledger

SESSION_COOKIE = "PHPSESSID"
JWT_COOKIE = "brsxds_d6e4a9b6646c62fc48baa6dd6150d1f7"  # suffix = md5("prod"), as the bank names it
LOGIN_FIELDS = ("form[clientNumber]", "form[password]", "form[fakePassword]", "form[matrixRandomChallenge]",
                "form[_token]", "form[ajx]", "form[passwordAck]")
MSG_WRONG = "Identifiant ou mot de passe invalide"
MSG_BLOCKED = "Compte bloqué Pour des raisons de sécurité, votre accès a été suspendu."
MSG_MAINTENANCE = "Maintenance en cours, merci de réessayer ultérieurement."


@dataclass
class Knobs:
    sca: bool = False
    maintenance: bool = False
    blocked: bool = False
    session_expiry_mid_export: bool = False   # the session dies once, after the 2nd export
    export_cap: int | None = None             # max rows per export; the oldest are dropped silently
    csv_profile: str = "p2024"
    latency: float = 0.0
    export_flow: str = "post_token"           # post_token | get_legacy
    download_page: bool = True                # POST result: page with a one-time link (True) or CSV
    history_otp_after_days: int | None = None
    keypad_glyph_set: str = "sim-v1"          # or "unknown"
    statement_months: int = 12
    holder: str = "M. CLAUDE SIMULATEUR"


@dataclass
class SimState:
    ledger: Ledger
    login: str
    password: str
    knobs: Knobs
    mits: set[str] = field(default_factory=set)
    login_tokens: set[str] = field(default_factory=set)
    challenges: dict[str, dict[str, int]] = field(default_factory=dict)  # challenge -> key -> digit
    sessions: set[str] = field(default_factory=set)
    export_tokens: set[str] = field(default_factory=set)
    downloads: dict[str, bytes] = field(default_factory=dict)            # one-time token -> CSV
    requests: list[tuple[str, str]] = field(default_factory=list)        # (method, path) log
    login_encodings: list[str] = field(default_factory=list)
    exports_done: int = 0
    expired_once: bool = False


def _rand_hex(n: int) -> str:
    return secrets.token_hex(n // 2)


def _session(request: web.Request, st: SimState) -> str | None:
    sid = request.cookies.get(SESSION_COOKIE)
    return sid if sid in st.sessions else None


def _to_login(expire: bool = False) -> web.HTTPFound:
    return web.HTTPFound("/connexion/?expire=" if expire else "/connexion/")


def make_app(st: SimState) -> web.Application:
    @web.middleware
    async def latency_and_log(request: web.Request, handler):  # type: ignore[no-untyped-def]
        st.requests.append((request.method, request.path))
        if st.knobs.latency:
            await asyncio.sleep(st.knobs.latency)
        return await handler(request)

    app = web.Application(middlewares=[latency_and_log])
    r = app.router

    def has_mit(request: web.Request) -> bool:
        return request.cookies.get("__brs_mit") in st.mits

    async def login_get(request: web.Request) -> web.Response:
        if not has_mit(request):
            value = _rand_hex(32)
            st.mits.add(value)
            return web.Response(text=html.mit_page(value), content_type="text/html")
        token = ".".join(secrets.token_urlsafe(n) for n in (24, 48, 32))
        st.login_tokens.add(token)
        resp = web.Response(text=html.login_page(token), content_type="text/html")
        resp.set_cookie("brsxd_secure", "".join(random.choices(string.ascii_letters + string.digits + "-_", k=142)))
        resp.set_cookie("navSessionId", "web" + hashlib.sha256(request.cookies["__brs_mit"].encode()).hexdigest())
        return resp

    async def keypad(request: web.Request) -> web.Response:
        if not has_mit(request):
            return web.Response(text=html.mit_page(_rand_hex(32)), content_type="text/html")
        letters = set()
        while len(letters) < 10:
            letters.add("".join(random.choices(string.ascii_uppercase, k=3)))
        keys = dict(zip(range(10), sorted(letters, key=lambda _: random.random())))
        order = random.sample(range(10), 10)
        challenge = secrets.token_urlsafe(9800)[:13000]
        st.challenges[challenge] = {k: d for d, k in keys.items()}
        return web.Response(text=html.keypad_fragment(keys, order, challenge, st.knobs.keypad_glyph_set),
                            content_type="text/html")

    async def login_post(request: web.Request) -> web.StreamResponse:
        if not has_mit(request):
            return web.Response(text=html.mit_page(_rand_hex(32)), content_type="text/html")
        ctype = request.content_type
        st.login_encodings.append(ctype)
        form = await request.post()
        missing = [f for f in LOGIN_FIELDS if f not in form]
        if missing or not ("form[platformAuthenticatorAvailable]" in form or "platformAuthenticatorAvailable" in form):
            return web.Response(status=400, text=f"missing fields: {missing}")
        token = str(form["form[_token]"])
        if token not in st.login_tokens:
            return web.Response(status=400, text="invalid CSRF token")
        st.login_tokens.discard(token)
        mapping = st.challenges.pop(str(form["form[matrixRandomChallenge]"]), None)  # a challenge works once
        if mapping is None:
            return web.Response(status=400, text="unknown or reused challenge")
        keys = str(form["form[password]"]).split("|")
        digits = "".join(str(mapping[k]) for k in keys if k in mapping)
        fake = str(form["form[fakePassword]"])
        new_token = ".".join(secrets.token_urlsafe(n) for n in (24, 48, 32))
        st.login_tokens.add(new_token)

        def again(msg: str) -> web.Response:
            return web.Response(text=html.login_page(new_token, msg), content_type="text/html")

        if st.knobs.maintenance:
            return again(MSG_MAINTENANCE)
        if st.knobs.blocked:
            return again(MSG_BLOCKED)
        if (len(digits) != len(keys) or str(form["form[clientNumber]"]) != st.login or digits != st.password
                or fake != "\u2022" * len(keys)):
            return again(MSG_WRONG)
        sid = _rand_hex(32)
        st.sessions.add(sid)
        resp = web.HTTPFound("/securisation" if st.knobs.sca else "/")
        resp.set_cookie(SESSION_COOKIE, sid)
        resp.set_cookie(JWT_COOKIE, "eyJhbGciOiJIUzI1NiJ9." + _rand_hex(40) + "." + _rand_hex(20))
        resp.set_cookie("ckln" + _rand_hex(64), "%253D" + _rand_hex(60))
        if st.knobs.sca:
            st.sessions.discard(sid)  # not usable before the strong authentication
        raise resp

    async def home(request: web.Request) -> web.Response:
        if not _session(request, st):
            raise _to_login()
        return web.Response(text=html.page("Accueil", "<h1>Bonjour</h1>"), content_type="text/html")

    async def securisation(request: web.Request) -> web.Response:
        return web.Response(text=html.securisation_page(), content_type="text/html")

    async def accounts(request: web.Request) -> web.Response:
        if not _session(request, st):
            raise _to_login()
        return web.Response(text=html.accounts_fragment(st.ledger), content_type="text/html")

    async def generate(request: web.Request) -> web.Response:
        if not _session(request, st):
            raise _to_login()
        token = secrets.token_urlsafe(32)
        st.export_tokens.add(token)
        return web.Response(text=html.export_form(st.ledger, token), content_type="text/html")

    def export_body(request: web.Request, key: str, start: dt.date, end: dt.date) -> bytes | web.Response:
        acc = st.ledger.account(key)
        if acc is None:
            return web.Response(status=400, text="unknown account")
        otp = st.knobs.history_otp_after_days
        if otp is not None and start < st.ledger.today - dt.timedelta(days=otp):
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                return web.Response(status=401, text="")
            st.sessions.discard(request.cookies.get(SESSION_COOKIE, ""))
            raise _to_login()
        rows = select_rows(st.ledger, acc, start, end, st.knobs.export_cap)
        if not rows:
            token = secrets.token_urlsafe(32)
            st.export_tokens.add(token)
            return web.Response(text=html.export_form(st.ledger, token, html.EMPTY_RANGE), content_type="text/html")
        st.exports_done += 1
        return render_csv(st.ledger, acc, rows, st.knobs.csv_profile)

    def check_expiry(request: web.Request) -> None:
        sid = _session(request, st)
        if sid and st.knobs.session_expiry_mid_export and st.exports_done >= 2 and not st.expired_once:
            st.expired_once = True
            st.sessions.discard(sid)
        if not _session(request, st):
            raise _to_login(expire=True)

    def dates(get, prefix: str, fmt: str = "%d/%m/%Y") -> tuple[dt.date, dt.date] | None:  # type: ignore[no-untyped-def]
        try:
            return (dt.datetime.strptime(str(get(f"{prefix}[fromDate]")), fmt).date(),
                    dt.datetime.strptime(str(get(f"{prefix}[toDate]")), fmt).date())
        except (TypeError, ValueError):
            return None

    async def export_post(request: web.Request) -> web.StreamResponse:
        check_expiry(request)
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
        body = export_body(request, str(keys[0]), *span)
        if isinstance(body, web.Response):
            return body
        dl = secrets.token_urlsafe(24)
        st.downloads[dl] = body
        raise web.HTTPFound(f"/budget/export-pret?t={dl}" if st.knobs.download_page else
                            f"/services/api/files/download.phtml?token={dl}")

    async def export_ready(request: web.Request) -> web.Response:
        url = f"{request.scheme}://{request.host}/services/api/files/download.phtml?token={request.query.get('t', '')}"
        return web.Response(text=html.token_page(url), content_type="text/html")

    async def download(request: web.Request) -> web.Response:
        body = st.downloads.pop(request.query.get("token", ""), None)  # one time only
        if body is None:
            return web.Response(status=404, text=html.page("Erreur", "<p>Ce lien a expiré.</p>"),
                                content_type="text/html")
        return web.Response(body=body, content_type="text/csv", headers={
            "Content-Disposition": 'attachment; filename="export-operations.csv"'})

    async def export_get(request: web.Request) -> web.StreamResponse:
        check_expiry(request)
        q = request.query
        if st.knobs.export_flow != "get_legacy":
            raise web.HTTPFound("/mon-budget/generate")  # 2026: the old GET bounces to the form
        span = dates(q.get, "movementSearch")
        key = q.get("movementSearch[selectedAccounts][]", "")
        if span is None or q.get("movementSearch[format]") != "CSV":
            return web.Response(status=400, text="bad export query")
        body = export_body(request, key, *span)
        if isinstance(body, web.Response):
            return body
        return web.Response(body=body, content_type="text/csv")

    def statement_months(acc_start: dt.date) -> list[tuple[int, int]]:
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

    async def documents(request: web.Request) -> web.Response:
        if not _session(request, st):
            raise _to_login()
        keys = request.query.getall("FiltersType[accountsKeys][]", [])
        rows = []
        for acc in st.ledger.accounts:
            if acc.key not in keys or not acc.statements:
                continue
            for y, m in statement_months(st.ledger.start):
                nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
                url = (f"{request.scheme}://{request.host}/services/api/files/statements-document.phtml"
                       f"?type=ccs&id={acc.key}-{y:04d}{m:02d}")
                rows.append((acc, nxt, url))
        return web.Response(text=html.statements_page(st.ledger, st.knobs.holder, rows), content_type="text/html")

    async def statement_pdf(request: web.Request) -> web.Response:
        if not _session(request, st):
            raise _to_login()
        key, _, ym = request.query.get("id", "").partition("-")
        acc = st.ledger.account(key)
        if acc is None or len(ym) != 6 or not ym.isdigit():
            return web.Response(status=404, text="no such document")
        from connectors.statements.render import render_statement_pdf  # written by the statements helper
        stmt = st.ledger.statement(acc, int(ym[:4]), int(ym[4:]))
        pdf = render_statement_pdf(stmt, layout="boursorama", account_number=acc.number, holder=st.knobs.holder)
        return web.Response(body=pdf, content_type="application/pdf")

    for path in ("/connexion/", "/connexion/saisie-mot-de-passe"):
        r.add_get(path, login_get)
    r.add_get("/connexion/clavier-virtuel", keypad)
    r.add_post("/connexion/saisie-mot-de-passe", login_post)
    r.add_get("/", home)
    r.add_get("/securisation", securisation)
    r.add_get("/dashboard/liste-comptes", accounts)
    r.add_get("/mon-budget/generate", generate)
    r.add_post("/budget/exporter-mouvements", export_post)
    r.add_get("/budget/exporter-mouvements", export_get)
    r.add_get("/budget/export-pret", export_ready)
    r.add_get("/services/api/files/download.phtml", download)
    r.add_get("/documents/releves", documents)
    r.add_get("/services/api/files/statements-document.phtml", statement_pdf)
    return app
