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

import tui.credentials as credentials_api
from tui.config import Profile
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
    encrypted,
    env_credentials,
    keyring_status,
    resolve_credentials,
    runner,
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


# -- start-up stays light ------------------------------------------------------------------------------------------


def test_importing_credentials_loads_no_keyring_or_cryptography() -> None:
    import subprocess

    heavy = "{'keyring', 'cryptography', 'secretstorage', 'jeepney'}"
    code = f"import sys, tui.credentials; print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the encrypted file's header is not trusted --------------------------------------------------------------------


def _tamper(path: Path, **changes: object) -> None:
    doc = json.loads(path.read_text())
    doc.update(changes)
    path.write_text(json.dumps(doc))


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int, int]]:
    """Records every scrypt derivation (n, r, p), so a test can prove a header was refused before deriving."""
    from cryptography.hazmat.primitives.kdf import scrypt

    calls: list[tuple[int, int, int]] = []
    real = scrypt.Scrypt

    def recording(*, salt: bytes, length: int, n: int, r: int, p: int) -> object:
        calls.append((n, r, p))
        return real(salt=salt, length=length, n=n, r=r, p=p)

    monkeypatch.setattr(scrypt, "Scrypt", recording)
    return calls


@pytest.mark.parametrize(
    "changes",
    [
        {"n": 2**30},  # 128 GiB of memory
        {"r": 1024},
        {"p": 1000},  # a long stall
        {"n": 2**12},  # weaker than we write
        {"n": str(2**14)},  # numbers as strings, floats or booleans are not what we write
        {"n": float(2**14)},
        {"p": True},
        {"n": None},
    ],
)
def test_inflated_or_foreign_kdf_parameters_are_refused_before_deriving(
    isolated_dirs: IsolatedDirs, fast_scrypt: None, scrypt_calls: list, changes: dict
) -> None:
    SecretStorage("encrypted-file", master_password=MASTER).set_secret("work", SECRET)
    path = isolated_dirs.config / "credentials.enc"
    _tamper(path, **changes)
    scrypt_calls.clear()
    store = SecretStorage("encrypted-file", master_password=MASTER)
    with pytest.raises(CredentialFileError, match="damaged or tampered with") as info:
        store.get_secret("work")
    assert scrypt_calls == []
    assert str(path) in str(info.value) and "Restore the file from a backup" in str(info.value)
    assert_no_leak(info.value, SECRET, MASTER)
    before = path.read_bytes()
    with pytest.raises(CredentialFileError):
        store.set_secret("home", OTHER_SECRET)  # never overwrites a file it refused
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "changes",
    [{"salt": "c2hvcnQ="}, {"salt": 5}, {"data": ""}, {"data": 7}, {"version": 2}, {"cipher": "aes-gcm"}],
)
def test_other_header_fields_we_do_not_write_are_refused(
    isolated_dirs: IsolatedDirs, fast_scrypt: None, scrypt_calls: list, changes: dict
) -> None:
    SecretStorage("encrypted-file", master_password=MASTER).set_secret("work", SECRET)
    _tamper(isolated_dirs.config / "credentials.enc", **changes)
    scrypt_calls.clear()
    with pytest.raises(CredentialFileError, match="damaged"):
        SecretStorage("encrypted-file", master_password=MASTER).get_secret("work")
    assert scrypt_calls == []


def test_our_own_parameters_are_accepted(isolated_dirs: IsolatedDirs, fast_scrypt: None, scrypt_calls: list) -> None:
    SecretStorage("encrypted-file", master_password=MASTER).set_secret("work", SECRET)
    fresh = SecretStorage("encrypted-file", master_password=MASTER)
    assert fresh.get_secret("work").get_secret_value() == SECRET  # type: ignore[union-attr]
    assert set(scrypt_calls) == {(2**14, 8, 1)}


