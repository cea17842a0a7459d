"""A question answered with one key: replace what is typed with a card (Y/N), or the colour of
a scanned health code (G/Y/R/N). Escape answers None."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

T = TypeVar("T")


class KeyChoiceScreen(ModalScreen[T | None], Generic[T]):
    """Dismissed with the value of the key pressed (any of its keys), or None on Escape."""

    CSS_PATH = Path(__file__).parent.parent / "key_choice.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]

    def __init__(self, question: str, choices: Sequence[tuple[Sequence[str], str, T]]) -> None:
        """`choices`: (keys, label, value) each; the first key is the one shown."""
        super().__init__()
        self.question = question
        self.choices = tuple(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="key-choice-box"):
            yield Label(self.question, id="key-choice-question")
            keys = "   ".join(f"[{keys[0].upper()}] {label}" for keys, label, _ in self.choices)
            yield Static(keys, id="key-choice-keys", markup=False)

    def on_key(self, event: events.Key) -> None:
        pressed = (event.character or event.key or "").lower()
        for keys, _label, value in self.choices:
            if pressed in keys:
                event.stop()
                self.dismiss(value)
                return

    def action_cancel(self) -> None:
        self.dismiss(None)
