"""A recognisable secret goes through every flow; afterwards it is nowhere it should not be.

"Leak-Canary-7QZ" is registered as a second secret of the sandbox's demo account and then used as *the*
API secret: by the raw client (successes, a 401, 429s, 5xx, a dropped connection, a lost purchase answer,
a refused new secret) and by the app (login form, every main screen, journaled writes, a crash inside a
worker). Logging is at DEBUG for root, httpx, httpcore, uvicorn and tui, into a file. Then every produced
file and string (debug log, tracebacks formatted with their frames' locals — both the standard library's
and Rich's, which Textual's crash screen uses — screenshots, config, journal, cache, notifications,
clipboard, captured stdout/stderr) is searched for the secret in plain, base64 (alone and as
``key:secret`` the way Basic auth carries it, at every byte alignment), URL-encoded and JSON-escaped form.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from pydantic import SecretStr
from rich.console import Console
from rich.traceback import Traceback

from tui.api.client import VonageClient
from tui.api.errors import (
    AuthError,
    Forbidden,
    NetworkError,
    RateLimited,
    ServerError,
    VonageError,
)
from tui.api.retry import RetryPolicy
from tui.journal import Journal
from tui.operations import Operations
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET, SUBACCOUNT_API_KEY
from tui.sandbox.server import RunningSandbox

CANARY = "Leak-Canary-7QZ"  # the account's secret for every flow below
REFUSED = "Leak+Canary/8QZ&"  # a new secret the account refuses (it already has two): travels in a JSON body
FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02)
LOGGERS = ["", "httpx", "httpcore", "uvicorn", "uvicorn.error", "uvicorn.access", "tui", "asyncio", "h11"]


# -- what a leak looks like -------------------------------------------------------------------------


def _b64_cores(data: bytes) -> set[str]:
    """Base64 of ``data`` embedded anywhere: for each byte alignment, the characters that depend only on it."""
    cores = set()
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * shift + data).decode()
            cores.add(text[4 if shift else 0 : -4])
    return cores


def leak_forms(secret: str) -> dict[str, str]:
    forms = {
        "plain": secret,
        "url-encoded": quote(secret, safe=""),
        "url-encoded (path)": quote(secret),
        "url-encoded (form)": quote_plus(secret),
        "json-escaped": json.dumps(secret)[1:-1],
    }
    for key in (DEMO_API_KEY, SUBACCOUNT_API_KEY):
        basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
        forms[f"basic auth {key}"] = basic
        forms[f"basic auth {key}, urlsafe"] = basic.replace("+", "-").replace("/", "_")
    forms["base64"] = base64.b64encode(secret.encode()).decode()
    for i, core in enumerate(sorted(_b64_cores(secret.encode()))):
        forms[f"base64 in a blob #{i}"] = core
    return forms


FORMS = {f"{name} of {secret!r}": form for secret in (CANARY, REFUSED) for name, form in leak_forms(secret).items()}


def leaks(text: str) -> list[str]:
    return [name for name, form in FORMS.items() if form and form in text]


def test_the_leak_detector_detects() -> None:
    """The search itself works: each form is found when present, and none in innocent text."""
    assert leaks(f"x{CANARY}y") and leaks(quote(REFUSED)) and leaks(json.dumps({"s": REFUSED}))
    header = "Authorization: Basic " + base64.b64encode(f"{DEMO_API_KEY}:{CANARY}".encode()).decode()
    assert leaks(header) and leaks(base64.b64encode(b"prefix-" + CANARY.encode() + b"-suffix").decode())
    assert leaks(f"{SecretStr(CANARY)!r} {DEMO_API_SECRET} Leak-Canary") == []


# -- capture everything -----------------------------------------------------------------------------


@pytest.fixture
def debug_log(tmp_path: Path) -> Iterator[Path]:
    """DEBUG logging of root, httpx, httpcore, uvicorn and tui into a file under tmp_path."""
    path = tmp_path / "logs" / "debug.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    saved = {name: logging.getLogger(name).level for name in LOGGERS}
    logging.getLogger().addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def formatted(error: BaseException) -> dict[str, str]:
    """Every way an error is shown: str/repr/vars, and its traceback with the locals of every frame."""
    rich_default = io.StringIO()  # as Textual's crash screen: show_locals=True, its default string limit
    Console(file=rich_default, width=200, color_system=None).print(
        Traceback.from_exception(type(error), error, error.__traceback__, show_locals=True, locals_max_length=5)
    )
    rich_long = io.StringIO()  # and with no truncation, so a long local cannot hide a secret past the cut
    Console(file=rich_long, width=400, color_system=None).print(
        Traceback.from_exception(
            type(error), error, error.__traceback__, show_locals=True, locals_max_string=10_000,
            locals_max_length=1_000,
        )
    )
    stdlib = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    extra = repr(vars(error)) if hasattr(error, "__dict__") else ""
    return {
        "str/repr": f"{error}\n{error!r}\n{error.args!r}\n{extra}",
        "traceback capture_locals": stdlib,
        "rich show_locals": rich_default.getvalue(),
        "rich show_locals, untruncated": rich_long.getvalue(),
    }


async def _crash_with_client_in_scope(client: VonageClient, ops: Operations, secret: SecretStr) -> None:
    """A bug of ours with the client, the operations and the secret (as SecretStr) in local variables."""
    balance = await client.get_balance()
    headers = dict(client._http.headers)
    auth = client._http.auth
    raise RuntimeError(f"forced crash after reading the balance {balance.value} ({len(headers)} headers, {auth!r})")


# -- the client's flows ------------------------------------------------------------------------------


async def _client_flows(sandbox: RunningSandbox, tmp_path: Path) -> tuple[list[BaseException], dict]:
    state = sandbox.state
    errors: list[BaseException] = []
    seen: dict = {}

    async def expect(kind: type[VonageError], call) -> None:  # type: ignore[no-untyped-def]
        with pytest.raises(kind) as caught:
            await call()
        errors.append(caught.value)

    # Register the canary as the account's second secret (the demo credentials create it).
    async with VonageClient(DEMO_API_KEY, DEMO_API_SECRET, rest_url=sandbox.url, api_url=sandbox.url,
                            rate_limit=None) as setup:
        seen["canary secret"] = repr(await setup.create_secret(CANARY))

    async with VonageClient(DEMO_API_KEY, SecretStr(CANARY), rest_url=sandbox.url, api_url=sandbox.url,
                            rate_limit=None, retry_policy=FAST) as c:
        ops = Operations(lambda: c, Journal(tmp_path / "client-journal" / "journal.jsonl"), "leak")
        await c.get_balance()
        owned = [n async for page in c.iter_owned_numbers() for n in page]
        await c.list_secrets()
        offers = (await c.search_numbers(country="GB")).numbers
        await c.update_number_fields(owned[0].msisdn, owned[0].country, mo_http_url="https://example.com/mo")
        # 429s until the retries run out, 5xx on a read and on a write, a dropped connection
        state.config.fault_429 = 1.0
        await expect(RateLimited, c.get_balance)
        await expect(RateLimited, lambda: c.buy_number("GB", offers[0].msisdn))  # a write refused with 429
        state.config.fault_429 = 0.0
        state.config.fault_5xx = 1.0
        await expect(ServerError, c.list_secrets)
        await expect(ServerError, lambda: c.cancel_number(owned[-1].country, owned[-1].msisdn))
        unknown = await ops.cancel(owned[-1].country, owned[-1].msisdn)  # ambiguous, and the check fails too
        assert unknown.unknown is True
        seen["5xx through operations"] = repr(unknown)
        state.config.fault_5xx = 0.0
        state.config.fault_drop = 1.0
        await expect(NetworkError, c.get_balance)
        state.config.fault_drop = 0.0
        # a purchase whose answer is lost, reconciled through the journal
        state.drop_next_response_after_commit("/number/buy")
        seen["lost buy"] = repr(await ops.buy("GB", offers[1].msisdn, price=offers[1].initial_price))
        # a third secret is refused: the new secret's value travels in the request body
        await expect(Forbidden, lambda: c.create_secret(REFUSED))
        outcome = await ops.create_secret(REFUSED)
        assert outcome.ok is False and isinstance(outcome.error, Forbidden)
        errors.append(outcome.error)
        seen["refused secret outcome"] = repr(outcome)
        # a bug of ours, with everything in scope
        try:
            await _crash_with_client_in_scope(c, ops, SecretStr(CANARY))
        except RuntimeError as crash:
            errors.append(crash)
        seen["client"] = repr(c) + repr(vars(c)) + repr(c.stats) + repr(c._auth) + repr(ops.__dict__)

    # 401: the canary sent with the wrong key (REST and API hosts answer in different dialects)
    async with VonageClient(SUBACCOUNT_API_KEY, SecretStr(CANARY), rest_url=sandbox.url, api_url=sandbox.url,
                            rate_limit=None, retry_policy=FAST) as wrong:
        await expect(AuthError, wrong.get_balance)
        await expect(AuthError, wrong.list_secrets)
    assert {type(e) for e in errors} >= {RateLimited, ServerError, NetworkError, Forbidden, AuthError, RuntimeError}
    return errors, seen


# -- the app's flows ---------------------------------------------------------------------------------


async def _app_flows(sandbox: RunningSandbox, make_app, tmp_path: Path, capfd) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from tui.app import VonageApp, screen_classes
    from tui.launch import LaunchOptions

    shots = tmp_path / "screenshots"
    shots.mkdir()
    seen: dict[str, str] = {}

    # A first run: the login form (the secret typed in it), saved to the (in-memory) keyring, a config file,
    # the default journal and the cache; then every main screen.
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        screen.query_one("#login-key").value = DEMO_API_KEY
        screen.query_one("#login-secret").value = CANARY
        screen.query_one("#login-secret").focus()
        await pilot.pause()
        app.save_screenshot(filename="login.svg", path=str(shots))
        await pilot.press("ctrl+s")
        await pilot.pause()
        await screen.workers.wait_for_complete()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.session.service.connected and app.profile_label.endswith(DEMO_API_KEY)
        for index, name in enumerate(screen_classes(), start=1):
            await pilot.press(str(index))
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.save_screenshot(filename=f"{name}.svg", path=str(shots))
            seen[f"screen {name}"] = str(app.screen.tree) if hasattr(app.screen, "tree") else ""
        await pilot.press("question_mark")
        await pilot.pause()
        app.save_screenshot(filename="help.svg", path=str(shots))
        await pilot.press("escape")
        # journaled writes, a lost answer, a refused secret, and a failing request shown as a notification
        offer = (await app.session.client.search_numbers(country="GB")).numbers[0]
        sandbox.state.drop_next_response_after_commit("/number/buy")
        seen["app buy"] = repr(await app.session.ops.buy("GB", offer.msisdn, price=offer.initial_price))
        seen["app refused secret"] = repr(await app.session.ops.create_secret(REFUSED))
        app.session.client.retry_policy = FAST
        sandbox.state.config.fault_5xx = 1.0
        app.refresh_balance()
        await app.workers.wait_for_complete()
        sandbox.state.config.fault_5xx = 0.0
        await pilot.pause()
        app.save_screenshot(filename="after-errors.svg", path=str(shots))
        seen["notifications"] = "\n".join(f"{n.title}: {n.message}" for n in app._notifications)
        seen["clipboard"] = app.clipboard
        seen["app state"] = repr(vars(app.session.service)) + repr(app.session) + repr(app.options) + repr(app.session.current_secret())
        assert app.clipboard == ""  # nothing asked to copy

    # The app crashes inside a worker (exit_on_error): our handler writes a report without locals.
    crashing = make_app(api_secret=SecretStr(CANARY), journal_path=str(tmp_path / "crash" / "journal.jsonl"))

    async def crash_in_worker() -> None:
        client = crashing.session.client
        secret = crashing.session.current_secret()
        options = crashing.options
        await client.get_balance()
        raise RuntimeError(f"forced crash in a worker ({type(secret).__name__}, {options.demo})")

    with pytest.raises(Exception) as caught:
        async with crashing.run_test(size=(120, 36)) as pilot:
            await crashing.workers.wait_for_complete()
            await pilot.pause()
            crashing.save_screenshot(filename="demo-with-canary.svg", path=str(shots))
            crashing.run_worker(crash_in_worker(), exit_on_error=True)
            await pilot.pause()
            await pilot.pause()
    out, err = capfd.readouterr()  # the one sentence printed on the way out
    seen["crash message"] = err + out
    assert "stopped after an unexpected error (RuntimeError)" in seen["crash message"]
    assert crashing.return_code == 1
    reports = list(tmp_path.rglob("crash-*.txt"))
    assert len(reports) == 1 and "forced crash in a worker" in reports[0].read_text()
    assert "locals" not in reports[0].read_text()  # no frame's variables in the report
    for name, text in formatted(caught.value).items():
        seen[f"app crash: {name}"] = text
    return seen


# -- the test ----------------------------------------------------------------------------------------


async def test_the_secret_is_nowhere(
    sandbox: RunningSandbox, make_app, tmp_path: Path, debug_log: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    errors, client_seen = await _client_flows(sandbox, tmp_path)
    app_seen = await _app_flows(sandbox, make_app, tmp_path, capfd)

    texts: dict[str, str] = {}
    for error in errors:
        for how, text in formatted(error).items():
            texts[f"{type(error).__name__} {how}"] = text
    texts.update({f"client: {k}": v for k, v in client_seen.items()})
    texts.update({f"app: {k}": v for k, v in app_seen.items()})
    out, err = capfd.readouterr()
    texts["stdout"], texts["stderr"] = out, err

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    for path in files:
        texts[f"file {path.relative_to(tmp_path)}"] = path.read_bytes().decode("utf-8", errors="replace")

    # The flows really produced what we search.
    names = {str(p.relative_to(tmp_path)) for p in files}
    assert "logs/debug.log" in names
    assert {f"screenshots/{n}.svg" for n in ("login", "numbers", "search", "account", "secrets", "pools")} <= names
    assert any(n.endswith("config.toml") for n in names), names
    assert any(n.endswith("journal.jsonl") for n in names), names
    log = texts["file logs/debug.log"]
    for evidence in ("HTTP Request", "send_request_headers.started", "receive_response_headers.complete", "401"):
        assert evidence in log, evidence  # httpx and httpcore really logged at DEBUG
    assert "Bought" in texts["app: app buy"] and "Bought" in texts["client: lost buy"]
    assert texts["client: canary secret"]  # the canary was registered on the account

    found = {where: leaks(text) for where, text in texts.items()}
    found = {where: forms for where, forms in found.items() if forms}
    assert found == {}, found


def test_basic_auth_header_is_masked_by_httpx_reprs() -> None:
    """The one place the credentials exist on a request: its headers, which httpx masks in reprs."""
    import httpx

    from tui.api.core import Sensitive, _SecretBasicAuth

    auth = _SecretBasicAuth(DEMO_API_KEY, SecretStr(CANARY))
    request = httpx.Request("GET", "https://rest.nexmo.com/account/get-balance")
    flow = auth.auth_flow(request)
    sent = next(flow)
    assert sent.headers["authorization"].startswith("Basic ")
    shown = repr(sent.headers) + repr(sent) + repr(auth) + repr(Sensitive({"secret": CANARY}))
    assert leaks(shown) == []
