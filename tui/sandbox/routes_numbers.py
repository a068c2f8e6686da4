"""The Numbers API (numbers-1.1.0.json): list owned, search, buy, cancel, update.

Error rule of this module: a malformed request (missing or invalid parameter) answers 400, a well-formed
request the account's state refuses (already owned, not available, balance too low, not owned) answers 420;
both in the ``error-code``/``error-code-label`` dialect, the label a sentence a user can act on.
"""

from __future__ import annotations

from decimal import Decimal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import inventory
from .auth import endpoint
from .errors import rest_error
from .number_queries import OwnedFilter, SearchFilter, page_body, parse_country, parse_paging
from .params import require, rest_params
from .state import Account, SandboxState
from .validation import VOICE_CALLBACK_TYPES, is_http_url, is_msisdn, is_uuid

SUCCESS = {"error-code": "200", "error-code-label": "success"}

_BASE_FIELDS = ("country", "msisdn", "type", "features", "limitations")


@endpoint("rest")
async def list_owned(request: Request, account: Account, state: SandboxState) -> Response:
    params = await rest_params(request)
    size, index = parse_paging(params)
    wanted = OwnedFilter.from_params(params)
    view = account.owned_view(wanted, wanted.predicate())
    return JSONResponse(page_body(view, size, index, account.owned.__getitem__))


@endpoint("rest")
async def search(request: Request, account: Account, state: SandboxState) -> Response:
    params = await rest_params(request)
    size, index = parse_paging(params)
    wanted = SearchFilter.from_params(params)
    found = sorted(m for m, record in state.available.items() if wanted.matches(record))
    return JSONResponse(page_body(found, size, index, state.available.__getitem__))


async def _number_and_target(request: Request, caller: Account, state: SandboxState) -> tuple[str, str, Account]:
    """(country, msisdn, account acted on) of a buy or cancel; ``target_api_key`` names a subaccount."""
    params = await rest_params(request)
    country = parse_country(params, required=True)
    assert country is not None
    msisdn = require(params, "msisdn")
    if not is_msisdn(msisdn):
        raise rest_error(400, "msisdn must be 7 to 15 digits in E.164 format, without + or spaces")
    target_key = params.get("target_api_key") or caller.api_key
    if not state.may_act_on(caller, target_key):
        raise rest_error(403, f"Account {target_key} is not a subaccount of {caller.api_key}")
    return country, msisdn, state.accounts[target_key]


@endpoint("rest")
async def buy(request: Request, caller: Account, state: SandboxState) -> Response:
    country, msisdn, target = await _number_and_target(request, caller, state)
    if msisdn in target.owned:
        raise rest_error(420, f"You already own the number {msisdn}")
    offer = state.available.get(msisdn)
    if offer is None:
        raise rest_error(420, f"The number {msisdn} is not available to buy")
    if offer["country"] != country:
        raise rest_error(420, f"The number {msisdn} is not available in {country} (it is a {offer['country']} number)")
    price = offer["initialPrice"]
    if Decimal(str(target.balance)) < Decimal(price):
        raise rest_error(
            420,
            f"Insufficient balance: the number costs {price} EUR and the balance is {target.balance:.2f} EUR",
        )
    del state.available[msisdn]
    target.owned[msisdn] = {k: offer[k] for k in _BASE_FIELDS if k in offer}
    target.charge(price)
    state.purchases.append(
        {
            "api_key": target.api_key,
            "country": country,
            "msisdn": msisdn,
            "type": offer["type"],
            "initialPrice": price,
            "cost": offer["cost"],
        }
    )
    return JSONResponse(SUCCESS)


@endpoint("rest")
async def cancel(request: Request, caller: Account, state: SandboxState) -> Response:
    country, msisdn, target = await _number_and_target(request, caller, state)
    record = target.owned.get(msisdn)
    if record is None:
        raise rest_error(420, f"The number {msisdn} is not owned by account {target.api_key}")
    if record["country"] != country:
        raise rest_error(420, f"The number {msisdn} is a {record['country']} number, not {country}")
    del target.owned[msisdn]
    for pool in target.pools.values():
        if msisdn in pool.numbers:
            pool.numbers.remove(msisdn)
    back = inventory.find_range(country, msisdn)
    if back is not None:
        state.available[msisdn] = inventory.available_record(back, msisdn, record["features"])
    else:
        state.available[msisdn] = {
            **{k: record[k] for k in _BASE_FIELDS if k in record},
            "cost": "1.00",
            "initialPrice": "1.00",
        }
    state.cancellations.append({"api_key": target.api_key, "country": country, "msisdn": msisdn})
    return JSONResponse(SUCCESS)


