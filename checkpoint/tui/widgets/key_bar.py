"""The keys of the current screen, in the current language, clickable.

Textual's Footer shows binding descriptions as written (English only here) and rebuilds its
widgets on every focus change, retaining the old ones (Textualize/textual#6666: 270 kB per
screening in `bench/memory.py`). This bar is one Static, rendered again only on relabel.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from checkpoint.locale import Language, translate


def key_name(key: str, language: Language, *, compact: bool = False) -> str:
    """A binding's key as printed on the keyboard, in `language` where the catalog has a name
    for it ("pagedown" → "PgDn", "ctrl+l" → "Ctrl+L", or "^L" when `compact`), never
    Textual's internal name (PAGEDOWN)."""
    *modifiers, name = key.split(",")[0].split("+")  # the first of "ctrl+c,super+c"

    def cap(part: str, default: str) -> str:
        label = translate(f"keycap.{part}", language)
        return default if label == f"keycap.{part}" else label

    label = cap(name, name.upper())
    if compact and modifiers == ["ctrl"]:
        return f"^{label}"
    return "+".join([*(cap(m, m.capitalize()) for m in modifiers), label])


class KeyBar(Static):
    """Shows the screen's and the app's bindings as "key description" pairs."""

    def show(
        self,
        bindings: list[Binding],
        language: Language,
        label: Callable[[str], str | None],
    ) -> None:
        """The `bindings`, each named by `label(action)` (Textual's description when None)."""
        parts = []
        for binding in bindings:
            if not binding.show:
                continue
            description = label(binding.action) or binding.description
            shown = binding.key_display or key_name(binding.key, language, compact=True)
            click = f"@click=app.simulate_key('{binding.key}')"
            parts.append(
                Content.from_markup(
                    f"[b reverse {click}] $key [/][{click}] $description [/]",
                    key=shown,
                    description=description,
                )
            )
        self.update(Content(" ").join(parts))
