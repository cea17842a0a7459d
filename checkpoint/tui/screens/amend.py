"""Correct a person's record: choose the field, type the new value, say why and who.

The original stays in the log; each field shows its original beside the current value once
corrected. New values are checked as on the lane (document check digit, phone, plate); a
mistake or a missing reason is shown next to its field and nothing typed is lost.
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


def shown(field: AmendField, value: str | None) -> str:
    """A value as the screen shows it: personal fields masked, nothing as —."""
    if not value:
        return "—"
    mask = _MASKS.get(field)
    return mask(value) if mask else value


class AmendScreen(AppScreen):
    """Dismissed with True when at least one correction was stored."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back", priority=True),
        Binding("ctrl+s", "save", "save", priority=True),
    ]

    def __init__(self, person_id: uuid.UUID, operator: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.operator = operator
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
        record = self.record
        if record is None:
            return
        zone = self.desk.settings.checkpoint.zone
        self.query_one("#amend-title", Static).update(
            t(
                "tui.amend.title",
                who=shown(AmendField.NAME, record.current[AmendField.NAME]),
                at=record.passed_at.astimezone(zone).strftime("%m-%d %H:%M"),
            )
        )
        lines = []
        for field in AmendField:
            label = t(f"tui.amend.field.{field.value}")
            current = shown(field, record.current[field])
            if field in record.amended:
                last = [c for c in record.corrections if c.field is field][-1]
                lines.append(
                    t(
                        "tui.amend.changed",
                        field=label,
                        original=shown(field, record.original[field]),
                        current=current,
                        reason=last.reason,
                        by=last.by,
                    )
                )
            else:
                lines.append(t("tui.amend.unchanged", field=label, current=current))
        self.query_one("#amend-fields", Static).update("\n".join(lines))

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
        self.query_one("#amend-hint", Static).update(
            self.t("tui.amend.done", field=self.t(f"tui.amend.field.{field.value}"))
        )
        self.query_one("#amend-value", Input).focus()

    def action_back(self) -> None:
        self.dismiss(self.saved)
