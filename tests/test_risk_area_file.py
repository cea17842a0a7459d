"""The configured risk-area list is found, read and checked, with clear errors."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from checkpoint.config import load_settings
from checkpoint.errors import ConfigError, ValidationError
from checkpoint.risk_area_file import EXAMPLE_FILE, load_risk_areas, risk_area_path

EXAMPLE = EXAMPLE_FILE  # the example shipped with the program


def _config(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_list_beside_the_configuration_is_used(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "risk-areas.toml")
    loaded = load_settings(_config(tmp_path), env={})
    areas = load_risk_areas(loaded)
    assert areas.source == str(tmp_path / "risk-areas.toml")
    assert [a.name for a in areas.match(origin="湖北省武汉市", route="", on=date(2020, 2, 1))] == [
        "湖北省武汉市",
        "湖北省",
    ]


def test_no_list_at_the_default_place_means_an_empty_list(tmp_path: Path) -> None:
    loaded = load_settings(_config(tmp_path), env={})
    areas = load_risk_areas(loaded)
    assert areas.areas == () and areas.source == ""
    assert risk_area_path(loaded) == (tmp_path / "risk-areas.toml", False)


def test_a_configured_list_that_is_missing_is_an_error(tmp_path: Path) -> None:
    loaded = load_settings(
        _config(tmp_path, '[screening]\nrisk_areas_file = "lists/today.toml"\n'), env={}
    )
    with pytest.raises(ConfigError) as caught:
        load_risk_areas(loaded)
    assert caught.value.code == "risk_areas.file_missing"
    assert str(tmp_path / "lists" / "today.toml") in caught.value.message


def test_a_list_not_in_utf8_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "risk-areas.toml").write_bytes('[[area]]\nname = "武汉"\n'.encode("gbk"))
    with pytest.raises(ConfigError) as caught:
        load_risk_areas(load_settings(_config(tmp_path), env={}))
    assert caught.value.code == "risk_areas.file_encoding"
    assert "UTF-8" in caught.value.hint


def test_bad_content_names_the_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "risk-areas.toml").write_text(
        '[[area]]\nname = "武汉"\nlevel = "high"\nfrom = 2020-01-23\n\n[[area]]\nlevel = "low"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        load_risk_areas(load_settings(_config(tmp_path), env={}))
    assert str(tmp_path / "risk-areas.toml") in caught.value.message
    assert "2" in caught.value.message


def test_the_shipped_example_is_documented_where_the_format_is() -> None:
    """config.example.toml and the README name the shipped example, and the README's sample
    is itself a valid list."""
    import re

    from checkpoint.domain.risk_areas import parse_risk_area_list

    repo = Path(__file__).parent.parent
    shipped = EXAMPLE.relative_to(repo).as_posix()
    assert shipped in (repo / "config.example.toml").read_text(encoding="utf-8")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert shipped in readme
    sample = re.search(r"```toml\n(.*?)```", readme, re.DOTALL)
    assert sample is not None
    listed = parse_risk_area_list(sample.group(1), source="README.md")
    assert [area.name for area in listed.areas] == ["湖北省武汉市"]
    assert parse_risk_area_list(EXAMPLE.read_text(encoding="utf-8"), source=shipped).areas
