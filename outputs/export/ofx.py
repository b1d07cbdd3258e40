"""The OFX 2 export (XML; GnuCash, HomeBank, Firefly III, YNAB, Actual import it): one statement per
account, bank accounts under BANKMSGSRSV1, cards under CREDITCARDMSGSRSV1.

* FITID = bankflow's txn_id: stable across runs, so a tool that deduplicates on FITID ignores rows it
  already imported;
* LEDGERBAL = the latest balance the bank reported (marts.accounts), dated that day;
* NAME is cut to 32 characters (the OFX limit), MEMO holds the bank's label (255);
* DTSERVER is the latest date the ledger knows (not "now"): the same ledger gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from outputs.export.ledger import Account, Ledger, Txn

HEADER = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
          '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n')
#: bankflow kind -> OFX TRNTYPE (anything else: CREDIT or DEBIT by sign)
TRNTYPES = {"card": "POS", "direct_debit": "DIRECTDEBIT", "fee": "FEE", "interest": "INT", "transfer": "XFER",
            "withdrawal": "ATM", "check": "CHECK"}
SAVINGS = ("saving", "savings", "ldds", "livret", "pel", "cel", "lep")


def _d(d: dt.date) -> str:
    return d.strftime("%Y%m%d")


def _el(tag: str, value: object) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _status() -> str:
    return "<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"


def _trntype(t: Txn) -> str:
    return TRNTYPES.get(t.kind or "", "CREDIT" if t.amount > 0 else "DEBIT")


def _acct_from(a: Account) -> str:
    if a.is_card:
        return f"<CCACCTFROM>{_el('ACCTID', a.account_number[:22])}</CCACCTFROM>"
    iban = (a.iban or "").replace(" ", "")
    # a French IBAN holds the bank code (5 digits) and the branch code (5) after the country and key
    bank_id = iban[4:9] if iban.startswith("FR") and len(iban) == 27 else a.bank.upper()[:9]
    branch = _el("BRANCHID", iban[9:14]) if iban.startswith("FR") and len(iban) == 27 else ""
    acct_type = "SAVINGS" if (a.type or "").lower() in SAVINGS else "CHECKING"
    return (f"<BANKACCTFROM>{_el('BANKID', bank_id)}{branch}{_el('ACCTID', a.account_number[:22])}"
            f"{_el('ACCTTYPE', acct_type)}</BANKACCTFROM>")


def _stmttrn(t: Txn) -> str:
    return ("<STMTTRN>" + _el("TRNTYPE", _trntype(t)) + _el("DTPOSTED", _d(t.booking_date))
            + (_el("DTUSER", _d(t.value_date)) if t.value_date else "") + _el("TRNAMT", t.amount)
            + _el("FITID", t.txn_id) + _el("NAME", t.payee[:32] or "-")
            + (_el("MEMO", t.label_raw[:255]) if t.label_raw else "") + "</STMTTRN>")


def _statement(a: Account, txns: list[Txn], start: dt.date, end: dt.date) -> str:
    rs = "CCSTMTRS" if a.is_card else "STMTRS"
    trn = "CCSTMTTRNRS" if a.is_card else "STMTTRNRS"
    body = (_el("CURDEF", a.currency) + _acct_from(a) + "<BANKTRANLIST>" + _el("DTSTART", _d(start))
            + _el("DTEND", _d(end)) + "".join(_stmttrn(t) for t in txns) + "</BANKTRANLIST>")
    if a.balance is not None and a.balance_date is not None:
        body += f"<LEDGERBAL>{_el('BALAMT', a.balance)}{_el('DTASOF', _d(a.balance_date))}</LEDGERBAL>"
    return f"<{trn}>{_el('TRNUID', a.account_id)}{_status()}<{rs}>{body}</{rs}></{trn}>"


def to_ofx(ledger: Ledger) -> bytes:
    days = [t.booking_date for t in ledger.transactions] + [a.balance_date for a in ledger.accounts if a.balance_date]
    server = max(days) if days else dt.date(1970, 1, 1)
    bank, cards = [], []
    for a in ledger.accounts:
        txns = ledger.of(a.account_id)
        dates = [t.booking_date for t in txns] + [d for d in (a.opening_date, a.balance_date) if d]
        start, end = (min(dates), max(dates)) if dates else (server, server)
        (cards if a.is_card else bank).append(_statement(a, txns, start, end))
    parts = [HEADER, "<OFX><SIGNONMSGSRSV1><SONRS>", _status(), _el("DTSERVER", server.strftime("%Y%m%d000000")),
             _el("LANGUAGE", "FRA"), "</SONRS></SIGNONMSGSRSV1>"]
    if bank:
        parts += ["<BANKMSGSRSV1>", *bank, "</BANKMSGSRSV1>"]
    if cards:
        parts += ["<CREDITCARDMSGSRSV1>", *cards, "</CREDITCARDMSGSRSV1>"]
    parts.append("</OFX>\n")
    return "".join(parts).encode("utf-8")
