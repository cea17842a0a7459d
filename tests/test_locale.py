"""The message catalogs: both languages complete, the same fields, and every code in use defined."""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

import checkpoint
from checkpoint.locale import LANGUAGES, Language, catalog, load_catalog, translate

SOURCE_ROOT = Path(checkpoint.__file__).parent

# Literal message codes in the source: `SomeError.of("code", ...)`, `translate("key", ...)`,
# and config.py's `_tr("key", ...)`, a shorthand for translate in the default language.
CODE_PATTERNS = (
    re.compile(r'\.of\(\s*"([^"]+)"'),
    re.compile(r'\btranslate\(\s*"([^"]+)"'),
    re.compile(r'\b_tr\(\s*"([^"]+)"'),
)


def _field_names(text: str) -> set[str]:
    return {
        field for _, field, _, _ in string.Formatter().parse(text) if field is not None and field
    }


def _codes_in_source() -> dict[str, list[str]]:
    """Each literal code used in checkpoint/ and the places (file:line) that use it."""
    uses: dict[str, list[str]] = {}
    for path in sorted(SOURCE_ROOT.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in CODE_PATTERNS:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                where = f"{path.relative_to(SOURCE_ROOT.parent)}:{line}"
                uses.setdefault(match.group(1), []).append(where)
    return uses


@pytest.fixture(scope="module")
def catalogs() -> Mapping[Language, Mapping[str, str]]:
    return {language: catalog(language) for language in LANGUAGES}


def test_both_languages_are_present() -> None:
    assert set(LANGUAGES) == {"zh-CN", "en"}
    for language in LANGUAGES:
        assert catalog(language), f"the {language} catalog is empty"


def test_languages_have_the_same_keys(catalogs: Mapping[Language, Mapping[str, str]]) -> None:
    every_key = set().union(*(set(messages) for messages in catalogs.values()))
    missing = {
        language: sorted(every_key - set(messages))
        for language, messages in catalogs.items()
        if every_key - set(messages)
    }
    assert not missing, f"keys missing per language: {missing}"


def test_languages_use_the_same_format_fields(
    catalogs: Mapping[Language, Mapping[str, str]],
) -> None:
    english, chinese = catalogs["en"], catalogs["zh-CN"]
    differing = {
        key: {"en": sorted(_field_names(english[key])), "zh-CN": sorted(_field_names(chinese[key]))}
        for key in sorted(english.keys() & chinese.keys())
        if _field_names(english[key]) != _field_names(chinese[key])
    }
    assert not differing, f"format fields differ between languages: {differing}"


def test_every_hint_has_its_message(catalogs: Mapping[Language, Mapping[str, str]]) -> None:
    for language, messages in catalogs.items():
        orphans = sorted(
            key
            for key in messages
            if key.endswith(".hint") and key.removesuffix(".hint") not in messages
        )
        assert not orphans, f"{language}: hints without a message: {orphans}"


def test_source_finds_codes() -> None:
    # Guards the regular expressions: a pattern that matches nothing would pass the test below.
    uses = _codes_in_source()
    assert "store.missing" in uses
    assert "init.database_ready" in uses


def test_every_code_used_in_the_source_is_in_the_catalogs(
    catalogs: Mapping[Language, Mapping[str, str]],
) -> None:
    for language, messages in catalogs.items():
        undefined = {
            code: places for code, places in _codes_in_source().items() if code not in messages
        }
        assert not undefined, f"{language}: codes used in the source but not defined: {undefined}"


def test_translate_of_a_missing_key_returns_the_key() -> None:
    for language in LANGUAGES:
        assert translate("no.such.message", language) == "no.such.message"
        assert translate("no.such.message", language, path="x") == "no.such.message"


def test_translate_formats_the_fields() -> None:
    assert "/tmp/x.db" in translate("store.missing", "en", path="/tmp/x.db")
    assert "/tmp/x.db" in translate("store.missing", "zh-CN", path="/tmp/x.db")


def test_terms_are_rendered_in_the_language_of_the_message() -> None:
    from checkpoint.locale import Terms

    fields = Terms(("field.name", "field.phone"))
    assert (
        translate("desk.missing_fields", "zh-CN", fields=fields)
        == "本卡点必填、尚未填写：姓名、电话。"
    )
    assert translate("desk.missing_fields", "en", fields=fields).endswith(": name, phone.")


# -- the cached copy of the parsed catalogs ---------------------------------------------------


@pytest.fixture
def catalog_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "a.toml").write_text('"greeting" = "hello {name}"\n', encoding="utf-8")
    (folder / "b.toml").write_text('"farewell" = "bye"\n', encoding="utf-8")
    return folder


def test_a_catalog_is_parsed_once_and_then_read_from_its_cached_copy(
    catalog_folder: Path, tmp_path: Path
) -> None:
    cached = tmp_path / "cache" / "catalog-en.json"
    assert load_catalog(catalog_folder, cached) == {"greeting": "hello {name}", "farewell": "bye"}
    assert cached.exists()
    # The next start reads the copy, not the TOML: a changed copy shows that it was read.
    content = json.loads(cached.read_text(encoding="utf-8"))
    content["messages"]["farewell"] = "from the cache"
    cached.write_text(json.dumps(content), encoding="utf-8")
    assert load_catalog(catalog_folder, cached)["farewell"] == "from the cache"


def test_an_edited_catalog_file_makes_the_cached_copy_stale(
    catalog_folder: Path, tmp_path: Path
) -> None:
    cached = tmp_path / "catalog-en.json"
    load_catalog(catalog_folder, cached)
    (catalog_folder / "b.toml").write_text('"farewell" = "goodbye"\n', encoding="utf-8")
    assert load_catalog(catalog_folder, cached)["farewell"] == "goodbye"
    (catalog_folder / "c.toml").write_text('"added" = "new"\n', encoding="utf-8")
    assert load_catalog(catalog_folder, cached)["added"] == "new"


@pytest.mark.parametrize(
    "damage",
    [b"", b"\x00\xff garbage", b'{"format": 1}', b"[1, 2]", b'{"format": 99, "messages": {}}'],
)
def test_a_damaged_cached_copy_is_parsed_again_and_replaced(
    catalog_folder: Path, tmp_path: Path, damage: bytes
) -> None:
    cached = tmp_path / "catalog-en.json"
    cached.write_bytes(damage)
    assert load_catalog(catalog_folder, cached)["farewell"] == "bye"
    assert json.loads(cached.read_text(encoding="utf-8"))["messages"]["farewell"] == "bye"


def test_a_cache_folder_that_cannot_be_written_only_costs_parsing(
    catalog_folder: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    assert load_catalog(catalog_folder, blocker / "catalog-en.json")["farewell"] == "bye"
    assert list(tmp_path.glob("**/*.partial")) == []


def test_the_program_catalogs_come_from_the_cache_folder(tmp_path: Path) -> None:
    """The real catalogs, loaded by a fresh interpreter with its own cache folder, twice."""
    script = (
        "import json; from checkpoint.locale import catalog; print(json.dumps(catalog('zh-CN')))"
    )
    env = {**os.environ, "CHECKPOINT_HOME": str(tmp_path)}
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=True)
        for _ in range(2)
    ]
    assert (tmp_path / "cache" / "catalog-zh-CN.json").exists()
    assert [json.loads(run.stdout) for run in runs] == [dict(catalog("zh-CN"))] * 2
