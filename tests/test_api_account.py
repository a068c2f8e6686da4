"""Balance, top-up, settings and secrets through the real client against the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import SecretStr

from tui.api.client import VonageClient
from tui.api.errors import (
    ActionFailed,
    AuthError,
    AutoReloadDisabled,
    Forbidden,
    InputError,
    NotFound,
)
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import (
    DEMO_API_KEY,
    DEMO_API_SECRET,
    DEMO_SECRET_ID,
    DEMO_TOP_UP_AMOUNT,
    DEMO_TRX,
    SUBACCOUNT_API_KEY,
    SUBACCOUNT_SECRET_ID,
)
from tui.sandbox.server import RunningSandbox, start_sandbox


def _client(sandbox: RunningSandbox, secret: str = DEMO_API_SECRET, key: str = DEMO_API_KEY) -> VonageClient:
    return VonageClient(key, secret, rest_url=sandbox.url, api_url=sandbox.url, rate_limit=None)


async def test_get_balance(client: VonageClient) -> None:
    balance = await client.get_balance()
    assert balance.value == Decimal("24.5")
    assert isinstance(balance.value, Decimal)
    assert balance.auto_reload is True


async def test_top_up_adds_the_auto_reload_amount(client: VonageClient, sandbox: RunningSandbox) -> None:
    result = await client.top_up(DEMO_TRX)
    assert result.ok and result.response == "success"
    assert (await client.get_balance()).value == Decimal("24.5") + Decimal(str(DEMO_TOP_UP_AMOUNT))


async def test_top_up_unknown_reference_is_action_failed(client: VonageClient) -> None:
    with pytest.raises(ActionFailed) as caught:
        await client.top_up("00X000000Y0000000Z")
    assert "Unknown transaction reference" in caught.value.label


async def test_top_up_without_auto_reload_is_not_a_credentials_problem() -> None:
    with start_sandbox(SandboxConfig(seed=7, auto_reload=False)) as sandbox:
        async with _client(sandbox) as c:
            with pytest.raises(AutoReloadDisabled) as caught:
                await c.top_up(DEMO_TRX)
            assert not isinstance(caught.value, AuthError)
            assert caught.value.status == 401
            assert str(caught.value) == "auto-reload is not enabled on this account; top-up needs auto-reload"
            assert (await c.get_balance()).auto_reload is False  # the credentials do work


async def test_top_up_checks_the_reference_before_sending(client: VonageClient) -> None:
    for bad in ("", "has space", "x" * 101, "semi;colon"):
        with pytest.raises(InputError) as caught:
            await client.top_up(bad)
        assert caught.value.field == "trx"
    assert client.stats.requests == 0


async def test_settings_read_change_and_unset(client: VonageClient, sandbox: RunningSandbox) -> None:
    current = await client.get_settings()
    assert current.mo_callback_url == "https://example.com/webhooks/inbound-sms"
    assert current.max_calls_per_second == 30
    changed = await client.update_settings(mo_callback_url="https://example.com/new-mo")
    assert changed.mo_callback_url == "https://example.com/new-mo"
    assert changed.dr_callback_url == "https://example.com/webhooks/delivery-receipt"  # untouched
    cleared = await client.update_settings(dr_callback_url="")
    assert cleared.dr_callback_url == "" and cleared.mo_callback_url == "https://example.com/new-mo"
    assert sandbox.state.accounts[DEMO_API_KEY].dr_callback_url == ""


async def test_settings_checks_urls_before_sending(client: VonageClient) -> None:
    with pytest.raises(InputError) as caught:
        await client.update_settings(mo_callback_url="example.com/no-scheme")
    assert caught.value.field == "mo_callback_url"
    with pytest.raises(InputError) as caught:
        await client.update_settings(dr_callback_url="javascript:alert(1)")
    assert caught.value.field == "dr_callback_url"
    assert client.stats.requests == 0


# -- secrets -------------------------------------------------------------------------------------


async def test_secret_lifecycle(client: VonageClient, sandbox: RunningSandbox) -> None:
    secrets = await client.list_secrets()
    assert [s.id for s in secrets] == [DEMO_SECRET_ID]
    assert secrets[0].created is not None and secrets[0].created.year == 2018
    created = await client.create_secret("New-Secret-99")
    assert created.id and created.id != DEMO_SECRET_ID
    assert {s.id for s in await client.list_secrets()} == {DEMO_SECRET_ID, created.id}
    assert (await client.get_secret(created.id)).id == created.id
    # the new secret opens the account
    async with _client(sandbox, secret="New-Secret-99") as other:
        assert (await other.get_balance()).value == Decimal("24.5")
    await client.revoke_secret(created.id)
    assert [s.id for s in await client.list_secrets()] == [DEMO_SECRET_ID]
    with pytest.raises(NotFound):
        await client.get_secret(created.id)


async def test_a_third_secret_is_forbidden(client: VonageClient) -> None:
    await client.create_secret(SecretStr("Second-Secret-2"))
    with pytest.raises(Forbidden) as caught:
        await client.create_secret("Third-Secret-3")
    assert caught.value.status == 403
    assert caught.value.message.startswith("an account can have at most two secrets")
    assert "maximum" in caught.value.detail
    assert "Third-Secret-3" not in caught.value.message + caught.value.detail + repr(caught.value)


async def test_the_last_secret_cannot_be_revoked(client: VonageClient) -> None:
    with pytest.raises(Forbidden) as caught:
        await client.revoke_secret(DEMO_SECRET_ID)
    assert caught.value.message.startswith("the last secret cannot be revoked")
    assert "last secret" in caught.value.detail


async def test_new_secret_rules_are_checked_before_sending(client: VonageClient, sandbox: RunningSandbox) -> None:
    before = sandbox.state.request_count
    for bad, rule in (
        ("short1A", "at least 8 characters"),
        ("alllowercase1", "upper-case"),
        ("ALLUPPERCASE1", "lower-case"),
        ("NoDigitsHere", "digit"),
        ("Aa1" + "x" * 30, "at most 25"),
    ):
        with pytest.raises(InputError) as caught:
            await client.create_secret(bad)
        assert caught.value.field == "secret"
        assert rule in caught.value.message
        assert bad not in caught.value.message and bad not in repr(caught.value)
        assert caught.value.__context__ is None and caught.value.__cause__ is None
    assert client.stats.requests == 0 and sandbox.state.request_count == before


async def test_secrets_of_a_subaccount_and_unknown_keys(client: VonageClient) -> None:
    sub = await client.list_secrets(api_key=SUBACCOUNT_API_KEY)
    assert [s.id for s in sub] == [SUBACCOUNT_SECRET_ID]
    assert (await client.get_secret(SUBACCOUNT_SECRET_ID, api_key=SUBACCOUNT_API_KEY)).id == SUBACCOUNT_SECRET_ID
    with pytest.raises(NotFound) as unknown:
        await client.list_secrets(api_key="nobody99")
    assert "nobody99" in unknown.value.message
    with pytest.raises(InputError):
        await client.list_secrets(api_key="../../x")
    with pytest.raises(InputError):
        await client.get_secret("../balance")


async def test_wrong_secret_is_auth_error_on_the_api_host(sandbox: RunningSandbox) -> None:
    async with _client(sandbox, secret="Not-The-Secret-1") as c:
        with pytest.raises(AuthError) as caught:
            await c.list_secrets()
        with pytest.raises(AuthError):
            await c.get_balance()
    assert caught.value.status == 401
