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
    """Translated words for the counters (people, turned back, unsynced, held back) and
    templates for the
    ones that must add up (passages, at_or_over, suspected: `str.format` fields named as in
    `render`)."""
    sync: reactive[str] = reactive("")
    """The hub: offline, the last success, or the last error and the next try, translated."""

    def render(self) -> Content:
        c, words = self.counters, self.labels
        # Labelled so that the numbers add up: vehicles + on foot = passages = in + out; "≥
        # threshold" and "suspected" (any reason) are two different counts.
        values = {
            "people": c.people,
            "vehicles": c.vehicles,
            "on_foot": c.on_foot,
            "passages": c.passages,
            "inbound": c.inbound,
            "outbound": c.outbound,
            "at_or_over": c.flagged,
            "suspected": c.suspected,
            "threshold": words.get("threshold", ""),
        }
        figures = "  ".join(
            [
                f"{words.get('people', 'people')} {c.people}",
                words.get("passages", "{passages}").format(**values),
                words.get("at_or_over", "≥ {at_or_over}").format(**values),
                words.get("suspected", "suspected {suspected}").format(**values),
                f"{words.get('turned_back', 'turned back')} {c.turned_back}",
                f"{words.get('unsynced', 'unsynced')} {c.unsynced}",
            ]
            # Only when there are some: they cannot be sent as they are, and someone must act.
            + ([f"{words.get('held_back', 'held back')} {c.held_back}"] if c.held_back else [])
        )
        last = f"  {self.last_value}" if self.last_value else ""
        # Plain content, not markup: "[SIMULATED]" must show as written.
        sync = f"  │  {self.sync}" if self.sync else ""
        return Content(f"{self.thermometer}{last}  │  {figures}{sync}")
