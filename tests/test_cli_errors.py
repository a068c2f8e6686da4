"""Bad command lines exit 2 with one line; API and credential failures exit 1 with one line; nothing on stdout."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from typing import Any

import pytest
from test_cli_support import cli_env, error_lines, hosts, json_out, run_cli

from tui.config import Config, Profile, add_profile, save_config
from tui.credentials import SecretStorage
from tui.sandbox.config import SandboxConfig
from tui.sandbox.inventory import DEMO_API_KEY, DEMO_API_SECRET
from tui.sandbox.server import start_sandbox


def _usage_error(done: Any, *fragments: str) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = error_lines(done)
    assert 1 <= len(lines) <= 2, lines  # the problem, then at most a short hint
    assert lines[0].startswith("vonage-tui")
    for fragment in fragments:
        assert fragment in lines[0]
    if len(lines) == 2:
        assert "--help" in lines[1]
    return lines[0]


def _api_error(done: Any, *fragments: str) -> str:
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = error_lines(done)
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def _profiles(*profiles: Profile) -> None:
    cfg = Config()
    for profile in profiles:
        cfg = add_profile(cfg, profile)
    save_config(cfg)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["numbers", "--bogus"], "unrecognized arguments: --bogus"),
        (["--bogus"], "unrecognized arguments"),
        (["numbrs"], "invalid choice: 'numbrs'"),
        (["numbers", "-o", "yaml"], "invalid choice: 'yaml'"),
        (["account", "-o", "csv"], "invalid choice: 'csv'"),
        (["numbers", "--country", "XX", "-o", "json"], "XX is not an ISO country code"),
        (["numbers", "--country", "XX"], "XX is not an ISO country code"),  # the UI deep link too
        (["search", "ZZ", "-o", "json"], "ZZ is not an ISO country code"),
        (["search", "G1", "-o", "csv"], "two-letter"),
        (["numbers", "--pattern", "12ab", "-o", "json"], "--pattern"),
        (["search", "GB", "--pattern", "1" * 16], "--pattern"),
        (["numbers", "--match", "middle"], "invalid choice: 'middle'"),
        (["numbers", "--application", "not-a-uuid", "-o", "json"], "--application"),
        (["search", "GB", "--features", "FAX", "-o", "json"], "--features"),
        (["search", "GB", "--limit", "0", "-o", "json"], "--limit"),
        (["search", "GB", "--limit", "many", "-o", "json"], "--limit"),
        (["search", "-o", "json"], "required: COUNTRY"),
        (["pools", "bad/id", "-o", "json"], "POOL_ID"),
        (["pools", "bad/id"], "POOL_ID"),
        (["numbers", "--rest-url", "http://example.com", "-o", "json"], "--rest-url"),
        (["--profile", "bad name!", "numbers", "-o", "json"], "--profile"),
    ],
)
def test_bad_command_lines_exit_2_with_one_line(args: list[str], fragment: str) -> None:
    _usage_error(run_cli(*args), fragment)


def test_a_bad_host_in_the_environment_is_named() -> None:
    done = run_cli("numbers", "-o", "json", env=cli_env(VONAGE_API_URL="http://10.0.0.1:8080"))
    _usage_error(done, "VONAGE_API_URL")


def test_unknown_profile_names_the_profiles_that_exist() -> None:
    _profiles(Profile(name="work", api_key="abcd1234"), Profile(name="personal", api_key="efgh5678"))
    for args in (["--profile", "nope", "numbers", "-o", "json"], ["--profile", "nope"], ["account", "--profile", "nope"]):
        line = _usage_error(run_cli(*args), "'nope'")
        assert "personal, work" in line


def test_first_run_accepts_a_new_profile_name(sandbox: Any) -> None:
    """No profiles yet: `--profile work` names the profile the app will create, so it is no usage error."""
    done = run_cli("--profile", "work", "numbers", "-o", "json", *hosts(sandbox.url))
    assert len(json_out(done)) == len(sandbox.state.accounts[DEMO_API_KEY].owned)  # env credentials
    done = run_cli("--profile", "work", "numbers", "-o", "json", env=cli_env(key=None, secret=None))
    assert done.returncode == 2 and "no profile named 'work'" in done.stderr  # printing: nothing creates it


@pytest.mark.parametrize("command", [["numbers"], ["search", "GB"], ["account"], ["secrets"], ["pools"]])
def test_refused_environment_credentials(sandbox: Any, command: list[str]) -> None:
    done = run_cli(*command, "-o", "json", *hosts(sandbox.url), env=cli_env(secret="Wrong-Secret-99"))
    _api_error(done, "VONAGE_API_KEY/VONAGE_API_SECRET", "refused", "401")
    assert "Wrong-Secret-99" not in done.stderr


def test_half_set_environment_is_an_error() -> None:
    _api_error(run_cli("numbers", "-o", "json", env=cli_env(secret=None)), "VONAGE_API_KEY is set but")


def test_profile_with_a_stored_secret_works_without_environment(sandbox: Any) -> None:
    _profiles(Profile(name="work", api_key=DEMO_API_KEY, rest_url=sandbox.url, api_url=sandbox.url,
                      keyring_backend="plaintext-file"))
    SecretStorage("plaintext-file", allow_plaintext=True).set_secret("work", DEMO_API_SECRET)
    done = run_cli("secrets", "-o", "json", env=cli_env(key=None, secret=None))
    assert [s["id"] for s in json_out(done)] == [s.id for s in sandbox.state.accounts[DEMO_API_KEY].secrets]


def test_refused_profile_credentials_name_the_profile(sandbox: Any) -> None:
    _profiles(Profile(name="work", api_key=DEMO_API_KEY, rest_url=sandbox.url, api_url=sandbox.url,
                      keyring_backend="plaintext-file"))
    SecretStorage("plaintext-file", allow_plaintext=True).set_secret("work", "Stale-Secret-11")
    done = run_cli("numbers", "-o", "csv", env=cli_env(key=None, secret=None))
    _api_error(done, "profile 'work'", "401")
    assert "Stale-Secret-11" not in done.stderr


def test_encrypted_profile_without_a_terminal_says_what_to_do(sandbox: Any) -> None:
    _profiles(Profile(name="vault", api_key=DEMO_API_KEY, rest_url=sandbox.url, api_url=sandbox.url,
                      keyring_backend="encrypted-file"))
    done = run_cli("numbers", "-o", "json", env=cli_env(key=None, secret=None))
    _api_error(done, "profile 'vault'", "master password", "VONAGE_API_KEY and VONAGE_API_SECRET")


def test_system_keyring_missing_is_explained(sandbox: Any) -> None:
    _profiles(Profile(name="desk", api_key=DEMO_API_KEY, rest_url=sandbox.url, api_url=sandbox.url))
    done = run_cli("numbers", "-o", "json", env=cli_env(key=None, secret=None))  # keyring's fail backend
    _api_error(done, "profile 'desk'", "keyring")


def test_unreachable_host_is_one_line() -> None:
    with start_sandbox(SandboxConfig()) as gone:
        url = gone.url
    done = run_cli("account", "-o", "json", *hosts(url))
    _api_error(done, "could not connect")


def test_pools_not_enabled_is_one_line() -> None:
    with start_sandbox(SandboxConfig(pools_enabled=False)) as sandbox:
        done = run_cli("pools", "-o", "csv", *hosts(sandbox.url))
    _api_error(done, "pools")


def test_help_and_version_import_neither_textual_nor_httpx() -> None:
    for args in (["--version"], ["--help"], ["numbers", "--help"], ["numbrs"]):
        done = run_cli(*args, python_flags=("-X", "importtime"))
        assert done.returncode in (0, 2)
        imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
        assert "tui.cli" in imported  # the import log is what we think it is
        assert not {m for m in imported if m.split(".")[0] in ("textual", "httpx", "pydantic")}
    assert run_cli("--version").stdout.startswith("vonage-tui ")


def _on_a_terminal(args: list[str], typed: list[bytes]) -> tuple[int, str, str]:
    """Run with stdin/stderr on a pseudo-terminal (stdout a pipe, as in `… > file`), answering each
    password prompt with the next of ``typed``. (exit status, stdout, what the terminal showed)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", *args], env=cli_env(key=None, secret=None),
        stdin=slave, stderr=slave, stdout=subprocess.PIPE, start_new_session=True,  # no /dev/tty of ours
    )
    os.close(slave)
    shown = b""
    answers = list(typed)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if shown.count(b"Master password") > len(typed) - len(answers) and answers:
                os.write(master, answers.pop(0) + b"\n")
        elif proc.poll() is not None:
            break
    assert proc.stdout is not None
    out = proc.stdout.read().decode()
    code = proc.wait(timeout=30)
    os.close(master)
    return code, out, shown.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_encrypted_profile_asks_for_the_master_password_on_a_terminal(sandbox: Any) -> None:
    _profiles(Profile(name="vault", api_key=DEMO_API_KEY, rest_url=sandbox.url, api_url=sandbox.url,
                      keyring_backend="encrypted-file"))
    SecretStorage("encrypted-file", master_password="Open-Sesame-2024").set_secret("vault", DEMO_API_SECRET)
    code, out, shown = _on_a_terminal(["account", "-o", "json"], [b"wrong-password", b"Open-Sesame-2024"])
    assert code == 0, shown
    assert json.loads(out)["api_key"] == DEMO_API_KEY
    assert shown.count("Master password for profile 'vault'") == 2 and "Wrong master password" in shown
    for secret in ("Open-Sesame-2024", "wrong-password", DEMO_API_SECRET):  # the prompt does not echo
        assert secret not in shown and secret not in out


