"""The real system keyring: a private D-Bus session bus and gnome-keyring-daemon, unlocked from the shell.

Every other test uses an in-memory keyring; these prove the real path: keyring's SecretService backend over
D-Bus, a fresh process reading the secret back, the app's login form saving to it and the next start reading
it without asking, no secret in any file (the keyring's own included), and honest advice for a locked keyring
over SSH, carried out as given. Skipped, with the reason, where dbus-daemon or gnome-keyring-daemon is missing
(`.ci/run` installs them when the system package manager can). Nothing here touches the user's own bus or
keyring: HOME, XDG_RUNTIME_DIR and the bus are private to each test, and the processes started are ended by id.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET

PROGRAMS = ("dbus-daemon", "gnome-keyring-daemon")
KEYRING_PASSWORD = "keyring-test-password"
SSH_ENV = {"SSH_CONNECTION": "192.0.2.10 50022 192.0.2.1 22", "SSH_TTY": "/dev/pts/7"}

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""  # no <servicedir>: nothing is started on demand, so a missing daemon stays missing (and no GUI prompter)


def _missing_programs() -> list[str]:
    return [name for name in PROGRAMS if shutil.which(name) is None]


pytestmark = pytest.mark.skipif(
    bool(_missing_programs()) or not sys.platform.startswith("linux"),
    reason=(
        f"needs a Linux with {' and '.join(PROGRAMS)} (missing: {', '.join(_missing_programs()) or 'none'}); "
        "install them with `apt-get install dbus-daemon gnome-keyring` (.ci/run does when it can)"
    ),
)


@dataclass
class PrivateSession:
    """A private session bus (and, once started, a GNOME Keyring on it) under a private HOME."""

    home: Path
    env: dict[str, str]  # for child processes: the bus, HOME, XDG dirs, no display
    bus_pid: int

    def start_keyring(self) -> None:
        """Start gnome-keyring-daemon and unlock (create) its login keyring, reading the password on stdin."""
        subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
            input=KEYRING_PASSWORD, env=self.env, capture_output=True, text=True, timeout=30, check=True,
        )
        self.wait_for_secret_service()

    def wait_for_secret_service(self, replacing: str | None = None) -> str:
        """Block until org.freedesktop.secrets has an owner other than `replacing` (a unique bus name), by
        waiting for D-Bus's NameOwnerChanged signal, not by sleeping. Returns the owner's unique name."""
        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import unwrap_msg

        with open_dbus_connection(self.env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
            rule = MatchRule(type="signal", interface="org.freedesktop.DBus", member="NameOwnerChanged")
            rule.add_arg_condition(0, "org.freedesktop.secrets")
            unwrap_msg(conn.send_and_get_reply(message_bus.AddMatch(rule)))
            with conn.filter(rule) as queue:
                while True:
                    owner = self._owner(conn)
                    if owner and owner != replacing:
                        return owner
                    conn.recv_until_filtered(queue, timeout=30)

    @staticmethod
    def _owner(conn: object) -> str | None:
        from jeepney import message_bus
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        try:
            return str(unwrap_msg(conn.send_and_get_reply(  # type: ignore[attr-defined]
                message_bus.GetNameOwner("org.freedesktop.secrets")))[0])
        except DBusErrorResponse:
            return None

    def owner(self) -> str | None:
        from jeepney.io.blocking import open_dbus_connection

        with open_dbus_connection(self.env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
            return self._owner(conn)

    def keyring_pid(self) -> int | None:
        from jeepney import message_bus
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        with open_dbus_connection(self.env["DBUS_SESSION_BUS_ADDRESS"]) as conn:
            try:
                return int(unwrap_msg(conn.send_and_get_reply(
                    message_bus.GetConnectionUnixProcessID("org.freedesktop.secrets")))[0])
            except DBusErrorResponse:
                return None

    def python(self, code: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        """Run `code` in a fresh Python process in this session (the project's interpreter)."""
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], env={**self.env, **extra_env},
            capture_output=True, text=True, timeout=60,
        )


