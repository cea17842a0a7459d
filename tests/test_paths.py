"""Filesystem locations: CHECKPOINT_HOME, platformdirs, private folders."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from checkpoint import paths

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    # With umask 0 a mkdir(mode=0o777) would be world-readable: proves the 0o700 is ours.
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_home_puts_everything_in_one_folder(tmp_path: Path) -> None:
    env = {"CHECKPOINT_HOME": str(tmp_path)}

    assert paths.config_dir(env) == tmp_path
    assert paths.data_dir(env) == tmp_path
    assert paths.default_config_file(env) == tmp_path / "config.toml"
    assert paths.default_database(env) == tmp_path / "checkpoint.db"
    assert paths.default_risk_areas_file(env) == tmp_path / "risk-areas.toml"
    assert paths.backups_dir(env) == tmp_path / "backups"


def test_home_is_read_from_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHECKPOINT_HOME", str(tmp_path))

    assert paths.default_database() == tmp_path / "checkpoint.db"


def test_relative_home_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    assert paths.home_override({"CHECKPOINT_HOME": "portable"}) == tmp_path / "portable"


def test_empty_home_means_unset() -> None:
    assert paths.home_override({"CHECKPOINT_HOME": ""}) is None
    assert paths.home_override({}) is None


@pytest.mark.skipif(sys.platform != "linux", reason="XDG folders are the Linux convention")
def test_without_home_the_per_user_folders_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    assert paths.default_config_file({}) == tmp_path / "cfg" / "checkpoint" / "config.toml"
    assert paths.default_database({}) == tmp_path / "data" / "checkpoint" / "checkpoint.db"
    assert paths.backups_dir({}) == tmp_path / "data" / "checkpoint" / "backups"


@posix_only
@pytest.mark.usefixtures("open_umask")
def test_ensure_private_dir_creates_every_missing_folder_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c"

    assert paths.ensure_private_dir(target) == target

    for folder in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert folder.is_dir()
        assert mode(folder) == 0o700


@posix_only
def test_ensure_private_dir_leaves_an_existing_folder_alone(tmp_path: Path) -> None:
    # It may be the user's home (CHECKPOINT_HOME=~) or a folder they chose to share.
    target = tmp_path / "data"
    target.mkdir()
    target.chmod(0o755)

    paths.ensure_private_dir(target)

    assert mode(target) == 0o755


@posix_only
def test_ensure_private_dir_leaves_existing_parents_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)

    paths.ensure_private_dir(tmp_path / "new")

    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "new") == 0o700


def test_ensure_private_dir_is_idempotent(tmp_path: Path) -> None:
    target = tmp_path / "x"
    paths.ensure_private_dir(target)
    (target / "keep.txt").write_text("kept", encoding="utf-8")

    paths.ensure_private_dir(target)

    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"