def _pair(params: dict[str, str], type_name: str, value_name: str) -> tuple[str, str] | None:
    """A callback type/value pair: both or neither, else a 400."""
    type_, value = params.get(type_name, ""), params.get(value_name, "")
    if bool(type_) != bool(value):
        raise rest_error(400, f"{type_name} and {value_name} must be used together")
    return (type_, value) if type_ else None


def _checked_update(params: dict[str, str]) -> dict[str, str]:
    """The configuration a ``/number/update`` request asks for, validated; empty values are left out."""
    config: dict[str, str] = {}
    app_id = params.get("app_id", "")
    if app_id:
        if not is_uuid(app_id):
            raise rest_error(400, "app_id must be an application id (a UUID)")
        config["app_id"] = app_id
    for url_field in ("moHttpUrl", "voiceStatusCallback"):
        url = params.get(url_field, "")
        if url:
            if not is_http_url(url):
                raise rest_error(400, f"{url_field} must be an absolute http(s) URL")
            config[url_field] = url
    if params.get("moSmppSysType"):
        config["moSmppSysType"] = params["moSmppSysType"]
    voice = _pair(params, "voiceCallbackType", "voiceCallbackValue")
    if voice:
        kind, value = voice
        if kind not in VOICE_CALLBACK_TYPES:
            raise rest_error(400, f"voiceCallbackType must be one of: {', '.join(VOICE_CALLBACK_TYPES)}")
        if kind == "tel" and not is_msisdn(value):
            raise rest_error(400, "voiceCallbackValue must be a telephone number in E.164 format for type tel")
        if kind == "sip" and not value.lower().startswith(("sip:", "sips:")):
            raise rest_error(400, "voiceCallbackValue must be a SIP URI (sip:...) for type sip")
        if kind == "app" and not is_uuid(value):
            raise rest_error(400, "voiceCallbackValue must be an application id for type app")
        config["voiceCallbackType"], config["voiceCallbackValue"] = kind, value
    messages = _pair(params, "messagesCallbackType", "messagesCallbackValue")
    if messages:
        kind, value = messages
        if kind != "app":
            raise rest_error(400, "messagesCallbackType must be app")
        if not is_uuid(value):
            raise rest_error(400, "messagesCallbackValue must be an application id")
        config["messagesCallbackType"], config["messagesCallbackValue"] = kind, value
    if app_id:
        # Linking an application routes both channels to it unless sip/tel/messages were given explicitly.
        config.setdefault("messagesCallbackType", "app")
        config.setdefault("messagesCallbackValue", app_id)
        config.setdefault("voiceCallbackType", "app")
        config.setdefault("voiceCallbackValue", app_id)
    return config


@endpoint("rest")
async def update(request: Request, caller: Account, state: SandboxState) -> Response:
    """Replaces the number's configuration: every field the request leaves out is cleared."""
    params = await rest_params(request)
    country = parse_country(params, required=True)
    msisdn = require(params, "msisdn")
    config = _checked_update(params)
    record = caller.owned.get(msisdn)
    if record is None:
        raise rest_error(420, f"The number {msisdn} is not owned by account {caller.api_key}")
    if record["country"] != country:
        raise rest_error(420, f"The number {msisdn} is a {record['country']} number, not {country}")
    caller.owned[msisdn] = {**{k: record[k] for k in _BASE_FIELDS if k in record}, **config}
    return JSONResponse(SUCCESS)


routes = [
    Route("/account/numbers", list_owned, methods=["GET"]),
    Route("/number/search", search, methods=["GET"]),
    Route("/number/buy", buy, methods=["POST"]),
    Route("/number/cancel", cancel, methods=["POST"]),
    Route("/number/update", update, methods=["POST"]),
]
