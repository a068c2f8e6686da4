"""What the command line asks the app to do, as plain data (no Textual import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import SecretStr


@dataclass
class LaunchOptions:
    """Built by ``tui.cli``; read by ``VonageApp`` on mount, or by ``tui.scripting`` when ``output`` is set."""

    demo: bool = False
    #: `--demo`: the app starts the sandbox itself, in a thread, after its first paint.
    embedded_sandbox: bool = False
    profile: str | None = None
    read_only: bool = False
    initial_screen: str = "numbers"
    #: Deep-link parameters for the initial screen (filters, search query…); ``limit`` (search) and
    #: ``pool_id`` (pools) are read only with ``output``.
    screen_args: dict[str, Any] = field(default_factory=dict)
    rest_url: str | None = None
    api_url: str | None = None
    #: Credentials given for this run only (demo, or VONAGE_API_KEY/VONAGE_API_SECRET).
    api_key: str | None = None
    api_secret: SecretStr | None = None
    profile_label: str = ""
    #: Client-side pacing in requests/s (None: unpaced). The sandbox and default accounts allow 30.
    rate_limit: float | None = 25.0
    #: Where the journal of changes lives (None: the default; a throw-away one in demo mode).
    journal_path: str | None = None
    #: `-o json|csv`: print the initial screen's data to stdout and exit; the app is never started.
    output: str | None = None


def first_run(options: LaunchOptions) -> bool:
    """No credentials given and no config file yet: the login form is the first thing to show."""
    from tui.paths import config_path

    if options.embedded_sandbox or options.api_key:
        return False
    try:
        return not config_path().exists()
    except OSError:  # a config we may not read is not a first run: the profile flow says what is wrong
        return False


def first_mode(options: LaunchOptions) -> str:
    """The App's first mode: the screen asked for, so the first frame builds that screen and nothing
    else (Textual's blank default screen and a switch from it cost ~20 ms); blank on a first run, under
    the login form."""
    return "_default" if first_run(options) else options.initial_screen
