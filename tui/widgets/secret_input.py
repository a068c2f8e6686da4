"""A masked input for secrets that refuses copy and cut.

The value can be typed or pasted in, never copied out: a secret leaves the app only through an
explicit "copy" action on a screen that shows a newly created secret once.
"""

from __future__ import annotations

from textual.widgets import Input


class SecretInput(Input):
    """``Input(password=True)`` whose copy/cut actions do nothing but say why."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("password", True)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def action_copy(self) -> None:
        self.notify("Secrets cannot be copied from this field.", severity="warning")

    def action_cut(self) -> None:
        self.notify("Secrets cannot be cut from this field.", severity="warning")
