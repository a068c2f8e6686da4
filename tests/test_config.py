"""Config: TOML round trip, private permissions, no secret ever accepted, profile operations; fsutil helpers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from fixtures_keyring import IsolatedDirs, isolated_dirs  # noqa: F401 - fixture
from pydantic import ValidationError

from tui import fsutil
from tui.config import (
    DEFAULT_API_URL,
    DEFAULT_REST_URL,
    Config,
    ConfigError,
    InsecurePermissions,
    Profile,
    ProfileError,
    add_profile,
    cache_dir,
    config_to_toml,
    config_dir,
    config_path,
    get_profile,
    load_config,
    parse_config,
    remove_profile,
    remove_subaccount,
    rename_profile,
    save_config,
    set_subaccount,
    switch_profile,
    update_profile,
    validate_subaccount,
)

SECRET = "Xy7pQ2rsT9wz"  # the shape of a Vonage API secret


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def sample_config() -> Config:
    cfg = add_profile(Config(), Profile(name="work", api_key="abcd1234", default_country="gb"))
    cfg = add_profile(
        cfg,
        Profile(
            name="sandbox",
            api_key="sub12345",
            rest_url="http://127.0.0.1:8080/",
            api_url="http://localhost:8080",
            rate_limit=5.0,
            keyring_backend="encrypted-file",
        ),
    )
    return cfg.model_copy(update={"keymap": {"numbers.buy": "ctrl+b,B", "app.help": "f1"}, "theme": "ansi-dark"})


# -- locations -----------------------------------------------------------------------------------------------


def test_dirs_follow_env_overrides(isolated_dirs: IsolatedDirs) -> None:
    assert config_dir() == isolated_dirs.config
    assert cache_dir() == isolated_dirs.cache
    assert config_path() == isolated_dirs.config / "config.toml"


def test_dirs_default_to_platform_user_dirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VONAGE_TUI_CONFIG_DIR", raising=False)
    monkeypatch.delenv("VONAGE_TUI_CACHE_DIR", raising=False)
    assert config_dir().name == "vonage-tui"
    assert cache_dir().name == "vonage-tui"
    assert config_dir() != cache_dir()


def test_default_urls_match_the_api_layer() -> None:
    hosts = pytest.importorskip("tui.api.hosts")
    assert (DEFAULT_REST_URL, DEFAULT_API_URL) == (hosts.DEFAULT_REST_URL, hosts.DEFAULT_API_URL)


# -- load / save -----------------------------------------------------------------------------------------------


def test_missing_file_gives_defaults_and_creates_nothing(isolated_dirs: IsolatedDirs) -> None:
    cfg = load_config()
    assert cfg == Config()
    assert cfg.profiles == {} and cfg.active_profile is None
    assert not isolated_dirs.config.exists()


def test_round_trip(isolated_dirs: IsolatedDirs) -> None:
    cfg = sample_config()
    path = save_config(cfg)
    assert path == isolated_dirs.config / "config.toml"
    loaded = load_config()
    assert loaded == cfg
    assert loaded.active_profile == "work"
    assert loaded.profiles["work"].default_country == "GB"
    assert loaded.profiles["sandbox"].rest_url == "http://127.0.0.1:8080"
    text = path.read_text()
    assert "[profiles.work]" in text and "name =" not in text  # the table key is the name


def test_save_is_private_even_with_a_permissive_umask(isolated_dirs: IsolatedDirs) -> None:
    old = os.umask(0o000)
    try:
        save_config(sample_config())
    finally:
        os.umask(old)
    assert mode(isolated_dirs.config) == 0o700
    assert mode(isolated_dirs.config / "config.toml") == 0o600


def test_save_replaces_atomically_and_leaves_no_temp_files(isolated_dirs: IsolatedDirs) -> None:
    save_config(sample_config())
    save_config(remove_profile(sample_config(), "sandbox"))
    assert sorted(p.name for p in isolated_dirs.config.iterdir()) == ["config.toml"]
    assert list(load_config().profiles) == ["work"]


def test_failed_write_keeps_the_old_file(isolated_dirs: IsolatedDirs, monkeypatch: pytest.MonkeyPatch) -> None:
    save_config(sample_config())
    before = (isolated_dirs.config / "config.toml").read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fsutil.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_config(Config())
    monkeypatch.undo()
    assert (isolated_dirs.config / "config.toml").read_bytes() == before
    assert sorted(p.name for p in isolated_dirs.config.iterdir()) == ["config.toml"]


def test_group_readable_file_is_refused_with_the_fix(isolated_dirs: IsolatedDirs) -> None:
    path = save_config(sample_config())
    os.chmod(path, 0o640)
    with pytest.raises(InsecurePermissions) as info:
        load_config()
    assert f"chmod 600 {path}" in str(info.value)
    assert "other users" in str(info.value)
    os.chmod(path, 0o600)
    assert load_config() == sample_config()


def test_world_writable_file_is_refused(isolated_dirs: IsolatedDirs) -> None:
    path = save_config(sample_config())
    os.chmod(path, 0o602)
    with pytest.raises(InsecurePermissions, match="changed by other users"):
        load_config()


def test_group_readable_dir_is_refused_with_the_fix(isolated_dirs: IsolatedDirs) -> None:
    save_config(sample_config())
    os.chmod(isolated_dirs.config, 0o750)
    with pytest.raises(InsecurePermissions) as info:
        load_config()
    assert f"chmod 700 {isolated_dirs.config}" in str(info.value)
    with pytest.raises(InsecurePermissions):
        save_config(sample_config())  # never writes into a directory others can read


def test_readable_dir_refused_even_without_a_config_file(isolated_dirs: IsolatedDirs) -> None:
    isolated_dirs.config.mkdir(mode=0o755)
    os.chmod(isolated_dirs.config, 0o755)
    with pytest.raises(InsecurePermissions, match="chmod 700"):
        load_config()


def test_invalid_toml_names_the_file(isolated_dirs: IsolatedDirs) -> None:
    fsutil.write_private_file(isolated_dirs.config / "config.toml", b"profiles = [\n")
    with pytest.raises(ConfigError, match="config.toml is not valid TOML"):
        load_config()


def test_a_config_file_over_1_mb_is_refused_unparsed_naming_the_file_and_the_limit(
    isolated_dirs: IsolatedDirs,
) -> None:
    path = isolated_dirs.config / "config.toml"
    valid = config_to_toml(sample_config()).encode()
    padding = b"# " + b"x" * 78 + b"\n"
    filler = (1 << 20) - len(valid)
    fsutil.write_private_file(path, valid + padding * (filler // len(padding)) + b"#" * (filler % len(padding)))
    assert path.stat().st_size == 1 << 20
    assert load_config() == sample_config()  # exactly 1 MB is still read
    fsutil.write_private_file(path, valid + b"#" + b"x" * (50 << 20) + b"\n")  # valid TOML, 50 MB of it
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value) == f"{path} is larger than 1 MB, the most a config file may be"
    assert caught.value.__context__ is None


def test_invalid_values_name_the_field(isolated_dirs: IsolatedDirs) -> None:
    body = b'active_profile = "nope"\n[profiles.work]\napi_key = "abcd1234"\nrate_limit = -1\n'
    fsutil.write_private_file(isolated_dirs.config / "config.toml", body)
    with pytest.raises(ConfigError, match=r"profiles\.work\.rate_limit"):
        load_config()


def test_active_profile_must_exist() -> None:
    with pytest.raises(ValidationError, match="active_profile"):
        Config(active_profile="ghost")


@pytest.mark.parametrize(
    "url",
    [
        "http://rest.nexmo.com",  # http only for loopback
        "http://127.0.0.1.evil.example",  # a look-alike
        "ftp://rest.nexmo.com",
        "rest.nexmo.com",
        f"https://abcd1234:{SECRET}@rest.nexmo.com",  # credentials in a URL
        f"https://rest.nexmo.com/?api_secret={SECRET}",  # or in a query
    ],
)
def test_bad_urls_refused_without_echoing(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        Profile(name="p", api_key="abcd1234", rest_url=url)
    assert SECRET not in str(info.value)


ACCEPTED_URLS = {  # as typed -> as stored (normalised by tui.api.hosts.validate_base_url)
    "https://rest.nexmo.com": "https://rest.nexmo.com",
    "https://api.nexmo.com/": "https://api.nexmo.com",
    "http://127.0.0.1:8080": "http://127.0.0.1:8080",
    "http://localhost:1": "http://localhost:1",
    "http://[::1]:9000": "http://[::1]:9000",
    "https://example.test/vonage": "https://example.test/vonage",
}
REFUSED_URLS = [
    "http://rest.nexmo.com", "http://127.0.0.1.evil.example", "http://localhost.evil.example",
    "ftp://rest.nexmo.com", "rest.nexmo.com", "https://a b.example", "https://rest.nexmo.com/%2e%2e",
    "https://rest.nexmo.com\\@evil.example", "https://u@rest.nexmo.com", "https://rest.nexmo.com#x",
    "https://rest.nexmo.com:99999", "https://", "http://10.0.0.1",
]


@pytest.mark.parametrize("url", list(ACCEPTED_URLS))
def test_profile_urls_are_normalised(url: str) -> None:
    assert Profile(name="p", api_key="abcd1234", rest_url=url).rest_url == ACCEPTED_URLS[url]


@pytest.mark.parametrize("field", ["rest_url", "api_url"])
@pytest.mark.parametrize("url", REFUSED_URLS)
def test_profile_refuses_bad_urls_naming_the_field(url: str, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Profile(name="p", api_key="abcd1234", **{field: url})
    assert [err["loc"] for err in info.value.errors()] == [(field,)]


def test_config_refuses_a_bad_profile_url_naming_where() -> None:
    with pytest.raises(ConfigError, match=r"profiles\.work\.api_url"):
        parse_config({"profiles": {"work": {"api_key": "abcd1234", "api_url": "http://rest.nexmo.com"}}})


def test_importing_the_config_does_not_import_httpx() -> None:
    """The URL rules come from tui.api.hosts, which imports httpx only when a URL is checked."""
    import subprocess
    import sys

    code = "import sys, tui.config; print('httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9000", "http://[::1]:9000", "https://example.test/vonage"])
def test_good_urls_accepted(url: str) -> None:
    assert Profile(name="p", api_key="abcd1234", api_url=url).api_url == url


# -- no secret in the config --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"api_secret": SECRET},
        {"password": SECRET},
        {"profiles": {"work": {"api_key": "abcd1234", "api_secret": SECRET}}},
        {"profiles": {"work": {"api_key": "abcd1234", "secret": SECRET}}},
        {"profiles": {"work": {"api_key": "abcd1234", "signature_secret": SECRET}}},
        {"profiles": {"work": {"api_key": "abcd1234", "token": SECRET}}},
        {"cache": {"password": SECRET}},
        {"profiles": {"work": {"api_key": SECRET}}},  # the secret pasted where the key goes
        {"profiles": {"work": {"api_key": "abcd1234", "default_country": SECRET}}},
        {"keymap": {"app.quit": SECRET}},
        {"theme": SECRET},
        {"journal": {"path": SECRET}},
        {"profiles": {"work": {"api_key": "abcd1234", "rest_url": f"https://k:{SECRET}@rest.nexmo.com"}}},
    ],
)
def test_secrets_are_refused_and_never_echoed(data: dict, isolated_dirs: IsolatedDirs) -> None:
    with pytest.raises(ValidationError) as info:
        Config.model_validate(data)
    assert SECRET not in str(info.value)
    assert SECRET not in repr(info.value)

    import tomli_w

    fsutil.write_private_file(isolated_dirs.config / "config.toml", tomli_w.dumps(data).encode())
    with pytest.raises(ConfigError) as cfg_info:
        load_config()
    assert SECRET not in str(cfg_info.value)
    assert cfg_info.value.__cause__ is None and cfg_info.value.__context__ is None


def test_secret_named_field_says_where_secrets_go() -> None:
    with pytest.raises(ValidationError, match="keyring"):
        Profile(name="work", api_key="abcd1234", api_secret=SECRET)  # type: ignore[call-arg]


def test_secret_cannot_be_assigned_later() -> None:
    profile = Profile(name="work", api_key="abcd1234")
    with pytest.raises(ValidationError) as info:
        profile.api_key = SECRET
    assert SECRET not in str(info.value)


def test_profile_names_with_capitals_and_digits_are_fine() -> None:
    cfg = add_profile(Config(), Profile(name="ClientProd2", api_key="abcd1234"))
    assert cfg.active_profile == "ClientProd2"


def test_keymap_accepts_textual_key_names() -> None:
    cfg = Config(keymap={"a": "ctrl+shift+a", "b": "G", "c": "question_mark", "d": "j,down", "e": "?"})
    assert cfg.keymap["b"] == "G"


# -- profiles ------------------------------------------------------------------------------------------------------


def test_first_profile_becomes_active_later_ones_do_not() -> None:
    cfg = sample_config()
    assert cfg.active_profile == "work"
    assert list(cfg.profiles) == ["work", "sandbox"]
    cfg = add_profile(cfg, Profile(name="third", api_key="aaaa1111"), activate=True)
    assert cfg.active_profile == "third"


def test_add_refuses_duplicates() -> None:
    with pytest.raises(ProfileError, match="already exists"):
        add_profile(sample_config(), Profile(name="work", api_key="ffff0000"))


def test_helpers_do_not_mutate_their_input() -> None:
    cfg = sample_config()
    switch_profile(cfg, "sandbox")
    remove_profile(cfg, "work")
    assert cfg == sample_config()


def test_switch() -> None:
    cfg = switch_profile(sample_config(), "sandbox")
    assert cfg.active_profile == "sandbox"
    assert get_profile(cfg).name == "sandbox"
    with pytest.raises(ProfileError, match="no profile named 'ghost'"):
        switch_profile(cfg, "ghost")


def test_rename_keeps_order_and_active() -> None:
    cfg = rename_profile(sample_config(), "work", "office")
    assert list(cfg.profiles) == ["office", "sandbox"]
    assert cfg.active_profile == "office"
    assert cfg.profiles["office"].name == "office"
    assert cfg.profiles["office"].api_key == "abcd1234"
    with pytest.raises(ProfileError, match="already exists"):
        rename_profile(cfg, "office", "sandbox")
    with pytest.raises(ProfileError):
        rename_profile(cfg, "office", "bad name!")
    with pytest.raises(ProfileError):
        rename_profile(cfg, "ghost", "x")


def test_remove_active_leaves_none_active() -> None:
    cfg = remove_profile(sample_config(), "work")
    assert list(cfg.profiles) == ["sandbox"]
    assert cfg.active_profile is None
    with pytest.raises(ProfileError, match="No profile is active"):
        get_profile(cfg)
    cfg = remove_profile(switch_profile(sample_config(), "sandbox"), "work")
    assert cfg.active_profile == "sandbox"


def test_update_profile_validates() -> None:
    cfg = update_profile(sample_config(), "work", rate_limit=2.5, default_country="us")
    assert cfg.profiles["work"].rate_limit == 2.5
    assert cfg.profiles["work"].default_country == "US"
    with pytest.raises(ProfileError) as info:
        update_profile(cfg, "work", api_key=SECRET)
    assert SECRET not in str(info.value)
    assert info.value.__context__ is None
    with pytest.raises(ProfileError, match="rename_profile"):
        update_profile(cfg, "work", name="x")


def test_profile_changes_survive_save_and_load(isolated_dirs: IsolatedDirs) -> None:
    cfg = rename_profile(switch_profile(sample_config(), "sandbox"), "sandbox", "local")
    save_config(cfg)
    loaded = load_config()
    assert loaded.active_profile == "local"
    assert loaded.profiles["local"].keyring_backend == "encrypted-file"


# -- subaccounts ------------------------------------------------------------------------------------------------


def test_subaccounts_are_a_table_of_key_and_label(isolated_dirs: IsolatedDirs) -> None:
    cfg = set_subaccount(sample_config(), "work", "sub12345", "  Support   team ")
    cfg = set_subaccount(cfg, "work", "sub67890", "Marketing EU")
    path = save_config(cfg)
    text = path.read_text()
    assert '[profiles.work.subaccounts]\nsub12345 = "Support team"\nsub67890 = "Marketing EU"\n' in text
    assert "[profiles.sandbox.subaccounts]" not in text  # no empty table for a profile without any
    loaded = load_config()
    assert loaded == cfg
    assert loaded.profiles["work"].subaccounts == {"sub12345": "Support team", "sub67890": "Marketing EU"}
    relabelled = set_subaccount(loaded, "work", "sub12345", "Support EU")
    assert list(relabelled.profiles["work"].subaccounts.items())[0] == ("sub12345", "Support EU")
    emptied = remove_subaccount(remove_subaccount(relabelled, "work", "sub12345"), "work", "sub67890")
    save_config(emptied)
    assert "subaccounts" not in path.read_text() and load_config().profiles["work"].subaccounts == {}
    with pytest.raises(ProfileError, match="no subaccount"):
        remove_subaccount(emptied, "work", "sub12345")
    with pytest.raises(ProfileError):
        set_subaccount(emptied, "work", "abcd1234", "Me")  # the profile's own key


@pytest.mark.parametrize(
    ("key", "label", "words"),
    [
        ("sub-123", "Support", "letters and digits"),
        ("", "Support", "letters and digits"),
        ("a" * 33, "Support", "letters and digits"),
        (SECRET, "Support", "looks like an API secret"),
        ("sub12345", SECRET, "looks like an API secret"),
        ("sub12345", "   ", "printable"),
        ("sub12345", "x" * 41, "1 to 40"),
        ("sub12345", "Team\x1b[2J", "printable"),
        ("sub12345", "Team\u200b", "printable"),
    ],
)
def test_bad_subaccounts_are_refused_without_echo(key: str, label: str, words: str,
                                                  isolated_dirs: IsolatedDirs) -> None:
    with pytest.raises(ProfileError, match=words) as info:
        validate_subaccount(key, label)
    assert SECRET not in str(info.value) and "\x1b" not in str(info.value)
    with pytest.raises(ValidationError) as model_info:
        Profile(name="work", api_key="abcd1234", subaccounts={key: label})
    assert SECRET not in str(model_info.value) and SECRET not in repr(model_info.value)

    import tomli_w

    data = {"profiles": {"work": {"api_key": "abcd1234", "subaccounts": {key or "k": label}}}}
    if key:
        fsutil.write_private_file(isolated_dirs.config / "config.toml", tomli_w.dumps(data).encode())
        with pytest.raises(ConfigError, match=r"profiles\.work\.subaccounts") as cfg_info:
            load_config()
        assert SECRET not in str(cfg_info.value)


def test_a_profile_is_not_its_own_subaccount() -> None:
    with pytest.raises(ValidationError, match="not the profile's own API key"):
        Profile(name="work", api_key="abcd1234", subaccounts={"abcd1234": "Me"})


# -- fsutil ---------------------------------------------------------------------------------------------------------


def test_append_private_line(tmp_path: Path) -> None:
    path = tmp_path / "journal" / "log.jsonl"
    fsutil.append_private_line(path, '{"a": 1}')
    fsutil.append_private_line(path, '{"b": 2}\n')
    assert path.read_text() == '{"a": 1}\n{"b": 2}\n'
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    with pytest.raises(ValueError, match="line break"):
        fsutil.append_private_line(path, "one\ntwo")
    os.chmod(path, 0o644)
    with pytest.raises(InsecurePermissions, match="chmod 600"):
        fsutil.append_private_line(path, "x")


def test_write_and_read_private_file(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "numbers.json"
    fsutil.write_private_file(path, b"[]")
    assert fsutil.read_private_file(path) == b"[]"
    assert mode(path) == 0o600
    os.chmod(path, 0o604)
    with pytest.raises(InsecurePermissions):
        fsutil.read_private_file(path)


def test_ensure_private_dir_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(NotADirectoryError):
        fsutil.ensure_private_dir(tmp_path / "f")


# -- symbolic links and other things that are not our private files --------------------------------------------


def _link_to_real_file(isolated_dirs: IsolatedDirs, name: str) -> tuple[Path, Path]:
    """A private dir holding `name` as a symlink to a private file elsewhere (what a dotfiles setup does)."""
    elsewhere = isolated_dirs.config.parent / "dotfiles"
    fsutil.ensure_private_dir(elsewhere)
    fsutil.ensure_private_dir(isolated_dirs.config)
    target = elsewhere / name
    fsutil.write_private_file(target, b"")
    link = isolated_dirs.config / name
    link.symlink_to(target)
    return link, target


def test_symlinked_config_is_refused_naming_the_path_and_the_fix(isolated_dirs: IsolatedDirs) -> None:
    link, target = _link_to_real_file(isolated_dirs, "config.toml")
    fsutil.write_private_file(target, config_to_toml(sample_config()).encode())
    with pytest.raises(fsutil.SymlinkRefused) as info:
        load_config()
    text = str(info.value)
    assert f"{link} is a symbolic link (to {target})" in text
    assert f"Fix it with: rm {link} && cp {target} {link} && chmod 600 {link}" in text
    assert isinstance(info.value, InsecurePermissions) and isinstance(info.value, OSError)
    before = target.read_bytes()
    with pytest.raises(fsutil.SymlinkRefused):
        save_config(Config())  # os.replace would have swapped the link for a file without a word
    assert link.is_symlink() and target.read_bytes() == before


def test_dangling_symlinked_config_is_refused_not_taken_for_missing(isolated_dirs: IsolatedDirs) -> None:
    fsutil.ensure_private_dir(isolated_dirs.config)
    link = isolated_dirs.config / "config.toml"
    link.symlink_to(isolated_dirs.config.parent / "nowhere.toml")
    with pytest.raises(fsutil.SymlinkRefused, match=f"Fix it with: rm {link}$"):
        load_config()


def test_symlinked_journal_is_refused_for_writing_and_reading(isolated_dirs: IsolatedDirs) -> None:
    from tui.journal import Journal

    link, target = _link_to_real_file(isolated_dirs, "journal.jsonl")
    journal = Journal(link)
    with pytest.raises(fsutil.SymlinkRefused, match="is a symbolic link") as info:
        journal.begin(profile="work", op="buy", target="447700900000")
    assert isinstance(info.value, OSError)  # Operations tolerates a failing journal disk with `except OSError`
    with pytest.raises(fsutil.SymlinkRefused, match=str(link)):
        journal.entries()
    assert target.read_bytes() == b""


def test_symlinked_cache_file_is_refused_and_never_read(isolated_dirs: IsolatedDirs) -> None:
    from tui import cache

    key = cache.profile_key("abcd1234", "rest.nexmo.com")
    path = cache.save_owned(key, [])
    elsewhere = isolated_dirs.cache.parent / "elsewhere.json"
    os.replace(path, elsewhere)
    path.symlink_to(elsewhere)
    assert cache.load_owned(key) is None  # a cache is optional: a link counts as "no cache"
    with pytest.raises(fsutil.SymlinkRefused, match=f"{path} is a symbolic link"):
        cache.save_owned(key, [])
    assert path.is_symlink()


def test_symlinked_lock_file_is_refused_with_rm(tmp_path: Path) -> None:
    private = fsutil.ensure_private_dir(tmp_path / "p")
    (private / "credentials.enc.lock").symlink_to(tmp_path / "victim")
    with pytest.raises(fsutil.SymlinkRefused, match=f"Fix it with: rm {private / 'credentials.enc.lock'}$"):
        with fsutil.locked(private / "credentials.enc"):
            pass
    assert not (tmp_path / "victim").exists()


def test_a_fifo_is_refused_not_waited_on(isolated_dirs: IsolatedDirs) -> None:
    fsutil.ensure_private_dir(isolated_dirs.config)
    os.mkfifo(isolated_dirs.config / "config.toml", 0o600)
    with pytest.raises(InsecurePermissions, match="is not a regular file"):
        load_config()


def test_reading_a_private_file_checks_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "d" / "f.json"
    fsutil.write_private_file(path, b"{}")
    os.chmod(path.parent, 0o755)
    with pytest.raises(InsecurePermissions, match=f"chmod 700 {path.parent}"):
        fsutil.read_private_file(path)
