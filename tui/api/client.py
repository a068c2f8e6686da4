"""VonageClient: every Vonage operation the app performs, as one async method each.

Why this shape: screens call one method and get a typed model or a typed error (``errors``), never an
httpx object. Input is checked (``validators``/request models) before anything is sent, so a typo
costs no request. The request engine (auth, pacing, retries, error mapping) is in ``core``; Number
Pools are in ``client_pools``.

Usage::

    async with VonageClient(key, secret) as client:
        balance = await client.get_balance()
        async for numbers in client.iter_owned_numbers(on_total=print):
            ...
"""

from __future__ import annotations

import asyncio
import math
from contextlib import aclosing
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import SecretStr

from . import validators
from .client_pools import BATCH_SIZE, PoolsMixin
from .core import Sensitive, ensure_type
from .errors import BadResponse, InputError, NotFound, ShortListing
from .models import (
    AccountSettings,
    AvailableNumbersPage,
    Balance,
    NumberUpdate,
    OwnedNumber,
    OwnedNumbersPage,
    OwnedQuery,
    RequestModel,
    SearchQuery,
    Secret,
    SecretCreate,
    SecretsPage,
    StatusResponse,
    TopUpResult,
)
from .number_config import UPDATE_FIELDS, current_fields, merge_update  # UPDATE_FIELDS: re-exported
from .responses import parse_model
from .retry import ClientEvent, ClientStats, RetryPolicy

Q = TypeVar("Q", bound=RequestModel)

PAGE_SIZE = 100  # the numbers API's maximum page size
MAX_PAGES = 10_000  # a million numbers: beyond that the count is not believable


def _query(model: type[Q], query: Q | None, overrides: dict[str, Any]) -> Q:
    """``query`` with ``overrides`` applied (both validated), or a new query from ``overrides``."""
    if query is None:
        return model(**overrides)
    ensure_type(query, model, "query")
    if not overrides:
        return query
    return model(**{**query.model_dump(exclude_none=True), **overrides})


