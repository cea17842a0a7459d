"""Correct a person's record: choose the field, type the new value, say why and who.

The original stays in the log; each field shows its original beside the current value once
corrected. New values are checked as on the lane (document check digit, phone, plate, the
temperature with the fever rule); a mistake or a missing reason is shown next to its field and
nothing typed is lost.

The corrector sees what is being changed: the chosen field's current value, under the select.
Personal values are masked (enough to check them against the card in hand) unless the one who
corrects is the shift leader, who may see them whole. A person without a name is named by the
plate and the time they were screened.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Select, Static

from checkpoint.domain.masking import mask_document, mask_name, mask_phone
from checkpoint.errors import CheckpointError
from checkpoint.screening.history import AmendField, History, PersonRecord
from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar
from checkpoint.tui.widgets.selects import relabel_select

_MASKS = {
    AmendField.NAME: mask_name,
    AmendField.DOCUMENT: mask_document,
    AmendField.PHONE: mask_phone,
}


def shown(field: AmendField, value: str | None, *, whole: bool = False) -> str:
    """A value as the screen shows it: personal fields masked unless `whole`, nothing as —."""
    if not value:
        return "—"
    if field is AmendField.TEMPERATURE:
        return f"{value} ℃"
    mask = _MASKS.get(field)
    text = mask(value) if mask and not whole else value
    # A value pasted by mistake (a 10,000-character name) must not push the form off the
    # screen: the correction is what is needed, and its start is enough to recognise it.
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


SHOWN_MAX = 40
"""Most characters of a value shown; a longer one ends in "…"."""


class AmendScreen(AppScreen):
    """Dismissed with True when at least one correction was stored."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back", priority=True),
        Binding("ctrl+s", "save", "save", priority=True),
    ]

    def __init__(self, person_id: uuid.UUID, operator: str, leader: str = "") -> None:
        super().__init__()
        self.person_id = person_id
        self.operator = operator
        self.leader = leader
        """The shift leader: when the corrector is the leader, values are shown unmasked."""
        self.record: PersonRecord | None = None
        self.saved = False

    @property
    def history(self) -> History:
        desk = self.desk
        return History(store=desk.store, settings=desk.settings, clock=desk.clock)

    def compose(self) -> ComposeResult:
        with Vertical(id="amend"):
            yield Static(id="amend-title")
            yield Static(id="amend-fields")
            with Horizontal(id="amend-row"):
                yield Select[AmendField](
                    self._field_options(),
                    id="amend-field",
                    allow_blank=False,
                    value=AmendField.NAME,
                    compact=True,
                )
                yield Input(id="amend-value", compact=True)
            yield Static(id="amend-current", classes="hint")
            yield Static(id="amend-value-error", classes="hint error")
            yield Input(id="amend-reason", compact=True)
            yield Static(id="amend-reason-error", classes="hint error")
            yield Input(id="amend-by", compact=True)
            yield Static(id="amend-hint", classes="hint")
        yield KeyBar(id="keys")

    def _field_options(self) -> list[tuple[str, AmendField]]:
        return [(self.t(f"tui.amend.field.{f.value}"), f) for f in AmendField]

    def on_mount(self) -> None:
        self.query_one("#amend-by", Input).value = self.operator
        self.relabel()
        self.query_one("#amend-value", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="amend")
    def _load(self) -> None:
        record = self.history.person(self.person_id)
        self.app.call_from_thread(self._show, record)

    def _show(self, record: PersonRecord) -> None:
        self.record = record
        self.relabel()

    def relabel(self) -> None:
        t = self.t
        relabel_select(self.query_one("#amend-field", Select), self._field_options())
        self.query_one("#amend-value", Input).placeholder = t("tui.amend.value")
        self.query_one("#amend-reason", Input).placeholder = t("tui.amend.reason")
        self.query_one("#amend-by", Input).placeholder = t("tui.amend.by")
        self._show_record()

    def _show_record(self) -> None:
        """The title, every field with its corrections, and the one being changed."""
        t, record = self.t, self.record
        if record is None:
            return
        self.query_one("#amend-title", Static).update(t("tui.amend.title", who=self._who(record)))
        whole = self._whole
        lines = []
        for field in AmendField:
            label = t(f"tui.amend.field.{field.value}")
            current = self._value(field, record.current[field], whole, record.flagged[1])
            if field in record.amended:
                last = [c for c in record.corrections if c.field is field][-1]
                original = self._value(field, record.original[field], whole, record.flagged[0])
                lines.append(
                    t(
                        "tui.amend.changed",
                        field=label,
                        original=original,
                        current=current,
                        reason=last.reason,
                        by=last.by,
                    )
                )
            else:
                lines.append(t("tui.amend.unchanged", field=label, current=current))
        self.query_one("#amend-fields", Static).update("\n".join(lines))
        self._show_current()

    @property
    def _whole(self) -> bool:
        """The shift leader corrects: personal values are shown whole."""
        by = self.query_one("#amend-by", Input).value.strip()
        return bool(self.leader.strip()) and by == self.leader.strip()

    def _value(self, field: AmendField, value: str | None, whole: bool, flagged: bool) -> str:
        text = shown(field, value, whole=whole)
        if field is AmendField.TEMPERATURE and value and flagged:
            text += " " + self.t("tui.amend.flag")
        return text

    def _who(self, record: PersonRecord) -> str:
        """The masked name, or for a nameless record what tells it apart: plate and time."""
        name = record.current[AmendField.NAME]
        who = shown(AmendField.NAME, name) if name else self.t("tui.amend.unnamed")
        at = record.passed_at.astimezone(self.desk.settings.checkpoint.zone)
        plate = record.current[AmendField.PLATE]
        when = at.strftime("%m-%d %H:%M")
        if plate:
            return self.t("tui.amend.who", who=who, plate=plate, at=when)
        return self.t("tui.amend.who_on_foot", who=who, at=when)

    def _show_current(self) -> None:
        """What is being changed: the chosen field and its current value."""
        record, field = self.record, self.query_one("#amend-field", Select).value
        if record is None or not isinstance(field, AmendField):
            return
        whole = self._whole
        masked = not whole and field in _MASKS and bool(record.current[field])
        key = "tui.amend.editing_masked" if masked else "tui.amend.editing"
        self.query_one("#amend-current", Static).update(
            self.t(
                key,
                field=self.t(f"tui.amend.field.{field.value}"),
                current=self._value(field, record.current[field], whole, record.flagged[1]),
            )
        )

    @on(Select.Changed, "#amend-field")
    @on(Input.Changed, "#amend-by")
    def _chosen(self) -> None:
        # Not `relabel`: relabelling the select posts Select.Changed again.
        self._show_record()

    # -- saving -----------------------------------------------------------------------------

    @on(Input.Submitted, "#amend-value")
    def _to_reason(self) -> None:
        self.query_one("#amend-reason", Input).focus()

    @on(Input.Submitted, "#amend-reason")
    @on(Input.Submitted, "#amend-by")
    def action_save(self) -> None:
        field = self.query_one("#amend-field", Select).value
        if not isinstance(field, AmendField):
            return
        self._errors("", "")
        self._save(
            field,
            self.query_one("#amend-value", Input).value,
            self.query_one("#amend-reason", Input).value,
            self.query_one("#amend-by", Input).value,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="amend")
    def _save(self, field: AmendField, value: str, reason: str, by: str) -> None:
        try:
            record = self.history.amend(self.person_id, field, value, reason=reason, by=by)
        except CheckpointError as error:
            self.app.call_from_thread(self._failed, error)
            return
        self.app.call_from_thread(self._saved, record, field)

    def _errors(self, value: str, reason: str) -> None:
        self.query_one("#amend-value-error", Static).update(value)
        self.query_one("#amend-reason-error", Static).update(reason)

    def _failed(self, error: CheckpointError) -> None:
        text = " ".join(part for part in error.text(self.language) if part)
        if error.code.startswith(("amendment.reason", "amendment.author")):
            self._errors("", text)
            target = "#amend-reason" if "reason" in error.code else "#amend-by"
        else:
            self._errors(text, "")
            target = "#amend-value"
        self.query_one(target, Input).focus()
        self.app.bell()

    def _saved(self, record: PersonRecord, field: AmendField) -> None:
        self.saved = True
        self._show(record)
        self.query_one("#amend-value", Input).value = ""
        self.query_one("#amend-reason", Input).value = ""
        flagged_now = field is AmendField.TEMPERATURE and record.flagged[1]
        key = "tui.amend.case_opened" if flagged_now else "tui.amend.done"
        self.query_one("#amend-hint", Static).update(
            self.t(key, field=self.t(f"tui.amend.field.{field.value}"))
        )
        self.query_one("#amend-value", Input).focus()

    def action_back(self) -> None:
        self.dismiss(self.saved)
