"""Assembles the sandbox: one Starlette app serving both Vonage hosts (rest.nexmo.com and api.nexmo.com paths).

``app.state.sandbox`` is the ``SandboxState`` tests inspect and steer. Layers, outermost first: the safety
net (``guard.SafetyNet``: an unexpected exception is a 500 in the API's shape, never a traceback), the fault
layer (``faults.FaultMiddleware``: counters, the body cap, latency, injected faults), then the routes.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from . import routes_account, routes_numbers, routes_pools, routes_secrets, routes_subaccounts
from .config import SandboxConfig
from .errors import ApiError, family_of, method_not_allowed, not_found, render_api_error
from .fault_modes import DroppedConnection
from .faults import FaultMiddleware
from .guard import SafetyNet
from .state import SandboxState


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh fake Vonage with its own state, deterministic from ``config.seed``."""
    state = SandboxState((config or SandboxConfig()).validate())

    def count(status: int) -> None:
        state.status_counts[status] += 1

    app = Starlette(
        routes=[
            *routes_numbers.routes,
            *routes_account.routes,
            *routes_secrets.routes,
            *routes_subaccounts.routes,
            *routes_pools.routes,
        ],
        middleware=[
            Middleware(SafetyNet, family=family_of, reraise=(DroppedConnection,), count=count),
            Middleware(FaultMiddleware, state=state),
        ],
        exception_handlers={ApiError: render_api_error, 404: not_found, 405: method_not_allowed},
    )
    app.router.redirect_slashes = False  # Vonage answers 404 for a stray trailing slash, not a redirect
    app.state.sandbox = state
    return app
