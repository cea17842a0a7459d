"""Chinese labels drawn whole where one widget lies over another (a select's list, a toast).

Textual's compositor cuts every line at the edge of every widget on it and cuts each widget's
line at all those places; a double-width character that straddles the edge of a widget
*underneath* is replaced by two spaces, although the widget on top owns both halves. On the
lane the vehicle type list showed "面包" for 面包车 and "  车" for 客车 (Textualize/textual#6357,
open). Here a widget's line is cut only where the owner of the cells changes.

The replaced method is private to Textual; the version is pinned (textual==8.2.8) and a test
draws the list over the lane in zh-CN and checks the cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_EMPTY = Strip([])
"""Holds a cut that the piece before it already covers, so no widget underneath claims it."""


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    # Front to back: the first render to fill a cut owns it.
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            spans = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            # Runs of cuts that are all free (this render owns them) or all taken.
            starts = [
                cut
                for index, cut in enumerate(spans[:-1])
                if index == 0 or (line.get(cut) is None) != (line.get(spans[index - 1]) is None)
            ]
            ends = [*starts[1:], spans[-1]] if starts else []
            pieces = strip.divide([end - render_x for end in ends])
            for start, end, piece in zip(starts, ends, pieces, strict=False):
                if line.get(start) is not None:
                    continue  # a widget in front owns this run
                line[start] = piece
                for cut in spans:
                    if start < cut < end:
                        line[cut] = _EMPTY
    return chops  # type: ignore[return-value]


def install() -> None:
    """Replace Textual's line cutting (once, before the first screen is drawn)."""
    method: Any = _render_chops
    Compositor._render_chops = method  # type: ignore[method-assign]
