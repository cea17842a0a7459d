"""The bottom line: thermometer state, simulated or not, the shift's counters, the sync."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from checkpoint.screening.desk import ShiftCounters


class StatusBar(Static):
    """Shows the reactives below; `watch_*` renders, nothing else writes the text."""

    thermometer: reactive[str] = reactive("")
    """Protocol, port and state of the line, already translated."""
    last_value: reactive[str] = reactive("")
    """The newest value read, e.g. "36.6 ℃"."""
    counters: reactive[ShiftCounters] = reactive(ShiftCounters)
    """The shift's figures."""
    labels: reactive[dict[str, str]] = reactive(dict)
    """Translated words for the counters (people, vehicles, flagged, turned back)."""
    sync: reactive[str] = reactive("")
    """The hub: offline, the last success, or the last error and the next try, translated."""

    def render(self) -> Content:
        c, words = self.counters, self.labels
        figures = "  ".join(
            f"{words.get(name, name)} {value}"
            for name, value in (
                ("people", c.people),
                ("vehicles", c.vehicles),
                ("flagged", c.flagged),
                ("turned_back", c.turned_back),
                ("unsynced", c.unsynced),
            )
        )
        last = f"  {self.last_value}" if self.last_value else ""
        # Plain content, not markup: "[SIMULATED]" must show as written.
        sync = f"  │  {self.sync}" if self.sync else ""
        return Content(f"{self.thermometer}{last}  │  {figures}{sync}")
