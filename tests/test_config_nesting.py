"""A configuration nested thousands deep is refused with a message, never a RecursionError."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkpoint.cli.run_glance import glance
from checkpoint.config import MAX_NESTING, load_settings, nesting
from checkpoint.errors import ConfigError

DEEP = {
    "arrays": "a = " + "[" * 5000 + "]" * 5000,
    "inline tables": "a = " + "{b = " * 3000 + "1" + "}" * 3000,
    "dotted table": "[" + ".".join(["x"] * 5000) + "]",
    "just too deep": "a = " + "[" * 900 + "]" * 900,  # parses, but copying it would not
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_a_deeply_nested_file_is_refused_plainly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={"CHECKPOINT_HOME": str(tmp_path)})
    assert caught.value.code == "config.too_deep"
    assert str(path) in caught.value.message
    assert glance(path, {}).language  # the first screen's guess falls back to defaults


def test_a_deeply_nested_environment_value_stays_text(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    env = {"CHECKPOINT_HOME": str(tmp_path), "CHECKPOINT_UI__LANGUAGE": deep}
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env=env)
    assert "ui.language" in caught.value.message
    assert glance(None, env).language


def test_nesting_is_measured_without_recursion() -> None:
    value: list[object] = []
    for _ in range(100_000):
        value = [value]
    assert nesting(value) == 100_000
    assert nesting({"a": {"b": 1}}) == 2 and MAX_NESTING >= 3
