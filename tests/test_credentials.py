"""Credentials: keyring entries per profile, timeouts, headless detection, encrypted and plain files, env override.

Never the real keyring: every test that touches the system backend installs a test backend first.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import threading
import time
from pathlib import Path

import keyring
import keyring.errors
import pytest
from fixtures_keyring import (  # noqa: F401 - fixtures
    IsolatedDirs,
    failing_keyring,
    hanging_keyring,
    headless_keyring,
    isolated_dirs,
    memory_keyring,
)
from keyring.backends import chainer, null
from memory_keyring import FailingKeyring, HangingKeyring, MemoryKeyring, PromptingFileKeyring
from pydantic import SecretStr

from tui.config import Profile
from tui.credentials import encrypted, runner
from tui.credentials import (
    HEADLESS_REASON,
    SERVICE,
    CredentialError,
    CredentialFileError,
    Credentials,
    CredentialsLocked,
    KeyringTimeout,
    KeyringUnavailable,
    MasterPasswordRequired,
    PlaintextNotAllowed,
    SecretStorage,
    WrongMasterPassword,
    env_credentials,
    keyring_status,
    resolve_credentials,
)
from tui.fsutil import InsecurePermissions

SECRET = "Xy7pQ2rsT9wz"
OTHER_SECRET = "Ab3dEf6hIj9k"
MASTER = "correct horse battery"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def assert_no_leak(exc: BaseException, *values: str) -> None:
    for text in (str(exc), repr(exc), repr(exc.args)):
        for value in values:
            assert value not in text
    assert exc.__cause__ is None and exc.__context__ is None


@pytest.fixture
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encrypted, "SCRYPT_N", 2**14)


# -- system keyring (memory backend) ---------------------------------------------------------------------------


def test_round_trip_one_entry_per_profile(memory_keyring: MemoryKeyring) -> None:
    store = SecretStorage()
    assert store.get_secret("work") is None
    store.set_secret("work", SECRET)
    store.set_secret(Profile(name="home", api_key="abcd1234"), SecretStr(OTHER_SECRET))
    assert memory_keyring.passwords == {(SERVICE, "work"): SECRET, (SERVICE, "home"): OTHER_SECRET}
    got = store.get_secret("work")
    assert isinstance(got, SecretStr) and got.get_secret_value() == SECRET
    assert store.delete_secret("work") is True
    assert store.delete_secret("work") is False
    assert store.get_secret("work") is None
    assert "MemoryKeyring" in store.backend_name
    assert store.backend == "system" and store.warning is None and store.path is None


def test_secret_is_trimmed_and_checked(memory_keyring: MemoryKeyring) -> None:
    store = SecretStorage()
    store.set_secret("work", f"  {SECRET}\n")
    assert memory_keyring.passwords[(SERVICE, "work")] == SECRET
    for bad in ("", "   ", f"{SECRET}\n{SECRET}", "x" * 300):
        with pytest.raises(CredentialError) as info:
            store.set_secret("work", bad)
        assert SECRET not in str(info.value)


def test_profile_name_is_checked(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError):
        SecretStorage().get_secret("")


def test_rename(memory_keyring: MemoryKeyring) -> None:
    store = SecretStorage()
    assert store.rename("work", "office") is False
    store.set_secret("work", SECRET)
    assert store.rename("work", "office") is True
    assert store.get_secret("work") is None
    assert store.get_secret("office").get_secret_value() == SECRET  # type: ignore[union-attr]
    store.set_secret("work", OTHER_SECRET)
    with pytest.raises(CredentialError, match="already has a stored secret") as info:
        store.rename("work", "office")
    assert_no_leak(info.value, SECRET, OTHER_SECRET)
    assert store.rename("work", "office", overwrite=True) is True
    assert store.get_secret("office").get_secret_value() == OTHER_SECRET  # type: ignore[union-attr]


def test_for_profile_uses_the_profile_backend(isolated_dirs: IsolatedDirs) -> None:
    profile = Profile(name="work", api_key="abcd1234", keyring_backend="encrypted-file")
    store = SecretStorage.for_profile(profile, master_password=MASTER)
    assert store.backend == "encrypted-file"
    assert store.path == isolated_dirs.config / "credentials.enc"


# -- timeouts ---------------------------------------------------------------------------------------------------


def test_hanging_keyring_times_out_fast(hanging_keyring: HangingKeyring) -> None:
    store = SecretStorage(timeout=0.2)
    started = time.monotonic()
    with pytest.raises(KeyringTimeout) as info:
        store.set_secret("work", SECRET)
    assert time.monotonic() - started < 2.0
    assert hanging_keyring.entered.is_set()
    assert "did not answer within 0.2 s" in str(info.value)
    assert "unlock prompt" in str(info.value)
    assert_no_leak(info.value, SECRET)
    with pytest.raises(KeyringTimeout):
        store.get_secret("work")


def drain_pending_threads() -> None:
    """Wait for worker threads that earlier tests' released HangingKeyrings are still unwinding."""
    for thread in list(runner.pending):
        thread.join(2)


