"""Recent people, newest first, a page at a time; search by any part of a plate, document
number or name (shown masked).

Pages are keyset pages (see `screening/history.py`): PageDown asks for the rows below the last
one shown, PageUp for the rows above the first, so the thousandth page is as quick as the first.
Rows with a correction are marked ✎; Enter (or Ctrl+A) on a row opens its amend screen.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input, Static

from checkpoint.domain.masking import mask_document, mask_name
from checkpoint.screening.history import History, HistoryPage
from checkpoint.tui.base import AppScreen
from checkpoint.tui.screens.amend import AmendScreen
from checkpoint.tui.widgets.key_bar import KeyBar


class HistoryScreen(AppScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "back", priority=True),
        Binding("pagedown", "page(1)", "next page", priority=True),
        Binding("pageup", "page(-1)", "previous page", priority=True),
        Binding("ctrl+a", "amend", "amend", priority=True),
        # Not a priority: the rows move their cursor with Down; from the search field (which
        # has no use for it) Down goes to the rows, as a volunteer expects.
        Binding("down", "to_rows", "rows", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.page_no = 1
        self.page: HistoryPage | None = None
        self._bound: tuple[int | None, int | None] = (None, None)
        """(before, after) of the page shown, to load it again after a correction."""

    @property
    def history(self) -> History:
        desk = self.desk
        return History(store=desk.store, settings=desk.settings, clock=desk.clock)

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
        if self.page is not None:
            self._show(self.page, self.page_no)

    def _title(self) -> None:
        self.query_one("#history-title", Static).update(
            self.t("tui.history.title", page=self.page_no)
        )

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._load()

    @on(Input.Submitted, "#search")
    def _to_rows(self) -> None:
        self.query_one("#history", DataTable).focus()

    def action_to_rows(self) -> None:
        self._to_rows()

    def action_page(self, step: int) -> None:
        page = self.page
        if page is None:
            return
        if step > 0 and page.older:
            self._load(before=page.last_seq, page_no=self.page_no + 1)
        elif step < 0 and page.newer:
            self._load(after=page.first_seq, page_no=max(1, self.page_no - 1))

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def _load(
        self, *, before: int | None = None, after: int | None = None, page_no: int = 1
    ) -> None:
        page = self.history.page(self.query_text, before=before, after=after)
        if after is not None and not page.newer:
            page_no = 1  # rows were added meanwhile: this is the newest page now
        self._bound = (before, after)
        self.app.call_from_thread(self._show, page, page_no)

    def _show(self, page: HistoryPage, page_no: int) -> None:
        self.page, self.page_no = page, page_no
        table = self.query_one("#history", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        t = self.t
        table.add_columns(
            *(t(f"tui.history.{c}") for c in ("time", "plate", "who", "doc", "temp")),
            t("tui.history.amended"),
        )
        zone = self.desk.settings.checkpoint.zone
        for row in page.rows:
            table.add_row(
                row.passed_at.astimezone(zone).strftime("%m-%d %H:%M"),
                row.plate or "—",
                mask_name(row.name or ""),
                mask_document(row.document or ""),
                ("⚠ " if row.flagged else "")
                + ("—" if row.value_c is None else f"{row.value_c:.1f}"),
                "✎" if row.amended else "",
                key=row.person_id.hex,
            )
        if page.rows:
            table.move_cursor(row=min(cursor, len(page.rows) - 1))
        self._title()

    def _selected(self) -> uuid.UUID | None:
        page = self.page
        table = self.query_one("#history", DataTable)
        if page is None or not page.rows or not 0 <= table.cursor_row < len(page.rows):
            return None
        return page.rows[table.cursor_row].person_id

    @on(DataTable.RowSelected, "#history")
    def _row_chosen(self) -> None:
        self.action_amend()

    def action_amend(self) -> None:
        person_id = self._selected()
        if person_id is None:
            return
        shift = self.checkpoint_app.shift
        operator = leader = ""
        if shift is not None:
            operator = shift.operators[0] if shift.operators else shift.leader
            leader = shift.leader

        def back(amended: bool | None) -> None:
            if amended:
                before, after = self._bound
                self._load(before=before, after=after, page_no=self.page_no)

        self.app.push_screen(AmendScreen(person_id, operator, leader), back)

    def action_back(self) -> None:
        self.dismiss(None)
