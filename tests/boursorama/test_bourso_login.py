"""Login outcomes against the simulator over real sockets: one POST per attempt, typed errors, no secret."""
from __future__ import annotations

import json

import pytest

from connectors.boursorama import SPEC
from connectors.errors import ActionNeeded, AuthError, ProtocolChanged, SCARequired, TransientError

from .helpers import run_client


@pytest.fixture
async def sandbox_factory():
    made = []

    async def make(**knobs):
        sb = await SPEC.start_sandbox(seed=11, months=2, **knobs)
        made.append(sb)
        return sb
    yield make
    for sb in made:
        await sb.close()


def _no_secret(sb, exc=None, arts=()):
    for value in sb.connections[0].secrets.values():
        assert exc is None or (value not in str(exc) and value not in exc.describe())
        for art in arts:
            assert value not in json.dumps(art.meta.to_json())


async def test_wrong_password_sends_exactly_one_login_post(sandbox_factory):
    sb = await sandbox_factory(wrong_password=True)
    arts, exc = await run_client(sb)
    assert isinstance(exc, AuthError) and not exc.retryable
    assert arts == [] and sb.login_posts() == 1
    assert "rejected" in str(exc)
    _no_secret(sb, exc)


async def test_login_post_carries_every_field_and_cookies(sandbox_factory):
    sb = await sandbox_factory()
    arts, exc = await run_client(sb)
    assert exc is None and arts
    assert sb.login_posts() == 1
    methods = [(m, p) for m, p in sb.state.requests][:4]
    assert methods == [("GET", "/connexion/"), ("GET", "/connexion/"), ("GET", "/connexion/clavier-virtuel"),
                       ("POST", "/connexion/saisie-mot-de-passe")]  # the __brs_mit dance, keypad, one POST
    _no_secret(sb, None, arts)


async def test_sca_required(sandbox_factory):
    sb = await sandbox_factory(sca=True)
    arts, exc = await run_client(sb)
    assert isinstance(exc, SCARequired) and "BoursoBank app" in exc.remedy
    assert sb.login_posts() == 1 and arts == []


async def test_maintenance_is_transient(sandbox_factory):
    sb = await sandbox_factory(maintenance=True)
    _, exc = await run_client(sb)
    assert isinstance(exc, TransientError) and exc.retryable and "Maintenance" in str(exc)
    assert sb.login_posts() == 1  # the connector itself never retries a login


async def test_blocked_account_needs_action(sandbox_factory):
    sb = await sandbox_factory(blocked=True)
    _, exc = await run_client(sb)
    assert type(exc) is ActionNeeded and "blocked" in str(exc)
    assert sb.login_posts() == 1


async def test_unknown_keypad_glyphs_stop_before_posting(sandbox_factory):
    sb = await sandbox_factory(keypad_glyph_set="unknown")
    _, exc = await run_client(sb)
    assert isinstance(exc, ProtocolChanged) and "keypad changed" in str(exc)
    assert sb.login_posts() == 0
