"""The person's details on the lane: name, document and phone always; the rest in full mode.

Each value is checked with the domain's parser when it is read; a bad one raises the domain's
error with the field focused, so the volunteer sees what is wrong where it is and nothing typed
is lost. Which fields are required comes from the checkpoint kind (configuration).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from checkpoint.config import PersonField
from checkpoint.domain.arrival import parse_arrival
from checkpoint.domain.documents import Document, detect_document_kind, parse_document
from checkpoint.domain.phones import Phone, parse_phone
from checkpoint.domain.vocabulary import DocumentKind, FieldSource, HealthCode, Symptom
from checkpoint.errors import CheckpointError
from checkpoint.tui.widgets.selects import relabel_select

Translate = Callable[[str], str]

WIDGET_OF: Final[dict[PersonField, str]] = {
    "name": "name",
    "document": "document",
    "phone": "phone",
    "origin": "person-origin",
    "route": "route",
    "arrival_time": "arrival",
    "transport_no": "transport-no",
    "destination": "destination",
    "travel_reason": "travel-reason",
    "health_code": "health-code",
    "symptoms": "symptom-none",
    "contact_history": "contact",
    "risk_area_history": "risk-travel",
}
"""The widget id that holds each person field (focused when the field is missing or wrong)."""

_TEXT_FIELDS: Final[dict[str, PersonField]] = {
    "name": "name",
    "document": "document",
    "phone": "phone",
    "person-origin": "origin",
    "route": "route",
    "arrival": "arrival_time",
    "transport-no": "transport_no",
    "destination": "destination",
    "travel-reason": "travel_reason",
}
_NEXT_INPUT: Final[dict[str, str]] = dict(
    zip(
        ("name", "document", "phone", "person-origin", "route", "arrival", "transport-no"),
        ("document", "phone", "person-origin", "route", "arrival", "transport-no", "destination"),
        strict=True,
    )
)
"""Enter moves on through the typed fields in this order (the last ones go to the ℃ field)."""
_SOURCE_NAME: Final = {
    "person-origin": "origin",
    "health-token": "health_code_token",
    "transport-no": "transport_no",
}
"""The person field a widget's source is stored under, where the names differ."""