def test_an_oversized_credentials_file_is_not_parsed(isolated_dirs: IsolatedDirs) -> None:
    from tui import fsutil

    path = isolated_dirs.config / "credentials.enc"
    fsutil.write_private_file(path, b"[" * (2 << 20))
    with pytest.raises(CredentialFileError, match="larger than 1024 KiB"):
        SecretStorage("encrypted-file", master_password=MASTER).get_secret("work")


# -- the credentials files' directory and symlinks ------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["encrypted-file", "plaintext-file"])
def test_credentials_directory_others_can_reach_is_refused(
    isolated_dirs: IsolatedDirs, fast_scrypt: None, backend: str
) -> None:
    store = SecretStorage(backend, master_password=MASTER, allow_plaintext=True)  # type: ignore[arg-type]
    store.set_secret("work", SECRET)
    os.chmod(isolated_dirs.config, 0o750)
    with pytest.raises(InsecurePermissions) as info:
        store.get_secret("work")
    assert str(info.value).endswith(f"Fix it with: chmod 700 {isolated_dirs.config}")
    with pytest.raises(InsecurePermissions, match="chmod 700"):
        store.set_secret("work", OTHER_SECRET)
    store.path.unlink()  # type: ignore[union-attr]
    with pytest.raises(InsecurePermissions, match="chmod 700"):
        store.get_secret("work")  # even with no file yet, a readable directory is not "nothing stored"


@pytest.mark.parametrize("backend", ["encrypted-file", "plaintext-file"])
def test_symlinked_credentials_file_is_refused(isolated_dirs: IsolatedDirs, fast_scrypt: None, backend: str) -> None:
    from tui.fsutil import SymlinkRefused

    store = SecretStorage(backend, master_password=MASTER, allow_plaintext=True)  # type: ignore[arg-type]
    store.set_secret("work", SECRET)
    path = store.path
    assert path is not None
    moved = isolated_dirs.config / "real"
    os.replace(path, moved)
    path.symlink_to(moved)
    with pytest.raises(SymlinkRefused) as info:
        store.get_secret("work")
    assert f"{path} is a symbolic link" in str(info.value) and f"cp {moved} {path}" in str(info.value)
    assert_no_leak(info.value, SECRET, MASTER)
    with pytest.raises(SymlinkRefused):
        store.set_secret("work", OTHER_SECRET)
    assert path.is_symlink()


# -- secrets travel as SecretStr -------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["system", "encrypted-file", "plaintext-file"])
def test_backends_hand_back_secretstr(
    isolated_dirs: IsolatedDirs, memory_keyring: MemoryKeyring, fast_scrypt: None, backend: str
) -> None:
    store = SecretStorage(backend, master_password=MASTER, allow_plaintext=True)  # type: ignore[arg-type]
    store.set_secret("work", SECRET)
    got = store._impl.get(SERVICE, "work")
    assert isinstance(got, SecretStr) and got.get_secret_value() == SECRET
    if backend != "system":
        entries = store._impl._read()  # type: ignore[union-attr]
        assert SECRET not in repr(entries) and MASTER not in repr(store._impl.__dict__)


# -- headless honesty: which piece is missing, and advice that works where it is read -----------------------------


SSH = {"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22", "SSH_TTY": "/dev/pts/0"}
DESKTOP = {"DISPLAY": ":0"}


