"""HTML the Boursorama simulator serves, shaped like the bank's (reference/boursorama.md §2–§5, §7, §10)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

from connectors.boursorama.simulator.glyphs import glyph_src
from connectors.boursorama.simulator.ledger import Ledger, SimAccount

EMPTY_RANGE = "Aucune opération ne correspond à vos filtres de recherche"


def page(title: str | None, body: str) -> str:
    head = f"<title>{escape(title)}</title>" if title else ""
    return f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>"


def mit_page(value: str) -> str:
    """The almost-empty first answer: no <title>, one script that sets ``__brs_mit``."""
    script = ('document.cookie="__brs_mit=' + value + '; domain=." + window.location.hostname + "; path=/; ";'
              "window.location.reload();")
    return f"<html><head><script>{script}</script></head><body></body></html>"


def login_page(token: str, message: str = "") -> str:
    msg = (f'<div class="narrow-modal-window__content"><div class="msg">{escape(message)}</div></div>'
           if message else "")
    form = (
        '<form name="form" method="post" action="/connexion/saisie-mot-de-passe">'
        '<input type="text" id="form_clientNumber" name="form[clientNumber]" value="">'
        '<input type="hidden" id="form_password" name="form[password]" value="">'
        '<input type="password" id="form_fakePassword" name="form[fakePassword]" value="">'
        '<input type="hidden" id="form_matrixRandomChallenge" name="form[matrixRandomChallenge]" value="">'
        '<input type="hidden" id="form_ajx" name="form[ajx]" value="1">'
        '<input type="hidden" id="form_platformAuthenticatorAvailable" name="form[platformAuthenticatorAvailable]" value="">'
        '<input type="hidden" id="form_passwordAck" name="form[passwordAck]" value="">'
        f'<input type="hidden" id="form__token" name="form[_token]" value="{escape(token)}">'
        '<hx:include src="/connexion/clavier-virtuel?_hinclude=1"></hx:include>'
        "</form>")
    return page("Connexion - Espace Client BoursoBank", msg + form)


def keypad_fragment(keys: dict[int, str], order: list[int], challenge: str, glyph_set: str) -> str:
    items = []
    for i, digit in enumerate(order):
        items.append(
            f'<li data-matrix-list-item data-matrix-list-item-index="{i}">'
            f'<button type="button" data-matrix-key="{keys[digit]}" class="sasmap__key">'
            f'<img alt="" class="sasmap__img" src="{glyph_src(digit, glyph_set)}"></button></li>')
    script = ('<script>$("[data-matrix-random-challenge]").val("' + challenge + '");</script>')
    return '<ul class="password-input">' + "".join(items) + "</ul>" + script


def securisation_page() -> str:
    payload = '{"resourceId":"a1b2c3","formState":"eyJzdGF0ZSI6InN0YXJ0In0"}'
    body = (f"<div data-strong-authentication-payload='{payload}'></div>"
            "<p>Pour votre sécurité, validez cette connexion depuis l'application BoursoBank.</p>")
    return page("Sécurisation", body)


def fr_amount(amount: Decimal) -> str:
    """``20 810,50 €`` with NBSP/U+202F separators and U+2212 for negatives (reference/boursorama.md §5)."""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = "\u202f".join(groups) + "," + cents + "\u00a0€"
    return ("\u2212 " + text) if amount < 0 else text


def accounts_fragment(ledger: Ledger) -> str:
    groups = {"cav": ("Mon compte bancaire", "bank"), "epargne": ("Mon épargne", "savings"),
              "carte": ("Mes cartes", "bank")}
    out = []
    for acc in ledger.accounts:
        title, kind = groups[acc.path.split("/")[0]]
        bal = ledger.balance(acc.number)
        href = f"/compte/{acc.path}/{acc.key}/"
        css = "positive" if bal >= 0 else "negative"
        out.append(
            f'<ul class="c-info-box" aria-label="{title} - Total : {fr_amount(bal)}" data-brs-list-header '
            f'data-summary-{kind}><li class="c-panel__item c-info-box__item" data-brs-filterable>'
            f'<a class="c-info-box__link-wrapper" href="{href}" aria-label="Détails du compte {escape(acc.name)} - '
            f'Solde : {fr_amount(bal)}" title="{escape(acc.name)}">'
            f'<span class="c-info-box__account-label" data-account-label="{acc.key}" data-brs-list-item-label>'
            f'{escape(acc.name)}</span><span class="c-info-box__account-balance c-info-box__account-balance--{css}">'
            f'{fr_amount(bal)}</span><span class="c-info-box__account-sub-label" data-brs-list-item-label>'
            f'BoursoBank</span></a></li></ul>')
    # an account aggregated from another bank: the connector must skip it
    out.append('<ul class="c-info-box"><li class="c-panel__item"><a class="c-info-box__link-wrapper" '
               'href="/budget/compte/0123456789abcdef0123456789abcdef/" title="Livret A (autre banque)">'
               '<span class="c-info-box__account-label">Livret A</span>'
               '<span class="c-info-box__account-balance">1\u202f000,00\u00a0€</span></a></li></ul>')
    return "<div class=\"c-panel\">" + "".join(out) + "</div>"


def export_form(ledger: Ledger, token: str, message: str = "") -> str:
    boxes = "".join(
        f'<label><input type="checkbox" name="movementSearch[selectedAccounts][]" value="{a.key}"> '
        f"{escape(a.name)}</label>" for a in ledger.accounts)
    msg = f'<div class="alert">{EMPTY_RANGE}</div>' if message else ""
    form = (
        '<form name="movementSearch" method="post" action="/budget/exporter-mouvements">' + boxes +
        '<input type="text" name="movementSearch[fromDate]" value="">'
        '<input type="text" name="movementSearch[toDate]" value="">'
        '<select name="movementSearch[format]"><option value="CSV">CSV</option></select>'
        '<input type="hidden" name="movementSearch[filtredBy]" value="filtredByCategory">'
        '<input type="hidden" name="movementSearch[category]" value="">'
        '<input type="hidden" name="movementSearch[operationTypes]" value="">'
        '<input type="hidden" name="movementSearch[operationType]" value="">'
        '<input type="hidden" name="movementSearch[label]" value="">'
        '<input type="hidden" name="movementSearch[myBudgetPage]" value="1">'
        f'<input type="hidden" id="movementSearch__token" name="movementSearch[_token]" value="{token}">'
        '<button type="submit" name="movementSearch[submit]" value="">Exporter</button></form>')
    return page("Mon budget - Exporter mes opérations", msg + form)


def token_page(url: str) -> str:
    return page("Téléchargement", f'<p>Votre export est prêt.</p><a class="c-link" href="{escape(url)}">Télécharger</a>')


def statements_page(ledger: Ledger, holder: str, rows: list[tuple[SimAccount, dt.date, str]]) -> str:
    boxes = "".join(
        f'<label><input type="checkbox" name="FiltersType[accountsKeys][]" value="{a.key}"> '
        f"{escape(a.name)} - {a.number} - {escape(holder)}</label>" for a in ledger.accounts)
    trs = "".join(
        f'<tr><td><svg><use xlink:href="/assets/icons.svg#file-pdf"></use></svg></td>'
        f'<td><a href="{escape(url)}">Relevé de compte {escape(acc.name)}</a></td><td>{escape(acc.name)}</td>'
        f"<td>{day:%d/%m/%Y}</td></tr>" for acc, day, url in rows)
    body = (f'<form name="FiltersType"><div id="FiltersType_accountsKeys">{boxes}</div></form>'
            f'<table class="documents__table"><thead><tr><th></th><th>Document</th><th>Compte</th><th>Date</th>'
            f"</tr></thead><tbody>{trs}</tbody></table>")
    return page("Mes relevés", body)