def test_hung_calls_are_capped(hanging_keyring: HangingKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    drain_pending_threads()
    monkeypatch.setattr(runner, "MAX_PENDING", 2)
    store = SecretStorage(timeout=0.05)
    for _ in range(2):
        with pytest.raises(KeyringTimeout, match="did not answer"):
            store.get_secret("work")
    started = time.monotonic()
    with pytest.raises(KeyringTimeout, match="still busy"):
        store.get_secret("work")
    assert time.monotonic() - started < 0.05  # refused at once, no new thread
    hanging_keyring.release.set()
    drain_pending_threads()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    assert store.get_secret("work") is None  # usable again once the prompt was answered


def test_status_detection_has_a_timeout(monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    gate = threading.Event()

    def slow_get_keyring() -> keyring.backend.KeyringBackend:
        gate.wait(5)
        return memory_keyring

    monkeypatch.setattr(keyring, "get_keyring", slow_get_keyring)
    try:
        status = keyring_status(timeout=0.1)
    finally:
        gate.set()
    assert status.usable is False
    assert "did not answer" in status.reason


# -- headless detection ------------------------------------------------------------------------------------------


def test_headless_fail_backend(headless_keyring: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    status = keyring_status()
    assert status.usable is False
    assert status.reason == HEADLESS_REASON
    assert "no D-Bus Secret Service" in status.reason
    assert "VONAGE_API_KEY/VONAGE_API_SECRET" in status.reason
    assert "encrypted file" in status.reason
    with pytest.raises(KeyringUnavailable) as info:
        SecretStorage().set_secret("work", SECRET)
    assert str(info.value) == HEADLESS_REASON
    assert_no_leak(info.value, SECRET)


def test_usable_backend_status(memory_keyring: MemoryKeyring) -> None:
    status = keyring_status()
    assert status.usable is True
    assert "MemoryKeyring" in status.backend_name
    assert status.reason == ""


def test_empty_chainer_is_headless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    keyring.set_keyring(chainer.ChainerBackend())
    status = keyring_status()
    assert (status.usable, status.reason) == (False, HEADLESS_REASON)


def test_file_keyring_that_prompts_is_not_a_system_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PromptingFileKeyring()])
    keyring.set_keyring(chainer.ChainerBackend())
    assert keyring_status().usable is False
    with pytest.raises(KeyringUnavailable):
        SecretStorage().get_secret("work")

    memory = MemoryKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PromptingFileKeyring(), memory])
    store = SecretStorage()
    store.set_secret("work", SECRET)  # goes to the usable member; the prompting one is never called
    assert store.get_secret("work").get_secret_value() == SECRET  # type: ignore[union-attr]
    assert memory.passwords == {(SERVICE, "work"): SECRET}


def test_null_backend_says_keyring_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    keyring.set_keyring(null.Keyring())
    status = keyring_status()
    assert status.usable is False and "turned off" in status.reason


# -- failing backends never leak -----------------------------------------------------------------------------------


def test_backend_errors_never_contain_the_secret(failing_keyring: FailingKeyring) -> None:
    store = SecretStorage()
    with pytest.raises(CredentialError) as info:
        store.set_secret("work", SECRET)
    assert "Could not store the secret of profile 'work'" in str(info.value)
    assert "KeyringError" in str(info.value)
    assert_no_leak(info.value, SECRET)
    with pytest.raises(CredentialError) as info:
        store.get_secret("work")
    assert_no_leak(info.value, SECRET)


def test_unknown_secret_shapes_are_redacted_too(failing_keyring: FailingKeyring) -> None:
    failing_keyring.make_error = lambda op, pw: RuntimeError(f"item {OTHER_SECRET} is broken")
    with pytest.raises(CredentialError) as info:
        SecretStorage().get_secret("work")
    assert_no_leak(info.value, OTHER_SECRET)
    assert "[redacted]" in str(info.value)


