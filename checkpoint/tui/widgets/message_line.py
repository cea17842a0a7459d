"""The lane's message line: what the volunteer must read stays until they act again.

A message said after one of the volunteer's actions (an error, "saved", "disinfected") is held
until their next key or click; a remark that comes by itself (a new thermometer reading, the
line reconnecting) shows only while no message is held, so it never replaces one unread.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class MessageLine(Static):
    """One line of messages; `say` holds, `remark` defers to what is held."""

    held: reactive[bool] = reactive(False, init=False)
    """A message is showing that the volunteer has not acted on yet."""

    def say(self, text: str, *, error: bool) -> None:
        """Show a message the volunteer must read: it stays until their next action."""
        self._show(text, error=error)
        self.held = True

    def remark(self, text: str, *, error: bool = False) -> bool:
        """Show `text` unless a message is held; whether it was shown."""
        if self.held:
            return False
        self._show(text, error=error)
        return True

    def release(self) -> None:
        """The volunteer acted: the message may now give way to the next one."""
        self.held = False

    def _show(self, text: str, *, error: bool) -> None:
        self.update(text)
        self.set_class(error, "error")