def _end(pid: int | None) -> None:
    if pid:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateSession]:
    """A private bus; this process and its children use it, with HOME (config and cache included) under
    tmp_path, and keyring's real SecretService backend in place of the in-memory one."""
    home, run = tmp_path / "home", tmp_path / "run"
    home.mkdir(mode=0o700)
    run.mkdir(mode=0o700)
    config = tmp_path / "bus.conf"
    config.write_text(_BUS_CONFIG.format(socket=run / "bus"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "XDG_RUNTIME_DIR": str(run),
        "XDG_DATA_HOME": str(home / ".local/share"), "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"), "LANG": "C.UTF-8",
        "VONAGE_TUI_CONFIG_DIR": str(home / ".config/vonage-tui"),
        "VONAGE_TUI_CACHE_DIR": str(home / ".cache/vonage-tui"),
    }
    out = subprocess.run(
        ["dbus-daemon", f"--config-file={config}", "--fork", "--print-address=1", "--print-pid=1"],
        env=env, capture_output=True, text=True, timeout=30, check=True,
    ).stdout.split()
    env["DBUS_SESSION_BUS_ADDRESS"], bus_pid = out[0], int(out[1])
    private = PrivateSession(home, env, bus_pid)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", *SSH_ENV):
        monkeypatch.delenv(name, raising=False)

    import keyring
    import keyring.core
    from keyring.backends import SecretService

    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    keyring.set_keyring(SecretService.Keyring())
    try:
        yield private
    finally:
        _end(private.keyring_pid())
        _end(bus_pid)


def _files_holding(root: Path, secret: str) -> list[Path]:
    """Every regular file under root whose bytes hold the secret: as UTF-8, UTF-16, hex, or base64 at any
    alignment inside longer data (the part of its encoding that does not depend on its neighbours)."""
    raw = secret.encode()
    needles = [raw, secret.encode("utf-16-le"), raw.hex().encode()]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        needles.append(encoded[4 if offset else 0 : -4])
    return [
        path for path in root.rglob("*")
        if stat.S_ISREG(path.lstat().st_mode) and any(n in path.read_bytes() for n in needles)
    ]


# -- the tests -------------------------------------------------------------------------------------------------------


def test_no_secret_service_on_the_bus_is_named_and_the_advice_starts_one(session: PrivateSession) -> None:
    from tui.credentials import NO_SECRET_SERVICE_REASON, UNLOCK_GNOME_KEYRING, keyring_status

    status = keyring_status(environ=SSH_ENV)
    assert (status.usable, status.state, status.reason) == (False, "no-secret-service", NO_SECRET_SERVICE_REASON)
    subprocess.run(["bash", "-c", UNLOCK_GNOME_KEYRING], input=KEYRING_PASSWORD + "\n", env=session.env,
                   capture_output=True, text=True, timeout=30, check=True)
    session.wait_for_secret_service()
    assert keyring_status(environ=SSH_ENV).state == "ready"


def test_secret_stored_in_the_real_keyring_is_read_by_a_fresh_process(session: PrivateSession) -> None:
    from tui.credentials import SecretStorage, keyring_status

    session.start_keyring()
    status = keyring_status()
    assert (status.usable, status.state, status.backend_name) == (True, "ready", "SecretService Keyring")
    storage = SecretStorage("system")
    storage.set_secret("work", DEMO_API_SECRET)
    assert storage.backend_name == "system keyring (SecretService Keyring)"

    fresh = session.python("""
        import keyring
        from tui.credentials import SecretStorage
        print(type(keyring.get_keyring()).__module__)
        print(SecretStorage("system").get_secret("work").get_secret_value())
    """)
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.split() == ["keyring.backends.SecretService", DEMO_API_SECRET]
    assert _files_holding(session.home, DEMO_API_SECRET) == []


