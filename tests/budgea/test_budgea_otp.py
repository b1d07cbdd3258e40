"""One-time codes with the Budgea client over real sockets (connectors/otp.py, simulator/otp.py): a code then
success, a wrong code, an expired code, no code in time, nobody to ask. A code is posted at most once."""
from __future__ import annotations

import pytest

from budgea_helpers import run_client
from connectors.errors import SCARequired
from connectors.otp import OtpRefused, OtpRequest, OtpTimeout, OtpUnavailable


def provider(answer: str | None, asked: list[OtpRequest]):
    async def ask(request: OtpRequest) -> str | None:
        asked.append(request)
        return answer
    return ask


def first_id(sb) -> int:
    return sb.ledger.users[0].connections[0].id


async def test_code_then_success_loads_and_asks_no_more(make_sandbox) -> None:
    sb = await make_sandbox(otp="once")
    asked: list[OtpRequest] = []
    arts = await run_client(sb, 0, otp=provider(sb.otp_code, asked))
    assert [(r.connection, r.field, r.label, r.pattern) for r in asked] == [
        (sb.connections[0].name, "sms", "Code reçu par SMS", "^[0-9]{6}$")]
    assert sb.otp_posts[first_id(sb)] == 1
    assert any(a.meta.resource == "transactions" for a in arts)
    # consent renewed: the next run is not asked again
    again: list[OtpRequest] = []
    await run_client(sb, 0, otp=provider(sb.otp_code, again))
    assert again == [] and sb.otp_posts[first_id(sb)] == 1


async def test_wrong_code_is_refused_once_and_never_retried(make_sandbox) -> None:
    sb = await make_sandbox(otp="always")
    with pytest.raises(OtpRefused) as exc:
        await run_client(sb, 0, otp=provider("000000", []))
    assert exc.value.outcome == "otp_refused" and isinstance(exc.value, SCARequired)
    assert "refused (HTTP 400, code wrongpass" in str(exc.value) and "000000" not in str(exc.value)
    assert "bankflow otp" in exc.value.remedy
    assert sb.otp_posts[first_id(sb)] == 1 and sb.sync_attempts[first_id(sb)] == 1 and sb.otp_sent == 1


async def test_expired_code_is_refused_with_the_bank_text(make_sandbox) -> None:
    sb = await make_sandbox(otp="always", otp_ttl=0)
    with pytest.raises(OtpRefused) as exc:
        await run_client(sb, 0, otp=provider(sb.otp_code, []))
    assert "expiré" in str(exc.value) and "wrong or expired" in str(exc.value)
    assert sb.otp_posts[first_id(sb)] == 1 and sb.sync_attempts[first_id(sb)] == 1


async def test_no_code_in_time_posts_nothing(make_sandbox) -> None:
    sb = await make_sandbox(otp="always")
    asked: list[OtpRequest] = []
    with pytest.raises(OtpTimeout) as exc:
        await run_client(sb, 0, otp=provider(None, asked), options={"otp_timeout": 7})
    assert asked[0].timeout == 7 and "within 7 s" in str(exc.value) and exc.value.outcome == "otp_timeout"
    assert sb.otp_posts[first_id(sb)] == 0


async def test_nobody_to_ask_is_an_sca_stop(make_sandbox) -> None:
    sb = await make_sandbox(otp="always")
    with pytest.raises(OtpUnavailable) as exc:
        await run_client(sb, 0)
    assert exc.value.outcome == "sca_required" and "PREFECT_API_URL" in exc.value.remedy
    assert sb.otp_posts[first_id(sb)] == 0


async def test_other_connections_are_not_asked(make_sandbox) -> None:
    sb = await make_sandbox(otp="always")
    asked: list[OtpRequest] = []
    arts = await run_client(sb, 1, otp=provider(sb.otp_code, asked))
    assert asked == [] and arts and sb.otp_sent == 0
