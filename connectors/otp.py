"""One-time codes (SCA) asked of a person during a run: the contract between a connector and whoever
can reach the user.

A connector that meets a bank's request for a code (an SMS code, an app code) and whose protocol lets it
post the code back builds an :class:`OtpRequest` and awaits ``self.otp(request)``:

* the provider returns the code the person entered, or ``None`` when nobody entered one within
  ``request.timeout`` seconds;
* the connector then posts the code **once**. A code the bank refuses (wrong or expired) is never
  posted again and never retried: :class:`OtpRefused`; no code in time: :class:`OtpTimeout`; no provider
  at all (e.g. an unattended run without a Prefect server): :class:`OtpUnavailable`. All three are
  :class:`~connectors.errors.SCARequired`, so the run ends the connection in ``NeedsUser``.

Providers live outside ``connectors/`` (``pipeline/otp_prefect.py`` waits on a Prefect run input per
connection; tests pass a coroutine). A code is a short-lived secret: providers never log or store it.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from connectors.errors import SCARequired

#: seconds a connection waits for a code by default (connection option ``otp_timeout``)
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class OtpRequest:
    """What the bank asks for: shown to the person (never holds a secret)."""

    connection: str
    bank: str
    #: the bank's own words for the field (e.g. "Code reçu par SMS")
    label: str
    #: the bank's field name the code is posted under (e.g. ``sms``)
    field: str
    timeout: float = DEFAULT_TIMEOUT
    #: a regular expression the bank gave for the code, when it gave one
    pattern: str | None = None


OtpProvider = Callable[[OtpRequest], Awaitable[str | None]]


class OtpUnavailable(SCARequired):
    """The bank asks for a code and this run has no way to ask a person."""

    outcome = "sca_required"
    remedy = ("run the sync where a person can answer: with a Prefect server (PREFECT_API_URL set), then "
              "enter the code with `bankflow otp CONNECTION CODE`")


class OtpTimeout(SCARequired):
    """The bank asked for a code and nobody entered one in time. Nothing was posted to the bank."""

    outcome = "otp_timeout"
    remedy = ("run the sync again when you can read the code, then enter it with "
              "`bankflow otp CONNECTION CODE` (the run waits `otp_timeout` seconds)")


class OtpRefused(SCARequired):
    """The bank refused the code (wrong or expired). Never posted again in this run."""

    outcome = "otp_refused"
    remedy = ("run the sync again to receive a new code and enter it promptly with `bankflow otp CONNECTION "
              "CODE`; bankflow did not retry, so the bank sees one attempt")