class PersonDetails(Vertical):
    """Inputs for one person; `read()` returns them checked, `clear()` empties them."""

    def __init__(
        self, t: Translate, required: Sequence[PersonField], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        # The selects get their prompts when built: a prompt set before a Select has mounted
        # its parts fails inside Textual.
        self._t, self._required = t, tuple(required)
        self.filled: dict[str, tuple[str, FieldSource]] = {}
        """Inputs filled by a device (widget id → value, source): a field that still holds
        that value was not typed; one edited since was."""

    def compose(self) -> ComposeResult:
        prompts = self._prompts(self._t, self._required)
        with Horizontal(id="person"):
            yield Input(id="name", compact=True)
            yield Input(id="document", compact=True)
            yield Input(id="phone", compact=True)
        card_line = Static(id="card-line", classes="hint")
        card_line.display = False  # shown only once a card filled the row
        yield card_line
        with Vertical(id="more"):
            with Horizontal(classes="details-row"):
                yield Input(id="person-origin", compact=True)
                yield Input(id="route", compact=True)
                yield Input(id="arrival", compact=True)
                yield Input(id="transport-no", compact=True)
            with Horizontal(classes="details-row"):
                yield Input(id="destination", compact=True)
                yield Input(id="travel-reason", compact=True)
                yield Select[HealthCode](
                    [], id="health-code", compact=True, prompt=prompts["health-code"]
                )
                # Masked as typed: a keyboard-wedge scanner types the token here.
                yield Input(id="health-token", compact=True, password=True)
                yield Select[bool]([], id="contact", compact=True, prompt=prompts["contact"])
                yield Select[bool](
                    [], id="risk-travel", compact=True, prompt=prompts["risk-travel"]
                )
            with Horizontal(id="symptoms"):
                yield Checkbox(id="symptom-none", compact=True)
                for symptom in Symptom:
                    yield Checkbox(id=f"symptom-{symptom.value}", compact=True)

    @staticmethod
    def _prompts(t: Translate, required: Sequence[PersonField]) -> dict[str, str]:
        def label(field: PersonField, key: str | None = None) -> str:
            text = t(key or f"field.{field}")
            return f"{text} *" if field in required else text

        prompts = {
            widget_id: label(
                field, {"document": "tui.document", "arrival": "tui.arrival"}.get(widget_id)
            )
            for widget_id, field in _TEXT_FIELDS.items()
        }
        prompts["health-code"] = label("health_code")
        prompts["contact"] = label("contact_history", "tui.contact")
        prompts["risk-travel"] = label("risk_area_history", "tui.risk_travel")
        return prompts

    def relabel(self, t: Translate, required: Sequence[PersonField]) -> None:
        """Labels in the current language; a required field's label ends with "*"."""
        prompts = self._prompts(t, required)
        for widget_id in _TEXT_FIELDS:
            self.query_one(f"#{widget_id}", Input).placeholder = prompts[widget_id]
        self.query_one("#health-token", Input).placeholder = t("idcard.field.token")
        codes = [(t(f"health_code.{c.value}"), c) for c in HealthCode]
        self._options("health-code", prompts["health-code"], codes)
        yes_no = [(t("tui.no"), False), (t("tui.yes"), True)]
        self._options("contact", prompts["contact"], yes_no)
        self._options("risk-travel", prompts["risk-travel"], yes_no)
        self.query_one("#symptom-none", Checkbox).label = t("tui.no_symptoms") + (
            " *" if "symptoms" in required else ""
        )
        for symptom in Symptom:
            self.query_one(f"#symptom-{symptom.value}", Checkbox).label = t(
                f"symptom.{symptom.value}"
            )

    def _options(self, widget_id: str, prompt: str, options: Sequence[tuple[str, object]]) -> None:
        relabel_select(self.query_one(f"#{widget_id}", Select), options, prompt)

    # -- moving through the fields ----------------------------------------------------------

    def next_after(self, widget_id: str) -> str | None:
        """The input Enter moves to from `widget_id`, None when the ℃ field comes next."""
        following = _NEXT_INPUT.get(widget_id)
        if following is None:
            return None
        if not self.query_one("#more").display and following not in ("document", "phone"):
            return None
        return following

    def focus_field(self, field: PersonField) -> None:
        self.query_one(f"#{WIDGET_OF[field]}").focus()

    # -- values -----------------------------------------------------------------------------

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _checked(self, field: PersonField, parse: Callable[[], object]) -> object:
        try:
            return parse()
        except CheckpointError:
            self.focus_field(field)
            raise

    def read(self, *, now: datetime, zone: ZoneInfo) -> dict[str, object]:
        """The person's details as `PersonEntry` keyword arguments, each checked.

        Raises the domain's `CheckpointError` for a bad value, with its field focused.
        """
        values: dict[str, object] = {"name": self._text("name") or None}
        document_text = self._text("document")
        if document_text:
            kind = detect_document_kind(document_text) or DocumentKind.PASSPORT
            document: Document = self._checked(  # type: ignore[assignment]
                "document",
                lambda: parse_document(kind, document_text, today=now.astimezone(zone).date()),
            )
            values["document"] = document
        phone_text = self._text("phone")
        if phone_text:
            phone: Phone = self._checked("phone", lambda: parse_phone(phone_text))  # type: ignore[assignment]
            values["phone"] = phone
        arrival_text = self._text("arrival")
        if arrival_text:
            values["arrival_at"] = self._checked(
                "arrival_time", lambda: parse_arrival(arrival_text, now=now, zone=zone)
            )
        values["origin"] = self._text("person-origin")
        values["route"] = self._text("route")
        for widget_id, key in (
            ("transport-no", "transport_no"),
            ("destination", "destination"),
            ("travel-reason", "travel_reason"),
        ):
            values[key] = self._text(widget_id) or None
        if values["transport_no"]:
            values["transport_no"] = str(values["transport_no"]).upper().replace(" ", "")
        for widget_id, key in (
            ("health-code", "health_code"),
            ("contact", "contact_history"),
            ("risk-travel", "risk_area_travel"),
        ):
            choice = self.query_one(f"#{widget_id}", Select).value
            values[key] = None if choice is Select.NULL else choice
        chosen = frozenset(
            symptom
            for symptom in Symptom
            if self.query_one(f"#symptom-{symptom.value}", Checkbox).value
        )
        asked = bool(chosen) or self.query_one("#symptom-none", Checkbox).value
        values["symptoms"] = chosen if asked else None
        values["health_code_token"] = self.query_one("#health-token", Input).value.strip() or None
        values["sources"] = self.sources()
        return values

    def sources(self) -> dict[str, FieldSource]:
        """Fields that still hold what a device filled in, and where it came from."""
        found: dict[str, FieldSource] = {}
        for widget_id, (value, source) in self.filled.items():
            if self.query_one(f"#{widget_id}", Input).value == value and value:
                found[_SOURCE_NAME.get(widget_id, widget_id)] = source
        if found.get("document") is FieldSource.CARD_READER:
            # Read from the card with the number, which carries them (and checked against it).
            found["sex"] = found["birth_date"] = FieldSource.CARD_READER
        return found

    def fill(self, values: dict[str, str], source: FieldSource) -> None:
        """Put device values into inputs (widget id → value), remembered as not typed."""
        for widget_id, value in values.items():
            self.query_one(f"#{widget_id}", Input).value = value
            self.filled[widget_id] = (value, source)

    def typed_by_hand(self) -> bool:
        """Whether a person's identity is being typed: name, document or phone hold text that
        no device filled in."""
        for widget_id in ("name", "document", "phone"):
            value = self._text(widget_id)
            if value and self.filled.get(widget_id, ("", None))[0] != value:
                return True
        return False

    def clear(self) -> None:
        """Empty every field for the next person."""
        self.filled.clear()
        card_line = self.query_one("#card-line", Static)
        card_line.update("")
        card_line.display = False
        for widget in self._fields():
            if isinstance(widget, Input):
                widget.value = ""
            elif isinstance(widget, Select):
                widget.clear()
            elif isinstance(widget, Checkbox):
                widget.value = False

    def _fields(self) -> Iterator[Widget]:
        yield from self.query(Input)
        yield from self.query(Select)
        yield from self.query(Checkbox)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        # "No symptoms" and a symptom exclude each other: ticking one clears the other side.
        if not event.value:
            return
        if event.checkbox.id == "symptom-none":
            for symptom in Symptom:
                self.query_one(f"#symptom-{symptom.value}", Checkbox).value = False
        else:
            self.query_one("#symptom-none", Checkbox).value = False
