"""The first screen when a shift was left open: the lane comes next, and keys wait for it.

`checkpoint run` sees an open shift in the log before its first screen (`store.peek`). The
shift form would be wrong here: it vanishes once the log is open, with whatever was typed into
it. This screen says which shift is being resumed and keeps every key typed meanwhile; the app
replays them, in order, into the lane once it is shown (or into the shift form, should the log
say after all that no shift is open).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.widgets import Static

from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar


class ResumingScreen(AppScreen):
    """Shown from the first frame until the log is open; takes keys but shows no form."""

    def __init__(self, leader: str) -> None:
        super().__init__()
        self.leader = leader
        self._kept: list[events.Key] = []

    def compose(self) -> ComposeResult:
        yield Static(id="resuming-title")
        yield Static(id="resuming-hint", classes="hint")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        # AppScreen's own on_mount (the SIMULATED line, the keys) runs too: Textual calls it.
        self.relabel()

    def relabel(self) -> None:
        self.query_one("#resuming-title", Static).update(
            self.t("tui.resuming.title", leader=self.leader)
        )
        hint = self.t("tui.resuming.wait")
        if self._kept:
            hint += "\n" + self.t("tui.resuming.kept", count=len(self._kept))
        self.query_one("#resuming-hint", Static).update(hint)

    def on_key(self, event: events.Key) -> None:
        # The app's own keys (F2, Ctrl+Q) were handled before this; the rest are the lane's.
        event.stop()
        event.prevent_default()
        self._kept.append(events.Key(event.key, event.character))
        self.relabel()

    def on_paste(self, event: events.Paste) -> None:
        # A scanner or a paste: its characters, as if typed one by one.
        event.stop()
        for character in event.text:
            key = "enter" if character in "\r\n" else character
            self._kept.append(events.Key(key, None if key == "enter" else character))
        self.relabel()

    def take_keys(self) -> list[events.Key]:
        """The keys typed so far, oldest first; the screen keeps no more of them."""
        kept, self._kept = self._kept, []
        return kept