async def test_login_form_saves_to_the_real_keyring_and_the_next_start_reads_it(
    session: PrivateSession, sandbox, memory_keyring, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    from tui.app import VonageApp
    from tui.config import config_path, load_config
    from tui.launch import LaunchOptions

    session.start_keyring()
    app = VonageApp(LaunchOptions(rest_url=sandbox.url, api_url=sandbox.url))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        form = app.screen
        assert type(form).__name__ == "LoginScreen"
        assert form.query_one("#login-storage").value == "system"
        await pilot.press(*DEMO_API_KEY, "tab")
        assert form.focused is form.query_one("#login-secret")
        await pilot.press(*["minus" if c == "-" else c for c in DEMO_API_SECRET], "ctrl+s")
        await pilot.pause()
        await form.workers.wait_for_complete()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "NumbersScreen"
    assert load_config().profiles["default"].keyring_backend == "system"
    assert memory_keyring.passwords == {}  # it went to the real keyring, not the test one

    read_back = session.python("""
        import keyring
        print(keyring.get_password("vonage-tui", "default"))
    """)
    assert read_back.stdout.strip() == DEMO_API_SECRET, read_back.stderr

    import tui.login_flow

    forms: list[str] = []
    real_open_login = tui.login_flow.open_login

    def recording_open_login(app, **kwargs):  # type: ignore[no-untyped-def]
        forms.append(kwargs.get("reason", ""))
        return real_open_login(app, **kwargs)

    monkeypatch.setattr(tui.login_flow, "open_login", recording_open_login)
    second = VonageApp(LaunchOptions())
    async with second.run_test(size=(100, 40)) as pilot:
        await second.workers.wait_for_complete()
        await pilot.pause()
        await second.workers.wait_for_complete()
        assert forms == []
        assert type(second.screen).__name__ == "NumbersScreen"
        assert second.profile_label == f"default · {DEMO_API_KEY}"
        assert "24.50" in second.balance_text

    scanned = [p for p in session.home.rglob("*") if p.is_file()]
    assert config_path() in scanned and any(p.name == "login.keyring" for p in scanned)
    assert _files_holding(session.home.parent, DEMO_API_SECRET) == []


def test_locked_keyring_over_ssh_gives_shell_advice_that_works(
    session: PrivateSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import secretstorage

    from tui.credentials import UNLOCK_GNOME_KEYRING, CredentialsLocked, SecretStorage, keyring_status

    session.start_keyring()
    SecretStorage("system").set_secret("work", DEMO_API_SECRET)
    connection = secretstorage.dbus_init()
    try:
        secretstorage.Collection(connection).lock()
    finally:
        connection.close()

    status = keyring_status(environ={**SSH_ENV, "DBUS_SESSION_BUS_ADDRESS": session.env["DBUS_SESSION_BUS_ADDRESS"]})
    assert (status.usable, status.state, status.headless) == (False, "locked", True)
    assert "(gnome-keyring-d) is locked, and no unlock prompt can appear in this SSH session" in status.reason
    assert UNLOCK_GNOME_KEYRING in status.reason and "encrypted file" in status.reason
    assert "desktop" not in status.reason.replace("(no desktop)", "")

    for name, value in SSH_ENV.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CredentialsLocked) as info:
        SecretStorage("system").get_secret("work")  # fails at once: no prompt can appear
    assert UNLOCK_GNOME_KEYRING in str(info.value) and DEMO_API_SECRET not in str(info.value)

    # The advice, exactly as shown, in a shell with no desktop: the keyring password on stdin.
    locked_daemon = session.owner()
    done = subprocess.run(["bash", "-c", UNLOCK_GNOME_KEYRING], input=KEYRING_PASSWORD + "\n",
                          env={**session.env, **SSH_ENV}, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    session.wait_for_secret_service(replacing=locked_daemon)
    assert keyring_status(environ=SSH_ENV).state == "ready"
    assert SecretStorage("system").get_secret("work").get_secret_value() == DEMO_API_SECRET  # type: ignore[union-attr]
    assert KEYRING_PASSWORD not in done.stdout + done.stderr
