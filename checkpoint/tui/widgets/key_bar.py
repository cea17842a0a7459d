"""The keys of the current screen, in the current language, clickable.

Textual's Footer shows binding descriptions as written (English only here) and rebuilds its
widgets on every focus change, retaining the old ones (Textualize/textual#6666: 270 kB per
screening in `bench/memory.py`). This bar is one Static, rendered again only on relabel.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from checkpoint.locale import Language, translate


class KeyBar(Static):
    """Shows the screen's and the app's bindings as "key description" pairs."""

    def show(self, bindings: list[Binding], language: Language) -> None:
        parts = []
        for binding in bindings:
            if not binding.show:
                continue
            key = f"key.{binding.action}"
            label = translate(key, language)
            description = binding.description if label == key else label
            shown = binding.key_display or binding.key.replace("ctrl+", "^").upper()
            click = f"@click=app.simulate_key('{binding.key}')"
            parts.append(
                Content.from_markup(
                    f"[b reverse {click}] $key [/][{click}] $description [/]",
                    key=shown,
                    description=description,
                )
            )
        self.update(Content(" ").join(parts))
