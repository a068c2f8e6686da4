"""A stateful fake of the Vonage APIs vonage-tui manages, for the demo, the tests and offline work.

Served over real HTTP (starlette + uvicorn) and reached by the app only over HTTP: nothing here imports
``tui.api`` or the app. Start with ``server.start_sandbox`` (background thread) or ``server.serve``
(foreground); ``app.create_app`` builds the ASGI app; ``config.SandboxConfig`` holds the knobs;
``inventory`` the demo credentials and numbers. Kept import-free so ``import tui.sandbox`` stays cheap.
"""