def test_locked_and_missing_keyrings_are_explained(failing_keyring: FailingKeyring) -> None:
    failing_keyring.make_error = lambda op, pw: keyring.errors.KeyringLocked("Failed to unlock the collection!")
    with pytest.raises(CredentialsLocked, match="locked"):
        SecretStorage().get_secret("work")
    failing_keyring.make_error = lambda op, pw: keyring.errors.NoKeyringError("nothing")
    with pytest.raises(KeyringUnavailable, match="VONAGE_API_KEY"):
        SecretStorage().get_secret("work")


# -- encrypted file ----------------------------------------------------------------------------------------------------


def test_encrypted_round_trip(isolated_dirs: IsolatedDirs, fast_scrypt: None) -> None:
    store = SecretStorage("encrypted-file", master_password=MASTER)
    assert store.get_secret("work") is None  # no file yet
    store.set_secret("work", SECRET)
    store.set_secret("home", OTHER_SECRET)
    path = isolated_dirs.config / "credentials.enc"
    assert store.path == path
    assert mode(path) == 0o600 and mode(isolated_dirs.config) == 0o700
    raw = path.read_text()
    assert SECRET not in raw and OTHER_SECRET not in raw and "work" not in raw and MASTER not in raw
    assert json.loads(raw)["kdf"] == "scrypt"

    again = SecretStorage("encrypted-file", master_password=SecretStr(MASTER))
    assert again.get_secret("work").get_secret_value() == SECRET  # type: ignore[union-attr]
    assert again.rename("home", "house") is True
    assert again.delete_secret("work") is True
    assert again.delete_secret("work") is False
    assert store.get_secret("house").get_secret_value() == OTHER_SECRET  # type: ignore[union-attr]
    assert sorted(p.name for p in isolated_dirs.config.iterdir()) == ["credentials.enc", "credentials.enc.lock"]


def test_encrypted_wrong_password_refused(isolated_dirs: IsolatedDirs, fast_scrypt: None) -> None:
    SecretStorage("encrypted-file", master_password=MASTER).set_secret("work", SECRET)
    wrong = SecretStorage("encrypted-file", master_password="incorrect horse")
    with pytest.raises(WrongMasterPassword) as info:
        wrong.get_secret("work")
    assert_no_leak(info.value, SECRET, "incorrect horse")
    with pytest.raises(WrongMasterPassword):
        wrong.set_secret("other", OTHER_SECRET)  # never overwrites a file it cannot open
    store = SecretStorage("encrypted-file", master_password=MASTER)
    assert store.get_secret("work").get_secret_value() == SECRET  # type: ignore[union-attr]
    assert store.get_secret("other") is None


def test_encrypted_needs_a_master_password(isolated_dirs: IsolatedDirs, fast_scrypt: None) -> None:
    locked = SecretStorage("encrypted-file")
    assert locked.get_secret("work") is None  # nothing stored yet: nothing to unlock
    with pytest.raises(MasterPasswordRequired):
        locked.set_secret("work", SECRET)
    with pytest.raises(CredentialError, match="at least 8"):
        SecretStorage("encrypted-file", master_password="short").set_secret("work", SECRET)
    SecretStorage("encrypted-file", master_password=MASTER).set_secret("work", SECRET)
    with pytest.raises(MasterPasswordRequired, match="master password"):
        locked.get_secret("work")
    with pytest.raises(WrongMasterPassword):
        locked.unlock("not the password")
    locked.unlock(MASTER)
    assert locked.get_secret("work").get_secret_value() == SECRET  # type: ignore[union-attr]


def test_encrypted_change_master_password(isolated_dirs: IsolatedDirs, fast_scrypt: None) -> None:
    store = SecretStorage("encrypted-file", master_password=MASTER)
    store.set_secret("work", SECRET)
    salt = json.loads(store.path.read_text())["salt"]  # type: ignore[union-attr]
    store.change_master_password("a new passphrase")
    assert json.loads(store.path.read_text())["salt"] != salt  # type: ignore[union-attr]
    with pytest.raises(WrongMasterPassword):
        SecretStorage("encrypted-file", master_password=MASTER).get_secret("work")
    fresh = SecretStorage("encrypted-file", master_password="a new passphrase")
    assert fresh.get_secret("work").get_secret_value() == SECRET  # type: ignore[union-attr]


