"""What every screen of the app can reach: the desk, the language and the translations."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.binding import Binding
from textual.screen import Screen

from checkpoint.locale import Language, translate

if TYPE_CHECKING:
    from checkpoint.idcard.card import IdCard
    from checkpoint.screening.desk import ScreeningDesk
    from checkpoint.thermometer.events import Measurement, RawReading
    from checkpoint.tui.app import CheckpointApp


class AppScreen(Screen[Any]):
    """A screen of CheckpointApp: labels come from `t()` and are set again in `relabel()`."""

    OWN_TOP_LINE: ClassVar[bool] = False
    """The screen says SIMULATED in a top line of its own; others get a SimulatedMark."""

    @property
    def holds_keys(self) -> bool:
        """Keys typed now must wait (a save or a submit is under way): the app queues them,
        in order, until this is False again (key_order.py)."""
        return False

    @property
    def checkpoint_app(self) -> CheckpointApp:
        return cast("CheckpointApp", self.app)

    @property
    def desk(self) -> ScreeningDesk:
        return self.checkpoint_app.desk

    @property
    def language(self) -> Language:
        return self.checkpoint_app.language

    def t(self, key: str, **params: object) -> str:
        return translate(key, self.language, **params)

    def relabel(self) -> None:
        """Set every label in the current language (called on mount and on F2)."""

    def key_label(self, action: str) -> str | None:
        """What the key bar and the palette call the key of `action` (the catalog's
        `key.<action>`), or None when the catalog has no name for it."""
        key = f"key.{action}"
        label = self.t(key)
        return None if label == key else label

    def show_keys(self) -> None:
        """The key bar: this screen's keys, then the app's, in the current language (and
        the SIMULATED line, which follows the language the same way)."""
        from checkpoint.tui.widgets.key_bar import KeyBar
        from checkpoint.tui.widgets.simulated_mark import SimulatedMark

        for mark in self.query(SimulatedMark):
            mark.show(simulated=self.checkpoint_app.simulated, language=self.language)

        bindings = [b for b in self.BINDINGS if isinstance(b, Binding)]
        bindings += [b for b in self.app.BINDINGS if isinstance(b, Binding)]
        for bar in self.query(KeyBar):
            bar.show(bindings, self.language, self.key_label)

    def on_mount(self) -> None:
        if not self.OWN_TOP_LINE:
            from checkpoint.tui.widgets.simulated_mark import SimulatedMark

            mark = SimulatedMark(id="simulated-mark")
            mark.show(simulated=self.checkpoint_app.simulated, language=self.language)
            self.mount(mark)
        self.show_keys()

    def measurement_arrived(self, measurement: Measurement) -> None:
        """A stable reading from the thermometer, for screens that take one."""

    def reading_arrived(self, reading: RawReading) -> None:
        """Any value from the thermometer (newest of a burst), for screens that show it live."""

    def card_arrived(self, card: IdCard) -> None:
        """An ID card read and checked, for screens that take a person's details."""

    def code_scanned(self, text: str) -> None:
        """A scan from the serial scanner, for screens with a field it belongs to."""

    def volunteer_acted(self) -> None:
        """A key or a click from the volunteer, before it is handled (messages held for them
        to read may give way now)."""

    def leave(self, then: Callable[[], object]) -> None:
        """The volunteer is leaving this screen (back, or quitting the app): a screen holding
        answers not yet stored stores them first, then calls `then`."""
        then()