def test_printing_with_a_profile_that_does_not_exist_is_a_usage_error_even_with_no_profiles(tmp_path) -> None:
    env = cli_env(key=None, secret=None, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = run_cli("numbers", "-o", "json", "--profile", "nope", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert "no profile named 'nope'" in error_lines(done)[0] and "none yet" in error_lines(done)[0]


def test_credentials_in_the_environment_that_are_not_text_are_refused_up_front() -> None:
    """Found by review: a byte that is not UTF-8 in VONAGE_API_SECRET stopped the app with a crash (and a
    second one while writing the report); now one line, exit status 2, the value never shown."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "VONAGE_API_KEY": "abcd1234"}
    env_bytes = {k.encode(): v.encode() for k, v in env.items()}
    env_bytes[b"VONAGE_API_SECRET"] = b"Sandbox-Secret-42\xff"
    out = subprocess.run([sys.executable, "-m", "tui", "numbers", "-o", "json"], env=env_bytes,
                         capture_output=True, timeout=60)
    assert out.returncode == 2
    err = out.stderr.decode("utf-8", "replace")
    assert "VONAGE_API_SECRET holds bytes that are not text" in err and "Traceback" not in err
    assert "Sandbox-Secret" not in err


def test_the_secret_forms_a_crash_report_hides_survive_bytes_that_are_not_text() -> None:
    from tui.crash import basic_forms

    forms = basic_forms("abcd1234", "Secret\udcff")
    assert forms[0] == "Secret\udcff" and forms[1].isascii()
