"""The staff's own temperatures, typed on one line at the start of a shift."""

from __future__ import annotations

import pytest

from checkpoint.domain.staff_checks import staff_entries, waiting_name
from checkpoint.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王芳 36.4，李强 36.5", [("王芳", "36.4"), ("李强", "36.5")]),  # the form's own example
        ("Wang 36.4, Li 36.5, ", [("Wang", "36.4"), ("Li", "36.5")]),
        ("王芳=36.4；李强：36.5", [("王芳", "36.4"), ("李强", "36.5")]),
        ("王芳 36.4 李强 36.5", [("王芳", "36.4"), ("李强", "36.5")]),
        ("王芳36,4、李强 97.5F", [("王芳", "36,4"), ("李强", "97.5F")]),
        ("Wang 36.6 Chen 36.5", [("Wang", "36.6"), ("Chen", "36.5")]),  # C of Chen is no unit
        ("王芳 ３６．４℃", [("王芳", "３６．４℃")]),
        ("Wang 37，Li 36.5", [("Wang", "37"), ("Li", "36.5")]),
        ("", []),
        ("  ，", []),
        # Names with spaces, with either language's separators.
        ("Zhao Lei 36.5, Chen Jie 36.6", [("Zhao Lei", "36.5"), ("Chen Jie", "36.6")]),
        ("Zhao Lei 36.5，Chen Jie 36.6", [("Zhao Lei", "36.5"), ("Chen Jie", "36.6")]),
        ("Zhao Lei 36.5、Chen Jie 36.6", [("Zhao Lei", "36.5"), ("Chen Jie", "36.6")]),
        ("Zhao Lei 36.5；Chen Jie=36.6", [("Zhao Lei", "36.5"), ("Chen Jie", "36.6")]),
        ("Zhao Lei 36.5 Chen Jie 36.6", [("Zhao Lei", "36.5"), ("Chen Jie", "36.6")]),
        ("Mary Ann Li 36.5; 王 芳 36.4", [("Mary Ann Li", "36.5"), ("王 芳", "36.4")]),
        ("Zhao   Lei 36.5", [("Zhao Lei", "36.5")]),  # the same person however spaced
        ("阿卜杜拉·买买提 36.5", [("阿卜杜拉·买买提", "36.5")]),
    ],
)
def test_entries_are_read_in_order(text: str, expected: list[tuple[str, str]]) -> None:
    assert staff_entries(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "param"),
    [
        ("王芳 36.4，李强", "staff.no_value", "李强"),
        ("李强，王芳 36.4", "staff.no_value", "李强"),
        ("Wang 36.4 37", "staff.unreadable", "37"),
        ("36.4", "staff.unreadable", "36.4"),
        ("Wang 36.4abc", "staff.unreadable", "Wang 36.4abc"),
        ("Zhao Lei, Chen Jie 36.6", "staff.no_value", "Zhao Lei"),
        ("Zhao Lei 36.5、Chen Jie", "staff.no_value", "Chen Jie"),
    ],
)
def test_nothing_is_dropped_in_silence(text: str, code: str, param: str) -> None:
    with pytest.raises(ValidationError) as raised:
        staff_entries(text)
    assert raised.value.code == code
    assert param in str(raised.value.params)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王芳", "王芳"),
        ("王芳 36.4，李强", "李强"),
        ("王芳 36.4 李强 ", "李强"),
        ("王芳 36.4，", None),
        ("王芳 36.4", None),
        ("", None),
        ("Zhao Le", "Zhao Le"),
        ("Wang 36.6, Zhao Lei", "Zhao Lei"),
        ("Wang 36.6 Zhao Lei ", "Zhao Lei"),
        ("王芳 36.4、赵 磊", "赵 磊"),
        ("Zhao Lei,", None),
    ],
)
def test_the_name_waiting_for_a_reading(text: str, expected: str | None) -> None:
    assert waiting_name(text) == expected