class VonageClient(PoolsMixin):
    """Async client for the Numbers, Account, Secrets and Number Pools APIs.

    Constructor arguments (keyword-only after the credentials): ``rest_url``/``api_url`` (checked by
    ``hosts.validate_base_url``), ``timeout`` (seconds per connect/read/write, connect capped at 10),
    ``deadline`` (seconds for one whole attempt, connect to last byte; default 30),
    ``max_response_bytes`` (largest answer read; default 4 MB), ``rate_limit`` (requests/s, None =
    unpaced; change it later with ``set_rate_limit``), ``max_retries``, ``on_event`` (ClientEvent
    callback), ``transport`` (an httpx transport, for tests; no proxy is then used), ``retry_policy``
    (overrides max_retries), ``verify`` (TLS verification, e.g. a CA file for a sandbox with its own
    certificate), ``clock``/``sleep`` (what back-off and pacing wait with; tests pass virtual ones).
    """

    # -- numbers ---------------------------------------------------------------------------------

    async def list_owned_numbers(self, query: OwnedQuery | None = None, **filters: Any) -> OwnedNumbersPage:
        """One page of owned numbers; ``filters`` are OwnedQuery fields (and override ``query``'s)."""
        q = _query(OwnedQuery, query, filters)
        _, body = await self._call(
            "GET", "rest", "/account/numbers", family="numbers", op="list_owned_numbers", params=q.to_params()
        )
        return parse_model(OwnedNumbersPage, body, "the list owned numbers request")

    async def iter_owned_numbers(
        self,
        query: OwnedQuery | None = None,
        *,
        concurrency: int = 8,
        on_total: Callable[[int], None] | None = None,
        **filters: Any,
    ) -> AsyncIterator[list[OwnedNumber]]:
        """Yield the owned numbers page by page (100 per page) as the pages arrive, each number once.

        Page 1 is fetched first; its ``count`` is passed to ``on_total(count)`` (call it before the
        first yield, so a progress bar knows its length), then the remaining pages are fetched
        concurrently - at most ``concurrency`` at once, and paced by the client's rate limiter - and
        yielded in completion order, not page order. A page that still fails after retries raises its
        error and cancels the rest. Stopping early (``break``) cancels outstanding requests.

        The count is the server's word and is not allowed to keep us busy: a page that brings no number
        not seen before (empty, or repeating earlier pages) ends the walk - no page after it is started.
        If that leaves fewer numbers than the count, ShortListing ("the server said N numbers but sent
        M", with ``expected``/``received``) is raised once every number that came has been yielded. A
        list that merely shrank while it was read (a short last page) is not an error.
        """
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise InputError("concurrency must be a whole number of at least 1", field="concurrency")
        base = _query(OwnedQuery, query, filters).model_dump(exclude_none=True)
        base.update(size=PAGE_SIZE, index=1)
        first = await self.list_owned_numbers(OwnedQuery(**base))
        if on_total is not None:
            on_total(first.count)
        seen: set[str] = set()

        def fresh(numbers: list[OwnedNumber]) -> list[OwnedNumber]:
            new = []
            for number in numbers:
                if number.msisdn not in seen:
                    seen.add(number.msisdn)
                    new.append(number)
            return new

        numbers = fresh(first.numbers)
        yield numbers
        pages = math.ceil(first.count / PAGE_SIZE)
        if pages > MAX_PAGES:
            raise BadResponse(f"the server reported an implausible number of owned numbers ({first.count})")
        dry = not numbers  # the server ran out of numbers before its count did
        if pages > 1 and not dry:
            async with aclosing(self._owned_pages(base, pages, concurrency, fresh)) as stream:
                async for numbers in stream:  # closed with us: leaving early cancels its requests
                    if not numbers:
                        dry = True
                        continue
                    yield numbers
        if dry and len(seen) < first.count:
            raise ShortListing(first.count, len(seen))

    async def _owned_pages(
        self,
        base: dict[str, Any],
        pages: int,
        concurrency: int,
        fresh: Callable[[list[OwnedNumber]], list[OwnedNumber]],
    ) -> AsyncIterator[list[OwnedNumber]]:
        """Pages 2..``pages``' new numbers; after a page with none (yielded as []) no later page is started."""
        last = pages
        pending = iter(range(2, pages + 1))
        results: asyncio.Queue[list[OwnedNumber] | BaseException | None] = asyncio.Queue()

        async def worker() -> None:
            # Workers pull page numbers, so at most ``concurrency`` requests are ever in flight; each
            # judges its own page before pulling the next, so a dry page stops the others at once.
            nonlocal last
            try:
                for index in pending:
                    if index > last:  # a page before this one ran dry: the rest would too
                        return
                    try:
                        page = await self.list_owned_numbers(OwnedQuery(**{**base, "index": index}))
                    except Exception as error:  # handed to the consumer, which raises it
                        await results.put(error)
                        return
                    new = fresh(page.numbers)
                    if not new:
                        last = min(last, index)
                    await results.put(new)
            finally:
                results.put_nowait(None)  # this worker is finished

        workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, pages - 1))]
        running = len(workers)
        try:
            while running:
                item = await results.get()
                if item is None:
                    running -= 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item
        finally:  # an error, or the caller stopped early: do not leave requests running
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def get_owned_number(self, msisdn: str, country: str | None = None) -> OwnedNumber | None:
        """The owned number with exactly this msisdn, or None (a "starts with" search, then exact match)."""
        number = validators.msisdn(msisdn)
        filters: dict[str, Any] = {"pattern": number, "search_pattern": 0, "size": PAGE_SIZE}
        if country is not None:
            filters["country"] = validators.country(country)
        seen: set[str] = set()
        for index in range(1, MAX_PAGES + 1):
            page = await self.list_owned_numbers(index=index, **filters)
            known = len(seen)
            for candidate in page.numbers:
                if "".join(ch for ch in candidate.msisdn if ch.isdigit()) == number:
                    return candidate
                seen.add(candidate.msisdn)
            if len(seen) == known or index * PAGE_SIZE >= page.count:  # empty, repeated, or last page
                break
        return None

    async def search_numbers(self, query: SearchQuery | None = None, **params: Any) -> AvailableNumbersPage:
        """One page of numbers available to buy; ``params`` are SearchQuery fields (country required)."""
        q = _query(SearchQuery, query, params)
        _, body = await self._call(
            "GET", "rest", "/number/search", family="numbers", op="search_numbers", params=q.to_params()
        )
        return parse_model(AvailableNumbersPage, body, "the search numbers request")

    def _number_form(self, country: str, msisdn: str, target_api_key: str | None) -> dict[str, str]:
        form = {"country": validators.country(country), "msisdn": validators.msisdn(msisdn)}
        if target_api_key is not None:
            form["target_api_key"] = validators.api_key(target_api_key, "target_api_key")
        return form

    async def buy_number(self, country: str, msisdn: str, target_api_key: str | None = None) -> StatusResponse:
        """Buy a number (spends money). A refusal is ActionFailed with the server's reason verbatim.

        Never retried except on 429; a dropped connection raises NetworkError(request_sent=True):
        the purchase may have happened, so the caller should refresh the owned numbers.
        """
        form = self._number_form(country, msisdn, target_api_key)
        _, body = await self._call(
            "POST",
            "rest",
            "/number/buy",
            family="numbers",
            op="buy_number",
            subject=f"number {form['msisdn']}",
            form=form,
        )
        return parse_model(StatusResponse, body, "the buy number request")

    async def cancel_number(self, country: str, msisdn: str, target_api_key: str | None = None) -> StatusResponse:
        """Cancel (stop renting) a number."""
        form = self._number_form(country, msisdn, target_api_key)
        _, body = await self._call(
            "POST",
            "rest",
            "/number/cancel",
            family="numbers",
            op="cancel_number",
            subject=f"number {form['msisdn']}",
            form=form,
        )
        return parse_model(StatusResponse, body, "the cancel number request")

    async def update_number(self, update: NumberUpdate) -> StatusResponse:
        """Send a *complete* configuration: /number/update clears whatever is left out.

        Prefer ``update_number_fields`` unless you already hold the full configuration.
        """
        ensure_type(update, NumberUpdate, "update")
        _, body = await self._call(
            "POST",
            "rest",
            "/number/update",
            family="numbers",
            op="update_number",
            subject=f"number {update.msisdn}",
            form=update.to_form(),
        )
        return parse_model(StatusResponse, body, "the update number request")

    async def update_number_fields(self, msisdn: str, country: str, **changes: Any) -> StatusResponse:
        """Change some settings of a number and keep the rest (read-modify-write).

        ``changes`` are NumberUpdate fields (e.g. ``mo_http_url="https://..."``); ``""`` unsets one, and
        unsetting either half of a callback type/value pair unsets both; callback pairs routed to the old
        application follow a new ``app_id`` (``number_config.follow_application``). The changes are
        checked before the number is read; NotFound if the account does not own it.
        """
        number, country = validators.msisdn(msisdn), validators.country(country)
        if not changes:
            raise InputError("nothing to change", field="changes")
        NumberUpdate.check_changes(country, number, **changes)
        current = await self.get_owned_number(number, country=country)
        if current is None:
            raise NotFound(f"number {number} is not on this account (in {country})", status=404)
        update = merge_update(country, number, current_fields(current), changes)
        return await self.update_number(update)

    # -- account ---------------------------------------------------------------------------------

    async def get_balance(self) -> Balance:
        _, body = await self._call("GET", "rest", "/account/get-balance", family="account", op="get_balance")
        return parse_model(Balance, body, "the get balance request")

    async def top_up(self, trx: str) -> TopUpResult:
        """Repeat an auto-reload payment; AutoReloadDisabled when auto-reload is off for the account."""
        form = {"trx": validators.transaction_ref(trx)}
        _, body = await self._call("POST", "rest", "/account/top-up", family="account", op="top_up", form=form)
        return parse_model(TopUpResult, body, "the top up request")

    async def update_settings(
        self, mo_callback_url: str | None = None, dr_callback_url: str | None = None
    ) -> AccountSettings:
        """Change the account's default webhooks (None = leave, "" = unset); answers the current settings."""
        form: dict[str, str] = {}
        if mo_callback_url is not None:
            form["moCallBackUrl"] = validators.url(mo_callback_url, "mo_callback_url")
        if dr_callback_url is not None:
            form["drCallBackUrl"] = validators.url(dr_callback_url, "dr_callback_url")
        _, body = await self._call(
            "POST", "rest", "/account/settings", family="account", op="update_settings", form=form
        )
        return parse_model(AccountSettings, body, "the update settings request")

    async def get_settings(self) -> AccountSettings:
        """The current settings (the API has no GET: an empty settings POST changes nothing and answers them)."""
        return await self.update_settings()

    # -- subaccounts (outside the specs: only what the app shows) --------------------------------

    async def list_subaccounts(self) -> list[tuple[str, str]]:
        """(api_key, name) of each subaccount ``GET /accounts/{key}/subaccounts`` lists (at most 100).

        The Subaccounts API is outside the specs this layer is built from: only the two fields the app
        shows are read, loosely (an entry without them is skipped), through the one request engine.
        """
        path = f"/accounts/{quote(self.api_key, safe='')}/subaccounts"
        _, body = await self._call("GET", "api", path, family="account", op="list_subaccounts")
        embedded = body.get("_embedded") if isinstance(body, dict) else None
        items = embedded.get("subaccounts") if isinstance(embedded, dict) else None
        pairs: list[tuple[str, str]] = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("api_key"), str) and isinstance(item.get("name"), str):
                pairs.append((item["api_key"], " ".join(item["name"].split())))
        return pairs[:100]

    # -- secrets ---------------------------------------------------------------------------------

    def _secrets_path(self, api_key: str | None, secret_id: str | None = None) -> str:
        key = self.api_key if api_key is None else validators.api_key(api_key)
        path = f"/accounts/{quote(key, safe='')}/secrets"
        return path if secret_id is None else f"{path}/{quote(validators.secret_id(secret_id), safe='')}"

    async def list_secrets(self, api_key: str | None = None) -> list[Secret]:
        """The secrets' ids and creation times (never their values) for this account or a subaccount."""
        _, body = await self._call("GET", "api", self._secrets_path(api_key), family="secrets", op="list_secrets")
        return parse_model(SecretsPage, body, "the list secrets request").secrets

    async def create_secret(self, secret: str | SecretStr, api_key: str | None = None) -> Secret:
        """Add a secret (8-25 chars, lower, upper, digit; at most two per account -> Forbidden)."""
        if not isinstance(secret, SecretStr):
            secret = SecretStr(secret) if isinstance(secret, str) else secret
        request = SecretCreate(secret=secret)
        del secret
        path = self._secrets_path(api_key)
        _, body = await self._call(
            "POST",
            "api",
            path,
            family="secrets",
            op="create_secret",
            json_body=Sensitive(request.to_json()),  # the value stays out of every frame's locals
            expect=(200, 201),
            secrets=(request.secret,),
        )
        return parse_model(Secret, body, "the create secret request")

    async def get_secret(self, secret_id: str, api_key: str | None = None) -> Secret:
        _, body = await self._call(
            "GET",
            "api",
            self._secrets_path(api_key, secret_id),
            family="secrets",
            op="get_secret",
            subject=f"secret {secret_id}",
        )
        return parse_model(Secret, body, "the get secret request")

    async def revoke_secret(self, secret_id: str, api_key: str | None = None) -> None:
        """Revoke a secret (204); Forbidden when it is the last one."""
        await self._call(
            "DELETE",
            "api",
            self._secrets_path(api_key, secret_id),
            family="secrets",
            op="revoke_secret",
            subject=f"secret {secret_id}",
            expect=(200, 204),
            allow_empty=True,
        )


__all__ = ["BATCH_SIZE", "PAGE_SIZE", "UPDATE_FIELDS", "ClientEvent", "ClientStats", "RetryPolicy", "VonageClient"]