def test_encrypted_file_uses_strong_scrypt_by_default(isolated_dirs: IsolatedDirs) -> None:
    store = SecretStorage("encrypted-file", master_password=MASTER)
    store.set_secret("work", SECRET)
    header = json.loads(store.path.read_text())  # type: ignore[union-attr]
    assert (header["n"], header["r"], header["p"]) == (2**17, 8, 1)


def test_encrypted_file_permissions_and_damage(isolated_dirs: IsolatedDirs, fast_scrypt: None) -> None:
    store = SecretStorage("encrypted-file", master_password=MASTER)
    store.set_secret("work", SECRET)
    path = store.path
    assert path is not None
    os.chmod(path, 0o644)
    with pytest.raises(InsecurePermissions, match=f"chmod 600 {path}"):
        store.get_secret("work")
    os.chmod(path, 0o600)
    path.write_text('{"format": "something else"}')
    with pytest.raises(CredentialFileError, match="damaged or not"):
        store.get_secret("work")


def test_store_reprs_hold_no_secret(isolated_dirs: IsolatedDirs, fast_scrypt: None) -> None:
    store = SecretStorage("encrypted-file", master_password=MASTER)
    store.set_secret("work", SECRET)
    for text in (repr(store), repr(store._impl), repr(vars(store)), str(store.get_secret("work"))):
        assert MASTER not in text and SECRET not in text


# -- plain-text file -----------------------------------------------------------------------------------------------


def test_plaintext_needs_opt_in(isolated_dirs: IsolatedDirs) -> None:
    with pytest.raises(PlaintextNotAllowed, match="opt-in"):
        SecretStorage("plaintext-file")
    assert not isolated_dirs.config.exists()


def test_plaintext_round_trip_with_warning(isolated_dirs: IsolatedDirs) -> None:
    store = SecretStorage("plaintext-file", allow_plaintext=True)
    assert store.warning is not None
    assert "UNENCRYPTED" in store.warning and str(store.path) in store.warning
    store.set_secret("work", SECRET)
    assert mode(store.path) == 0o600  # type: ignore[arg-type]
    assert store.get_secret("work").get_secret_value() == SECRET  # type: ignore[union-attr]
    assert SecretStorage("plaintext-file", allow_plaintext=True).delete_secret("work") is True
    assert store.get_secret("work") is None
    assert SECRET not in repr(store)


# -- environment ------------------------------------------------------------------------------------------------------


def test_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VONAGE_API_KEY", raising=False)
    monkeypatch.delenv("VONAGE_API_SECRET", raising=False)
    assert env_credentials() is None
    monkeypatch.setenv("VONAGE_API_KEY", "abcd1234")
    monkeypatch.setenv("VONAGE_API_SECRET", f" {SECRET} ")
    key, secret = env_credentials()  # type: ignore[misc]
    assert key == "abcd1234" and secret.get_secret_value() == SECRET
    assert SECRET not in repr(env_credentials())


def test_env_credentials_half_set_is_an_error() -> None:
    with pytest.raises(CredentialError, match="VONAGE_API_SECRET is set but VONAGE_API_KEY is not") as info:
        env_credentials({"VONAGE_API_SECRET": SECRET})
    assert_no_leak(info.value, SECRET)
    with pytest.raises(CredentialError, match="VONAGE_API_KEY is set but VONAGE_API_SECRET is not"):
        env_credentials({"VONAGE_API_KEY": "abcd1234"})


def test_env_overrides_the_stored_profile(memory_keyring: MemoryKeyring) -> None:
    profile = Profile(name="work", api_key="abcd1234")
    store = SecretStorage()
    assert resolve_credentials(profile, store, environ={}) is None
    store.set_secret(profile, SECRET)
    stored = resolve_credentials(profile, store, environ={})
    assert stored == Credentials("abcd1234", SecretStr(SECRET), "system", "work")
    env = {"VONAGE_API_KEY": "ffff0000", "VONAGE_API_SECRET": OTHER_SECRET}
    overridden = resolve_credentials(profile, store, environ=env)
    assert overridden is not None
    assert (overridden.api_key, overridden.api_secret.get_secret_value()) == ("ffff0000", OTHER_SECRET)
    assert overridden.source == "environment"
    assert resolve_credentials(None, None, environ=env) is not None
    assert SECRET not in repr(stored) and OTHER_SECRET not in repr(overridden)
    # the override never touches the stored entry
    assert memory_keyring.passwords[(SERVICE, "work")] == SECRET
