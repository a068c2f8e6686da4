"""tui.api.number_config: the one read-modify-write merge the client and the edit dialog share."""

from __future__ import annotations

import pytest

from tui.api.errors import InputError
from tui.api.models import OwnedNumber
from tui.api.number_config import UPDATE_FIELDS, apply_update, current_fields, follow_application, merge_update
from tui.api.request_models import NumberUpdate

OLD_APP = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
NEW_APP = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"


def linked_number() -> OwnedNumber:
    return OwnedNumber.model_validate({
        "msisdn": "447700900001", "country": "GB", "type": "mobile-lvn", "features": ["SMS", "VOICE"],
        "app_id": OLD_APP, "voiceCallbackType": "app", "voiceCallbackValue": OLD_APP,
        "moHttpUrl": "https://example.com/inbound",
    })  # fmt: skip


def test_update_fields_are_the_settings_number_update_sends() -> None:
    assert set(UPDATE_FIELDS) == set(NumberUpdate.model_fields) - {"country", "msisdn"}


def test_current_fields_leave_unset_ones_out() -> None:
    assert current_fields(linked_number()) == {
        "app_id": OLD_APP,
        "voice_callback_type": "app",
        "voice_callback_value": OLD_APP,
        "mo_http_url": "https://example.com/inbound",
    }


def test_pairs_routed_to_the_old_application_follow_the_new_one() -> None:
    current = current_fields(linked_number())
    assert follow_application(current, {"app_id": NEW_APP}) == {
        "app_id": NEW_APP, "voice_callback_type": "app", "voice_callback_value": NEW_APP,
    }  # fmt: skip
    assert follow_application(current, {"app_id": ""}) == {
        "app_id": "", "voice_callback_type": "", "voice_callback_value": "",
    }  # fmt: skip


def test_pairs_changed_explicitly_or_routed_elsewhere_stay() -> None:
    current = current_fields(linked_number())
    explicit = {"app_id": NEW_APP, "voice_callback_type": "tel", "voice_callback_value": "447700900999"}
    assert follow_application(current, dict(explicit)) == explicit
    elsewhere = {**current, "voice_callback_type": "tel", "voice_callback_value": "447700900999"}
    assert follow_application(elsewhere, {"app_id": NEW_APP}) == {"app_id": NEW_APP}
    assert follow_application(current, {"mo_http_url": ""}) == {"mo_http_url": ""}  # no app change


def test_merge_update_keeps_the_rest_and_apply_update_shows_the_result() -> None:
    number = linked_number()
    update = merge_update(number.country, number.msisdn, current_fields(number), {"app_id": NEW_APP})
    assert isinstance(update, NumberUpdate)
    assert (update.app_id, update.voice_callback_value, update.mo_http_url) == (
        NEW_APP, NEW_APP, "https://example.com/inbound",
    )  # fmt: skip
    after = apply_update(number, update)
    assert (after.app_id, after.voice_callback_type, after.voice_callback_value) == (NEW_APP, "app", NEW_APP)
    assert after.mo_smpp_sys_type is None


def test_merge_update_refuses_bad_input_naming_the_field() -> None:
    number = linked_number()
    with pytest.raises(InputError) as info:
        merge_update(number.country, number.msisdn, current_fields(number), {"mo_http_url": "ftp://x"})
    assert info.value.field == "mo_http_url"
