"""Pure readers of Boursorama HTML pages (login, accounts, export form, statements list).

Logout is detected by page *content* (the login form or the ``__brs_mit`` script), never by cookie names
(reference/boursorama.md §4.2, in ../shared). Nothing here does I/O.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.boursorama.amounts import parse_amount

_BRS_MIT = re.compile(r"document\.cookie\s*=\s*\"(__brs_mit)=([0-9a-fA-F]{32});")
_ACCOUNT_PATH = re.compile(r"^/compte/(?P<kind>[a-z]+)(?:/(?P<product>[a-z0-9]+))?/(?P<key>[0-9a-f]{32})/?")
_TOKEN_LINK = re.compile(r"[\"'](?P<url>[^\"'<>]*download\.phtml\?token=[^\"'<>]+)[\"']")
EMPTY_RANGE_TEXT = "Aucune opération ne correspond"

#: account type from the URL segment (reference/boursorama.md §5)
TYPES = {"cav": "checking", "epargne": "savings", "pea": "pea", "ord": "securities", "av": "life_insurance",
         "per": "retirement", "carte": "card"}


def brs_mit_cookie(html: str) -> tuple[str, str] | None:
    """(name, value) of the cookie the almost-empty first page sets from its script."""
    m = _BRS_MIT.search(html)
    return (m.group(1), m.group(2)) if m else None


def is_login_page(html: str) -> bool:
    return "form[clientNumber]" in html or _BRS_MIT.search(html) is not None


def login_form_token(html: str) -> str | None:
    """The hidden ``form[_token]`` of the login page (WOOB reads ``input#form__token``)."""
    node = HTMLParser(html).css_first("input#form__token") or HTMLParser(html).css_first('input[name="form[_token]"]')
    return node.attributes.get("value") if node else None


def page_message(html: str) -> str:
    """The error text of a re-rendered login page (``div.narrow-modal-window__content div.msg`` or a
    ``div.msg``), whitespace collapsed; empty if none."""
    tree = HTMLParser(html)
    node = tree.css_first("div.narrow-modal-window__content div.msg") or tree.css_first("div.msg")
    return " ".join(node.text().split()) if node else ""


def page_title(html: str) -> str:
    node = HTMLParser(html).css_first("title")
    return node.text().strip() if node else ""


@dataclass(frozen=True, slots=True)
class AccountItem:
    key: str
    label: str
    type: str
    balance: Decimal | None


def parse_accounts_fragment(html: str) -> list[AccountItem]:
    """Accounts of the dashboard fragment. External accounts (``/budget/compte/…``, aggregated from other
    banks) and ``/crypto/`` are skipped, as WOOB does."""
    out: list[AccountItem] = []
    seen: set[str] = set()
    for a in HTMLParser(html).css("a.c-info-box__link-wrapper"):
        href = (a.attributes.get("href") or "").split("?", 1)[0]
        m = _ACCOUNT_PATH.match(href)
        if not m or m.group("key") in seen:
            continue
        key = m.group("key")
        seen.add(key)
        label_node = a.css_first("[data-account-label]")
        label = " ".join(label_node.text().split()) if label_node else (a.attributes.get("title") or "")
        bal_node = a.css_first(".c-info-box__account-balance")
        balance = None
        if bal_node and bal_node.text().strip():
            try:
                balance = parse_amount(bal_node.text())
            except ValueError:
                balance = None  # JavaScript fills some balances in; the CSV accountbalance is the fallback
        out.append(AccountItem(key=key, label=label, type=TYPES.get(m.group("kind"), m.group("kind")),
                               balance=balance))
    return out


@dataclass(frozen=True, slots=True)
class Form:
    action: str
    fields: dict[str, str]   # hidden and text inputs with their default values


def parse_form(html: str, name: str) -> Form | None:
    """The ``<form name=…>`` with its input names and default values (so field names are read from the
    page, not hard-coded: reference/boursorama.md §7.1 'safest rule')."""
    form = HTMLParser(html).css_first(f'form[name="{name}"]')
    if form is None:
        return None
    fields: dict[str, str] = {}
    for inp in form.css("input, select, textarea, button"):
        n = inp.attributes.get("name")
        if not n or inp.attributes.get("type") == "checkbox":
            continue
        fields.setdefault(n, inp.attributes.get("value") or "")
    return Form(action=form.attributes.get("action") or "", fields=fields)


def classify_export(body: bytes) -> tuple[str, str | None]:
    """What an export request returned (reference/boursorama.md §7.3): ``("csv", None)``, ``("empty", None)``,
    ``("token", url)``, ``("form", None)`` (the bare export form), ``("login", None)`` or
    ``("other", snippet)``. The BOM is stripped before looking."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    text = head.decode("utf-8", errors="replace").lstrip()
    first = text.split("\n", 1)[0]
    if body.startswith(b"\xef\xbb\xbf") or first.startswith(("dateOp", '"dateOp"', '"Date Opération"',
                                                             "Date Opération")):
        return "csv", None
    full = body.decode("utf-8", errors="replace")
    if is_login_page(full):
        return "login", None
    if EMPTY_RANGE_TEXT in full:
        return "empty", None
    m = _TOKEN_LINK.search(full)
    if m:
        return "token", m.group("url").replace("&amp;", "&")
    if 'name="movementSearch"' in full:
        return "form", None
    snippet = " ".join(HTMLParser(full).text().split())[:160] if full.lstrip().startswith("<") else full[:160]
    return "other", snippet


def statement_account_numbers(html: str) -> dict[str, str]:
    """Account key -> printed number, from the statements filter (``div#FiltersType_accountsKeys label``,
    text ``<label> - <number or masked PAN> - <holder>``). The dashboard does not print numbers."""
    out: dict[str, str] = {}
    for label in HTMLParser(html).css("div#FiltersType_accountsKeys label"):
        inp = label.css_first("input")
        key = inp.attributes.get("value") if inp else None
        parts = [p.strip() for p in label.text().split(" - ")]
        number = next((p.replace(" ", "") for p in parts if re.fullmatch(r"[\d*X ]{11,}", p)), None)
        if key and number:
            out[key] = number
    return out


@dataclass(frozen=True, slots=True)
class StatementLink:
    doc_id: str
    label: str
    date: dt.date
    url: str


def parse_statement_rows(html: str) -> list[StatementLink]:
    """PDF rows of ``table.documents__table``: ``td[1]`` has the ``file-pdf`` icon, ``td[2] a`` the link,
    ``td[4]`` the date (``DD/MM/YYYY`` or ``MM/YYYY``: day 1). Ids sharing a date get a suffix."""
    out: list[StatementLink] = []
    used: dict[str, int] = {}
    for tr in HTMLParser(html).css("table.documents__table tbody tr"):
        tds = tr.css("td")
        if len(tds) < 4:
            continue
        use = tds[0].css_first("use")
        href = (use.attributes.get("xlink:href") or use.attributes.get("href") or "") if use else ""
        a = tds[1].css_first("a")
        if "file-pdf" not in href or a is None:
            continue
        raw = tds[3].text().strip()
        parts = raw.split("/")
        try:
            date = dt.date(int(parts[-1]), int(parts[-2]), int(parts[0]) if len(parts) == 3 else 1)
        except (ValueError, IndexError):
            continue
        base = date.isoformat()
        used[base] = used.get(base, 0) + 1
        doc_id = base if used[base] == 1 else f"{base}-{used[base]}"
        out.append(StatementLink(doc_id=doc_id, label=" ".join(a.text().split()),
                                 date=date, url=(a.attributes.get("href") or "")))
    return out

