"""Relabelling a Select safely: its options in another language, its prompt.

A Select builds its option list (an overlay) when it mounts; changing its options or prompt
before that fails inside Textual. A language switch or a screen's first `relabel()` can come
that early (the screen mounted, its selects not yet), so the change waits for the next refresh
when the overlay is not there yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import Select
from textual.widgets._select import SelectCurrent, SelectOverlay


def relabel_select(
    select: Select[Any],
    options: Sequence[tuple[str, Any]],
    prompt: str | None = None,
    *,
    keep_value: bool = True,
) -> None:
    """New option labels (and prompt) for `select`, keeping the value chosen unless
    `keep_value` is False (then a select without a blank shows its first option)."""
    if not select.query(SelectOverlay):
        select.call_after_refresh(relabel_select, select, options, prompt, keep_value=keep_value)
        return
    value = select.value
    select.set_options(options)
    if prompt is not None:
        select.prompt = prompt
    if keep_value and value is not Select.NULL:
        select.value = value
    # Textual redraws the closed select only when its value changes: a value that is also the
    # first option (a car, inbound) kept its old label, another language on the new screen.
    current = select.value
    label = next((text for text, option in options if option == current), None)
    if label is not None:
        select.query_one(SelectCurrent).update(label)
