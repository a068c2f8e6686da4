"""Assembles the sandbox: one Starlette app serving both Vonage hosts (rest.nexmo.com and api.nexmo.com paths).

``app.state.sandbox`` is the ``SandboxState`` tests inspect and steer.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from . import routes_account, routes_numbers, routes_pools, routes_secrets
from .config import SandboxConfig
from .errors import ApiError, method_not_allowed, not_found, render_api_error
from .faults import FaultMiddleware
from .state import SandboxState


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh fake Vonage with its own state, deterministic from ``config.seed``."""
    state = SandboxState(config or SandboxConfig())
    app = Starlette(
        routes=[*routes_numbers.routes, *routes_account.routes, *routes_secrets.routes, *routes_pools.routes],
        middleware=[Middleware(FaultMiddleware, state=state)],
        exception_handlers={ApiError: render_api_error, 404: not_found, 405: method_not_allowed},
    )
    app.state.sandbox = state
    return app