def test_no_session_bus_is_named(headless_keyring: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    status = keyring_status(environ=SSH)
    assert (status.usable, status.state, status.headless) == (False, "no-session-bus", True)
    assert status.reason == credentials_api.NO_SESSION_BUS_REASON
    assert "no D-Bus session bus" in status.reason and "usual over SSH" in status.reason


def test_a_bus_without_a_secret_service_is_named(
    headless_keyring: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.credentials import system

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(system, "session_bus_state", lambda: "no-secret-service")
    status = keyring_status(environ=SSH)
    assert (status.usable, status.state) == (False, "no-secret-service")
    assert "no Secret Service" in status.reason and credentials_api.UNLOCK_GNOME_KEYRING in status.reason


def test_disabled_keyring_state(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    keyring.set_keyring(null.Keyring())
    status = keyring_status(environ=SSH)
    assert (status.usable, status.state, status.reason) == (False, "disabled", credentials_api.KEYRING_DISABLED_REASON)


def _pretend_secret_service(monkeypatch: pytest.MonkeyPatch, state: str, daemon: str | None) -> None:
    """The status logic for a SecretService backend, with the D-Bus probe answered by the test (the real probe
    against a real gnome-keyring is in test_real_keyring.py)."""
    from tui.credentials import status as status_module

    monkeypatch.setattr(status_module, "is_secret_service", lambda backend: True)
    monkeypatch.setattr(status_module, "collection_state", lambda backend: (state, daemon))


def test_locked_keyring_over_ssh_says_how_to_unlock_it_from_the_shell(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pretend_secret_service(monkeypatch, "locked", "gnome-keyring-d")
    status = keyring_status(environ={**SSH, **DESKTOP})  # X forwarding does not make a desktop
    assert (status.usable, status.state, status.headless) == (False, "locked", True)
    assert "is locked, and no unlock prompt can appear in this SSH session" in status.reason
    assert credentials_api.UNLOCK_GNOME_KEYRING in status.reason
    assert "gnome-keyring-daemon --replace --unlock" in status.reason
    assert "encrypted file" in status.reason
    assert "desktop will ask" not in status.reason and "on your desktop" not in status.reason


def test_locked_keyring_with_no_display_and_another_daemon(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pretend_secret_service(monkeypatch, "locked", "keepassxc")
    status = keyring_status(environ={})
    assert (status.usable, status.state) == (False, "locked")
    assert "(keepassxc) is locked" in status.reason and "here (no desktop)" in status.reason
    assert "with your keyring's own command" in status.reason and "desktop will ask" not in status.reason


def test_locked_keyring_on_a_desktop_is_usable_and_says_a_prompt_will_come(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pretend_secret_service(monkeypatch, "locked", "gnome-keyring-d")
    status = keyring_status(environ=DESKTOP)
    assert (status.usable, status.state, status.headless) == (True, "locked", False)
    assert "your desktop will ask for its password" in status.reason
    assert credentials_api.UNLOCK_GNOME_KEYRING not in status.reason


def test_missing_default_collection_over_ssh(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    _pretend_secret_service(monkeypatch, "no-collection", "gnome-keyring-d")
    status = keyring_status(environ=SSH)
    assert (status.usable, status.state) == (False, "no-collection")
    assert "no default keyring yet" in status.reason and credentials_api.UNLOCK_GNOME_KEYRING in status.reason


def test_locked_error_from_a_storage_call_gives_the_shell_advice_when_headless(
    failing_keyring: FailingKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_keyring.make_error = lambda op, pw: keyring.errors.KeyringLocked("Failed to unlock the collection!")
    for var, value in SSH.items():
        monkeypatch.setenv(var, value)
    with pytest.raises(CredentialsLocked) as info:
        SecretStorage().set_secret("work", SECRET)
    assert credentials_api.UNLOCK_GNOME_KEYRING in str(info.value) and "on your desktop" not in str(info.value)
    assert_no_leak(info.value, SECRET)


def test_timeouts_over_ssh_do_not_send_the_user_to_a_desktop(
    hanging_keyring: HangingKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var, value in SSH.items():
        monkeypatch.setenv(var, value)
    with pytest.raises(KeyringTimeout) as info:
        SecretStorage(timeout=0.05).get_secret("work")
    assert "cannot appear here" in str(info.value) and "desktop" not in str(info.value)


@pytest.mark.parametrize(
    ("environ", "platform", "headless"),
    [
        ({}, "linux", True),
        (DESKTOP, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({**DESKTOP, "SSH_CONNECTION": "a b c d"}, "linux", True),
        ({"SSH_TTY": "/dev/pts/1"}, "darwin", True),
        ({}, "darwin", False),
        ({}, "win32", False),
    ],
)
def test_headless_session(environ: dict, platform: str, headless: bool) -> None:
    assert credentials_api.headless_session(environ, platform) is headless
