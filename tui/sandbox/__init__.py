"""A stateful fake of the Vonage APIs vonage-tui manages, for the demo, the tests and offline work.

Served over real HTTP (starlette + uvicorn) and reached by the app only over HTTP: nothing here imports
``tui.api`` or the app. Start with ``server.start_sandbox`` (background thread) or ``server.serve``
(foreground; ``cli`` is ``vonage-tui sandbox``); ``app.create_app`` builds the ASGI app; ``config.SandboxConfig``
holds the knobs; ``faults`` describes every injected fault (``state.faults.arm(path, mode, times=n)`` arms
one for the next requests to a path); ``guard`` refuses hostile input; ``inventory`` holds the demo
credentials (the master account and its two subaccounts) and numbers. Kept import-free so
``import tui.sandbox`` stays cheap.
"""
