"""Every kind of file the program writes is its owner's alone, whatever the umask, and
`--output` onto a device, a FIFO, a link or `-` writes into it instead of replacing it."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from checkpoint.hub.db import make_engine
from checkpoint.locale import load_catalog
from checkpoint.store import instance_lock
from checkpoint.store.engine import open_store
from checkpoint.store.migrate import backup
from checkpoint.sync.bundle import write_bundle
from tests.cli.test_init_verify import invoke
from tests.reports.conftest import build_log
from tests.test_files import null_device  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def lax_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    with open_store(folder / "checkpoint.db") as store:
        build_log(store)
    return folder


REPORT = ("report", "day", "--date", "2026-11-24")


@pytest.mark.parametrize("form", ["text", "receipt", "json", "terminal"])
def test_reports_in_every_format_are_private(home: Path, tmp_path: Path, form: str) -> None:
    out = tmp_path / f"day.{form}"
    result = invoke(home, *REPORT, "--format", form, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o600


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_ledgers_are_private(home: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"ledger.{suffix}"
    result = invoke(home, "export", "--from", "2026-11-24", "--to", "2026-11-25", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o600


def test_the_config_from_init_the_log_and_its_lock_are_private(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    result = invoke(home, "init")
    assert result.exit_code == 0, result.output
    assert _mode(home) == 0o700
    assert _mode(home / "config.toml") == 0o600
    with open_store(home / "checkpoint.db") as store:
        with store.session() as session:
            session.connection().exec_driver_sql("SELECT 1")
        for name in ("checkpoint.db", "checkpoint.db-wal", "checkpoint.db-shm"):
            assert _mode(home / name) == 0o600, name
        assert _mode(instance_lock.lock_file(store.path)) == 0o600


def test_a_log_left_readable_by_an_older_version_is_made_private(home: Path) -> None:
    (home / "checkpoint.db").chmod(0o644)
    open_store(home / "checkpoint.db").close()
    assert _mode(home / "checkpoint.db") == 0o600


def test_bundles_and_backups_are_private(home: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "stick" / "log.cpb"
    bundle.parent.mkdir()
    with open_store(home / "checkpoint.db") as store:
        write_bundle(store, bundle, checkpoint_id="HB-XG-0012", token="t" * 43)
    assert _mode(bundle) == 0o600
    saved = backup(home / "checkpoint.db", tmp_path / "backups", "0001")
    assert (_mode(saved.parent), _mode(saved)) == (0o700, 0o600)


def test_the_hub_database_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "hub" / "hub.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT 1"))
        assert _mode(path.parent) == 0o700
        for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
            assert _mode(path.parent / name) == 0o600, name
    finally:
        engine.dispose()


def test_the_catalog_cache_is_private(tmp_path: Path) -> None:
    source = tmp_path / "catalog"
    source.mkdir()
    (source / "a.toml").write_text('hello = "Hello"\n', encoding="utf-8")
    cached = tmp_path / "cache" / "catalog-en.json"
    assert load_catalog(source, cached) == {"hello": "Hello"}
    assert (_mode(cached.parent), _mode(cached)) == (0o700, 0o600)


def test_output_onto_a_device_writes_into_it(home: Path, null_device: Path) -> None:  # noqa: F811
    for args in (
        (*REPORT, "--format", "json"),
        ("export", "--from", "2026-11-24", "--to", "2026-11-25", "--format", "xlsx"),
    ):
        result = invoke(home, *args, "--output", str(null_device))
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(null_device.stat().st_mode)


def test_output_through_a_symlink_keeps_the_link(home: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = invoke(home, "export", "--from", "2026-11-24", "--to", "2026-11-25", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.stat().st_size > 0


def test_output_dash_is_standard_output(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(home, *REPORT, "--format", "json", "--output", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("{")
    assert not (tmp_path / "-").exists()


def test_pdfs_and_the_reports_folder_are_private(tmp_path: Path) -> None:
    from checkpoint.reports.output import save_private

    target = tmp_path / "data" / "reports" / "HB-day.pdf"
    save_private(target, b"%PDF-1.7\n", private_dir=True)  # as deliver_pdf saves every PDF
    assert (_mode(target.parent), _mode(target)) == (0o700, 0o600)
