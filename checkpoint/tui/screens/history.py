"""Recent people, newest first, a page at a time; search by plate, document or name (masked)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from checkpoint.domain.masking import mask_document, mask_name
from checkpoint.screening.desk import HistoryRow
from checkpoint.tui.base import AppScreen
from checkpoint.tui.widgets.key_bar import KeyBar

PAGE = 50


class HistoryScreen(AppScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back", priority=True),
        Binding("pagedown", "page(1)", "next page", priority=True),
        Binding("pageup", "page(-1)", "previous page", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_start = 0
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="history-title")
        yield Input(id="search", compact=True)
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.relabel()
        self.query_one("#search", Input).focus()
        self._load()

    def relabel(self) -> None:
        self.query_one("#search", Input).placeholder = self.t("tui.history.search")
        self._title()

    def _title(self) -> None:
        page = self.page_start // PAGE + 1
        self.query_one("#history-title", Static).update(self.t("tui.history.title", page=page))

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.page_start = 0
        self._load()

    def action_page(self, step: int) -> None:
        self.page_start = max(0, self.page_start + step * PAGE)
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def _load(self) -> None:
        rows = self.desk.history(self.query_text, offset=self.page_start, limit=PAGE)
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[HistoryRow]) -> None:
        table = self.query_one("#history", DataTable)
        table.clear(columns=True)
        t = self.t
        table.add_columns(*(t(f"tui.history.{c}") for c in ("time", "plate", "who", "doc", "temp")))
        zone = self.desk.settings.checkpoint.zone
        for row in rows:
            table.add_row(
                row.passed_at.astimezone(zone).strftime("%m-%d %H:%M"),
                row.plate or "—",
                mask_name(row.name or ""),
                mask_document(row.document or ""),
                ("⚠ " if row.flagged else "")
                + ("—" if row.value_c is None else f"{row.value_c:.1f}"),
                key=row.person_id.hex,
            )
        self._title()

    def action_back(self) -> None:
        self.dismiss(None)
