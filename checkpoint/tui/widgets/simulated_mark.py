"""A line across the top of a screen while the thermometer is the simulator.

The lane and the shift form carry SIMULATED in their own top lines; every other screen (the
fever follow-up, the queue, history, corrections, the end of the shift) gets this line, so that
no screen ever shows a simulated value as if a person had been measured.
"""

from __future__ import annotations

from textual.widgets import Static

from checkpoint.locale import Language, translate


class SimulatedMark(Static):
    """Shown only while `simulated`; the text follows the language."""

    def show(self, *, simulated: bool, language: Language) -> None:
        self.display = simulated
        if simulated:
            self.update(f" {translate('tui.simulated_line', language)}")
