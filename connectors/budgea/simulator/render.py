"""JSON shapes of the simulated Powens API 2.0 (field names from the powens-sdks OpenAPI specs)."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from connectors.budgea.simulator.ledger import SimAccount, SimConnection, SimTxn, SimUser

CURRENCY_EUR = {"id": "EUR", "name": "Euro", "symbol": "€", "precision": 2}
#: states in which Powens lists the connector fields to prompt again
_STATES_WITH_FIELDS = {"wrongpass", "additionalInformationNeeded"}


def fmt_dt(value: dt.datetime | None) -> str | None:
    """Naive Europe/Paris ``YYYY-MM-DD HH:MM:SS`` (no offset), as Powens writes datetimes."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def fmt_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def amount(value: Decimal | None, as_string: bool) -> Any:
    """A JSON number (the API's own form) or, with the ``amounts_as_strings`` knob, a string.
    ``float`` of a two-place Decimal prints back as the same digits (shortest repr)."""
    if value is None:
        return None
    return format(value, "f") if as_string else float(value)


def formatted(value: Decimal) -> str:
    """French display copy: ``-1 234,50 €``."""
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", " ")
    return f"{sign}{groups},{cents} €"


def error_body(code: str, description: str, message: str | None = None) -> dict[str, Any]:
    """Modern error object: ``{code, description, message, request_id}`` (reference/budgea.md §7)."""
    return {"code": code, "description": description, "message": message,
            "request_id": f"sim-{uuid.uuid4().hex[:16]}"}


def user_json(user: SimUser) -> dict[str, Any]:
    return {"id": user.id, "signin": fmt_dt(user.signin), "platform": "sharedAccess"}


def connector_json(connector: dict, with_fields: bool) -> dict[str, Any]:
    out = {k: v for k, v in connector.items() if k != "fields"}
    if with_fields:
        out["fields"] = connector["fields"]
    return out


def connection_json(conn: SimConnection) -> dict[str, Any]:
    state = "validating" if conn.validating_left > 0 else conn.state
    out: dict[str, Any] = {
        "id": conn.id, "id_user": conn.id_user, "id_connector": conn.connector["id"],
        "connector_uuid": conn.connector["uuid"], "id_bank": conn.connector["id"], "state": state,
        "error": state, "error_message": ("Identifiant ou mot de passe incorrect" if state == "wrongpass"
                                          else conn.error_message if state else None),
        "last_update": fmt_dt(conn.last_update), "created": fmt_dt(conn.created), "active": True,
        "last_push": None, "expire": None, "next_try": None,
    }
    if state == "additionalInformationNeeded" and conn.otp_fields:
        out["fields"] = conn.otp_fields
    elif state in _STATES_WITH_FIELDS:
        out["fields"] = [{k: f[k] for k in ("name", "type", "label", "required", "regex")}
                         for f in conn.connector["fields"]]
    return out


def account_json(acc: SimAccount, now: dt.datetime, as_strings: bool) -> dict[str, Any]:
    """A bank account. Disabled accounts show only a few values (name, type): GDPR, reference/budgea.md §5."""
    enabled = acc.disabled is None
    balance = acc.booked_balance() if enabled else None
    coming = acc.coming_sum() if enabled else None
    return {
        "id": acc.id, "id_connection": acc.id_connection, "id_user": acc.id_user, "id_source": acc.id_connection,
        "id_parent": None, "name": acc.name, "original_name": acc.name,
        "number": acc.number if enabled else None, "iban": acc.iban if enabled else None,
        "bic": ("BOUSFRPPXXX" if acc.iban[4:9] == "40618" else "CRLYFRPPXXX")
        if enabled and acc.iban else None,
        "webid": None, "balance": amount(balance, as_strings),
        "coming": amount(coming, as_strings) if coming else None,
        "formatted_balance": formatted(balance) if balance is not None else None,
        "currency": dict(CURRENCY_EUR), "type": acc.type, "id_type": acc.id_type, "usage": "PRIV",
        "display": True, "bookmarked": False, "last_update": fmt_dt(now) if enabled else None,
        "deleted": fmt_dt(acc.deleted), "disabled": fmt_dt(acc.disabled), "loan": None, "error": None,
        "opening_date": fmt_date(acc.created.date()),
    }


def txn_json(t: SimTxn, as_strings: bool) -> dict[str, Any]:
    value = amount(t.value, as_strings)
    return {
        "id": t.id, "id_account": t.id_account, "webid": None, "application_date": fmt_date(t.rdate),
        "date": fmt_date(t.date), "rdate": fmt_date(t.rdate), "vdate": None if t.coming else fmt_date(t.date),
        "bdate": fmt_date(t.date), "datetime": None, "rdatetime": None, "vdatetime": None, "bdatetime": None,
        "value": value, "gross_value": value, "original_value": None, "original_gross_value": None,
        "original_currency": None, "commission": None, "commission_currency": None, "type": t.type,
        "original_wording": t.original_wording, "simplified_wording": t.simplified_wording,
        "stemmed_wording": t.simplified_wording, "wording": t.wording, "coming": t.coming, "active": True,
        "date_scraped": fmt_dt(t.date_scraped), "last_update": fmt_dt(t.last_update), "deleted": fmt_dt(t.deleted),
        "id_category": 9998,
        "categories": [{"code": t.category[0], "parent_code": t.category[1]}] if t.category else [],
        "state": "parsed", "card": None, "country": None, "comment": None, "id_cluster": None,
        "documents_count": 0, "formatted_value": formatted(t.value), "counterparty": None,
    }
