"""A number's configuration and how a change to it is merged (read-modify-write for /number/update).

Why this module: ``/number/update`` *replaces* a number's whole configuration, so every edit reads the
number, overlays the changes and sends it all. The client (``VonageClient.update_number_fields``) and
the Numbers screen's edit dialog both do that; these functions are the one way they do it.

Light on purpose (no pydantic at import time): the Numbers screen imports it while the app starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .number_fields import CALLBACK_PAIRS, UPDATE_FIELDS

if TYPE_CHECKING:
    from .models import OwnedNumber
    from .request_models import NumberUpdate


def current_fields(number: OwnedNumber) -> dict[str, Any]:
    """The settings /number/update replaces, as the server holds them (unset ones left out)."""
    return {name: getattr(number, name) for name in UPDATE_FIELDS if getattr(number, name) is not None}


def follow_application(current: Mapping[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """When the linked application changes, move the callback pairs that pointed at the old one.

    Linking an application routes voice and messages to it (type "app", value = the app id). If only
    ``app_id`` changes, sending the old pairs back would keep routing calls to the old application, so
    pairs of type "app" that pointed at the old id follow the new one ("" unlinks: they are cleared).
    Pairs the caller changed explicitly are left alone.

    ``current`` is the number's settings (``current_fields``); ``changes`` is updated in place and
    returned.
    """
    new_app = changes.get("app_id")
    old_app = current.get("app_id")
    if new_app is None or not isinstance(new_app, str) or not old_app:
        return changes
    for kind, value in CALLBACK_PAIRS:
        if kind in changes or value in changes:
            continue
        if str(current.get(kind, "")).lower() == "app" and current.get(value) == old_app:
            changes[kind] = "app" if new_app else ""
            changes[value] = new_app
    return changes


def merge_update(country: str, msisdn: str, current: Mapping[str, Any], changes: Mapping[str, Any]) -> NumberUpdate:
    """The complete update: ``current`` settings with ``changes`` applied, validated.

    Callback pairs follow a new application (``follow_application``). Check ``changes`` on their own
    first (``NumberUpdate.check_changes``) to refuse bad input before reading the number. Raises
    InputError naming the field.
    """
    from .request_models import NumberUpdate  # deferred: pydantic stays out of start-up

    merged = follow_application(current, dict(changes))
    return NumberUpdate.merged({"country": country, "msisdn": msisdn, **current}, merged)


def apply_update(number: OwnedNumber, update: Any) -> OwnedNumber:
    """``number`` as it is after ``update`` (a NumberUpdate) succeeded ("" = unset = None)."""
    return number.model_copy(update={name: getattr(update, name) or None for name in UPDATE_FIELDS})


__all__ = ["UPDATE_FIELDS", "apply_update", "current_fields", "follow_application", "merge_update"]
