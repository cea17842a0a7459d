"""A short question in a box: a reason to type (turning a vehicle back), or Escape."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from checkpoint.locale import DEFAULT_LANGUAGE, Language, translate


class ReasonScreen(ModalScreen[str | None]):
    """Dismissed with the text typed, or None on Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, question: str, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Label(self.question)
            yield Input(placeholder=self.placeholder, id="reason", compact=True)
            yield Static(id="reason-keys", classes="hint")

    def on_mount(self) -> None:
        language: Language = getattr(self.app, "language", DEFAULT_LANGUAGE)
        self.query_one("#reason-keys", Static).update(translate("tui.reason.keys", language))
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
