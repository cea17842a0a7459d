"""The configuration: defaults, the example file, every kind of mistake, overrides, writing."""

from __future__ import annotations

import os
import stat
import textwrap
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from checkpoint import config
from checkpoint.cli.config_cmd import config_app
from checkpoint.cli.context import CliContext
from checkpoint.config import (
    LoadedSettings,
    Settings,
    example_config_text,
    load_settings,
    render_effective,
    write_starting_config,
)
from checkpoint.domain.vocabulary import CheckpointKind, DirectionMode
from checkpoint.errors import ConfigError
from checkpoint.locale import catalog
from checkpoint.thermometer import protocols

REPO = Path(__file__).resolve().parents[1]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

FULL = """\
[checkpoint]
id = "HB-XG-0012"
name = "孝感北高速出口"
kind = "expressway-exit"
direction_mode = "one-way"
township = "孝南区"
county = "孝感市"
timezone = "Asia/Urumqi"

[screening]
threshold_c = 37.2
plausible_min_c = 33.0
plausible_max_c = 42.5
recheck_wait_minutes = 5
risk_areas_file = "/srv/checkpoint/areas.toml"

[screening.required_fields]
station = ["name", "document", "transport_no"]
gate = []

[thermometer]
port = "socket://192.168.1.20:4001"
protocol = "line"
baudrate = 115200
stable_delta_c = 0.1
offset_c = 0.9
ambient_coefficient = 0.05
ambient_reference_c = 22.0
line_pattern = 'AT\\+TEMP=(?P<ambient>\\d+),(?P<object>\\d+),(?P<body>\\d+),(?P<stable>\\d)'
line_scale = 0.1
line_error_pattern = "ERR"

[storage]
database = "/srv/checkpoint/log.db"
retention_days = 14

[reports]
day_cutoff_hour = 12
printer = "HP_LaserJet"
language = "en"

[sync]
hub_url = "https://hub.example.org/checkpoint"
interval_seconds = 60

[ui]
language = "en"
"""


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No CHECKPOINT_* variable of the developer's shell leaks in; the home is a temp folder."""
    for name in list(os.environ):
        if name.upper().startswith("CHECKPOINT_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("CHECKPOINT_HOME", str(home))
    return home


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(path: Path | None, env: Mapping[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env)
    return caught.value


# ---------------------------------------------------------------------------------------------
# Defaults and round trips


def test_no_file_means_embedded_defaults(clean_environment: Path) -> None:
    loaded = load_settings()

    assert loaded.path is None
    assert loaded.overrides == []
    settings = loaded.settings
    assert settings.checkpoint.id == "local"
    assert settings.checkpoint.timezone == "Asia/Shanghai"
    assert settings.screening.threshold_c == 37.3
    assert settings.screening.recheck_wait_minutes == 10
    assert settings.thermometer.port is None
    assert settings.storage.database == clean_environment / "checkpoint.db"
    assert settings.storage.retention_days == 28
    assert settings.ui.language == "zh-CN"
    assert settings.sync.token is None


def test_default_required_fields_follow_the_kind_of_checkpoint() -> None:
    required = Settings().screening.required_fields

    assert set(required) == set(CheckpointKind)
    assert "transport_no" in required[CheckpointKind.STATION]
    assert "transport_no" in required[CheckpointKind.PIER]
    assert "arrival_time" in required[CheckpointKind.VILLAGE]
    for fields in required.values():
        assert {"name", "symptoms", "risk_area_history"} <= set(fields)


def test_default_file_is_read_when_present(clean_environment: Path) -> None:
    clean_environment.mkdir()
    (clean_environment / "config.toml").write_text('[checkpoint]\nid = "HOME-1"\n', "utf-8")

    loaded = load_settings()

    assert loaded.path == clean_environment / "config.toml"
    assert loaded.settings.checkpoint.id == "HOME-1"


def test_env_home_of_the_caller_decides_the_default_database(tmp_path: Path) -> None:
    loaded = load_settings(env={"CHECKPOINT_HOME": str(tmp_path / "stick")})

    assert loaded.settings.storage.database == tmp_path / "stick" / "checkpoint.db"


def test_example_file_loads_to_the_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, example_config_text())

    assert load_settings(path).settings == Settings()


def test_full_configuration_is_read(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, FULL)).settings

    assert settings.checkpoint.kind is CheckpointKind.EXPRESSWAY_EXIT
    assert settings.checkpoint.direction_mode is DirectionMode.ONE_WAY
    assert settings.checkpoint.zone.key == "Asia/Urumqi"
    assert settings.screening.threshold_c == 37.2
    assert settings.screening.risk_areas_file == Path("/srv/checkpoint/areas.toml")
    assert settings.thermometer.offset_c == 0.9
    assert settings.thermometer.line_scale == 0.1
    assert settings.storage.database == Path("/srv/checkpoint/log.db")
    assert settings.reports.printer == "HP_LaserJet"
    assert str(settings.sync.hub_url) == "https://hub.example.org/checkpoint"


def test_required_fields_given_for_some_kinds_keep_the_defaults_of_the_others(
    tmp_path: Path,
) -> None:
    required = load_settings(write(tmp_path, FULL)).settings.screening.required_fields

    assert required[CheckpointKind.STATION] == ("name", "document", "transport_no")
    assert required[CheckpointKind.GATE] == ()
    assert (
        required[CheckpointKind.ROAD] == Settings().screening.required_fields[CheckpointKind.ROAD]
    )


def test_full_configuration_round_trips_through_render_effective(tmp_path: Path) -> None:
    first = load_settings(write(tmp_path, FULL))

    again = load_settings(write(tmp_path, render_effective(first), "effective.toml"))

    assert again.settings == first.settings


def test_relative_paths_are_relative_to_the_configuration_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [screening]
        risk_areas_file = "areas.toml"
        [storage]
        database = "data/log.db"
        """,
    )

    settings = load_settings(path).settings

    assert settings.screening.risk_areas_file == tmp_path / "areas.toml"
    assert settings.storage.database == tmp_path / "data" / "log.db"


def test_every_setting_is_documented_and_every_unset_one_has_an_example() -> None:
    for section_name, section_info in Settings.model_fields.items():
        assert section_info.description, section_name
        model = section_info.annotation
        assert isinstance(model, type)
        assert issubclass(model, BaseModel)
        for name, info in model.model_fields.items():
            assert info.description, f"{section_name}.{name} has no docstring"
            if info.default is None:
                assert info.examples, f"{section_name}.{name} needs an example"


def test_every_setting_appears_in_the_example_text() -> None:
    text = example_config_text()

    for section_name, section_info in Settings.model_fields.items():
        assert f"[{section_name}]" in text
        model = section_info.annotation
        assert isinstance(model, type)
        assert issubclass(model, BaseModel)
        for name in model.model_fields:
            assert f"{name} = " in text or f"[{section_name}.{name}]" in text, name


def test_committed_example_is_the_generated_text() -> None:
    committed = (REPO / "config.example.toml").read_text(encoding="utf-8")

    assert committed == example_config_text(), (
        "config.example.toml is out of date: regenerate it with\n"
        "  .venv/bin/python -c 'from checkpoint.config import example_config_text as t; "
        'open("config.example.toml", "w", encoding="utf-8").write(t())\''
    )


# ---------------------------------------------------------------------------------------------
# Mistakes in the file


def test_unknown_key_names_key_file_line_and_the_close_match(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [checkpoint]
        id = "A1"

        [screening]
        # the usual threshold
        threshhold_c = 37.5
        """,
    )

    error = load_error(path)

    assert "screening.threshhold_c = 37.5" in error.message
    assert f"{path}, line 6" in error.message
    assert "did you mean threshold_c?" in error.message
    assert "plausible_min_c" in error.message  # the allowed keys are listed
    assert error.code == "config.invalid"


def test_unknown_section_suggests_the_close_match(tmp_path: Path) -> None:
    path = write(tmp_path, "[screenning]\nthreshold_c = 37.5\n")

    error = load_error(path)

    assert "screenning" in error.message
    assert f"{path}, line 1" in error.message
    assert "unknown section" in error.message
    assert "did you mean screening?" in error.message


def test_key_above_every_section_is_told_where_it_belongs(tmp_path: Path) -> None:
    path = write(tmp_path, "retention_days = 7\n")

    error = load_error(path)

    assert "retention_days belongs under [storage]" in error.message


def test_bad_enum_value_lists_the_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path, '[checkpoint]\nkind = "toll"\n')

    error = load_error(path)

    assert 'checkpoint.kind = "toll"' in error.message
    assert f"{path}, line 2" in error.message
    for kind in CheckpointKind:
        assert f"'{kind.value}'" in error.message


def test_unknown_person_field_lists_the_allowed_names(tmp_path: Path) -> None:
    path = write(tmp_path, '[screening.required_fields]\nstation = ["name", "passport"]\n')

    error = load_error(path)

    assert 'screening.required_fields.station[1] = "passport"' in error.message
    assert f"{path}, line 2" in error.message
    assert "'transport_no'" in error.message


def test_threshold_out_of_range_states_the_range(tmp_path: Path) -> None:
    path = write(tmp_path, "[screening]\nthreshold_c = 42\n")

    error = load_error(path)

    assert "screening.threshold_c = 42" in error.message
    assert f"{path}, line 2" in error.message
    assert "allowed: 35.0 to 40.0" in error.message


def test_plausible_min_must_be_below_max(tmp_path: Path) -> None:
    path = write(tmp_path, "[screening]\nplausible_min_c = 38.0\nplausible_max_c = 38.0\n")

    error = load_error(path)

    assert "screening.plausible_max_c = 38.0" in error.message
    assert f"{path}, line 3" in error.message
    assert "greater than plausible_min_c (38.0)" in error.message


def test_threshold_must_lie_inside_the_plausible_window(tmp_path: Path) -> None:
    path = write(tmp_path, "[screening]\nthreshold_c = 36.0\nplausible_min_c = 36.5\n")

    error = load_error(path)

    assert "screening.plausible_min_c = 36.5" in error.message
    assert "below threshold_c (36.0)" in error.message


def test_threshold_must_lie_below_the_plausible_maximum() -> None:
    error = load_error(None, env={"CHECKPOINT_SCREENING__PLAUSIBLE_MAX_C": "37.0"})

    assert "screening.plausible_max_c = 37.0" in error.message
    assert "environment variable CHECKPOINT_SCREENING__PLAUSIBLE_MAX_C" in error.message
    assert "above threshold_c (37.3)" in error.message


def test_bad_timezone(tmp_path: Path) -> None:
    path = write(tmp_path, '[checkpoint]\ntimezone = "Asia/Beijing"\n')

    error = load_error(path)

    assert 'checkpoint.timezone = "Asia/Beijing"' in error.message
    assert "IANA" in error.message


def test_bad_regex(tmp_path: Path) -> None:
    path = write(tmp_path, "[thermometer]\nline_pattern = '(?P<value>\\d+'\n")

    error = load_error(path)

    assert "thermometer.line_pattern" in error.message
    assert f"{path}, line 2" in error.message
    assert "not a valid regular expression" in error.message


def test_regex_without_a_value_group(tmp_path: Path) -> None:
    path = write(tmp_path, "[thermometer]\nline_pattern = '\\d+'\n")

    assert "(?P<value>...)" in load_error(path).message


def test_unknown_protocol_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, '[thermometer]\nprotocol = "gy-mcu9061"\n')

    error = load_error(path)

    assert ", ".join(config.known_protocols()) in error.message


def test_protocol_list_can_be_extended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    known = {**protocols.available(), "acme-ir": "acme_ir:AcmeIr"}
    monkeypatch.setattr(protocols, "available", lambda: known)

    loaded = load_settings(write(tmp_path, '[thermometer]\nprotocol = "acme-ir"\n'))

    assert loaded.settings.thermometer.protocol == "acme-ir"


def test_non_standard_baudrate(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, "[thermometer]\nbaudrate = 9601\n"))

    assert "thermometer.baudrate = 9601" in error.message
    assert "115200" in error.message


@pytest.mark.parametrize(
    "port",
    ["/dev/ttyUSB0", "/dev/serial/by-id/usb-1a86-if00", "COM3", "loop://", "socket://hub:4001"],
)
def test_accepted_ports(tmp_path: Path, port: str) -> None:
    loaded = load_settings(write(tmp_path, f'[thermometer]\nport = "{port}"\n'))

    assert loaded.settings.thermometer.port == port


@pytest.mark.parametrize("port", ["ttyUSB0", "socket://hub", "socket://hub:99999", "usb://x"])
def test_rejected_ports(tmp_path: Path, port: str) -> None:
    error = load_error(write(tmp_path, f'[thermometer]\nport = "{port}"\n'))

    assert f'thermometer.port = "{port}"' in error.message
    assert "allowed:" in error.message


def test_bad_hub_url(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, '[sync]\nhub_url = "ftp://hub.example.org"\n'))

    assert 'sync.hub_url = "ftp://hub.example.org"' in error.message
    assert "'http' or 'https'" in error.message


def test_a_wrong_token_is_not_shown(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, "[sync]\ntoken = 123456\n"))

    assert "sync.token = ********" in error.message
    assert "123456" not in error.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        [checkpoint]
        kind = "toll"
        [screening]
        threshold_c = 50
        [storage]
        retention_days = 0
        """,
    )

    error = load_error(path)

    assert error.params["count"] == 3
    assert "line 2" in error.message
    assert "line 4" in error.message
    assert "line 6" in error.message


def test_toml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "[screening]\nthreshold_c = 37,3\n")

    error = load_error(path)

    assert error.code == "config.syntax"
    assert f"{path}, line 2, column 17" in error.message
    assert "threshold_c = 37,3" in error.message  # the offending line is shown
    assert error.hint


def test_unterminated_string_is_placed_at_the_end(tmp_path: Path) -> None:
    path = write(tmp_path, '[checkpoint]\nname = "East gate\n')

    error = load_error(path)

    assert error.code == "config.syntax"
    assert str(path) in error.message


def test_file_saved_as_gbk_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes('[checkpoint]\nname = "东门"\n'.encode("gbk"))

    error = load_error(path)

    assert error.code == "config.not_utf8"
    assert "line 2" in error.message
    assert "UTF-8" in error.hint


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes('[checkpoint]\nname = "东门"\n'.encode("utf-8-sig"))

    assert load_settings(path).settings.checkpoint.name == "东门"


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"

    error = load_error(missing)

    assert error.code == "config.missing_file"
    assert str(missing) in error.message
    assert "checkpoint init" in error.hint


def test_config_variable_names_an_explicit_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[checkpoint]\nid = "FROM-ENV"\n', "other.toml")

    loaded = load_settings(env={"CHECKPOINT_CONFIG": str(path)})

    assert loaded.path == path
    assert loaded.settings.checkpoint.id == "FROM-ENV"
    assert loaded.overrides == []
    missing = load_error(None, env={"CHECKPOINT_CONFIG": str(tmp_path / "gone.toml")})
    assert missing.code == "config.missing_file"


# ---------------------------------------------------------------------------------------------
# Environment overrides


def test_env_override_is_applied_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[screening]\nthreshold_c = 37.3\n")

    loaded = load_settings(path, env={"CHECKPOINT_SCREENING__THRESHOLD_C": "37.5"})

    assert loaded.settings.screening.threshold_c == 37.5
    assert loaded.overrides == ["CHECKPOINT_SCREENING__THRESHOLD_C"]


def test_env_override_of_a_text_setting_keeps_the_text(tmp_path: Path) -> None:
    loaded = load_settings(
        env={
            "CHECKPOINT_CHECKPOINT__ID": "12345",
            "CHECKPOINT_SYNC__TOKEN": "000123",
            "CHECKPOINT_CHECKPOINT__NAME": '"quoted"',
            "CHECKPOINT_THERMOMETER__PORT": "/dev/ttyACM0",
        }
    )

    settings = loaded.settings
    assert settings.checkpoint.id == "12345"
    assert settings.sync.token is not None
    assert settings.sync.token.get_secret_value() == "000123"
    assert settings.checkpoint.name == "quoted"
    assert settings.thermometer.port == "/dev/ttyACM0"


def test_empty_env_override_unsets_an_optional_setting(tmp_path: Path) -> None:
    path = write(tmp_path, '[thermometer]\nport = "/dev/ttyUSB0"\n')

    loaded = load_settings(path, env={"CHECKPOINT_THERMOMETER__PORT": ""})

    assert loaded.settings.thermometer.port is None


def test_env_override_of_required_fields_accepts_underscores() -> None:
    loaded = load_settings(
        env={"CHECKPOINT_SCREENING__REQUIRED_FIELDS__EXPRESSWAY_EXIT": '["name", "phone"]'}
    )

    required = loaded.settings.screening.required_fields
    assert required[CheckpointKind.EXPRESSWAY_EXIT] == ("name", "phone")


def test_invalid_env_override_names_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "[screening]\nthreshold_c = 37.3\n")

    error = load_error(path, env={"CHECKPOINT_SCREENING__THRESHOLD_C": "41.5"})

    assert "screening.threshold_c = 41.5" in error.message
    assert "environment variable CHECKPOINT_SCREENING__THRESHOLD_C" in error.message
    assert str(path) not in error.message


def test_env_override_of_an_unknown_key_names_the_variable() -> None:
    error = load_error(None, env={"CHECKPOINT_SCREENING__THRESHOLD": "37.5"})

    assert "environment variable CHECKPOINT_SCREENING__THRESHOLD" in error.message
    assert "did you mean threshold_c?" in error.message


def test_variables_that_are_not_overrides_are_ignored(tmp_path: Path) -> None:
    loaded = load_settings(
        env={
            "CHECKPOINT_HOME": str(tmp_path),
            "CHECKPOINT_CONFIG": "",
            "CHECKPOINT_DEVICE": "/dev/ttyUSB9",
            "PATH": "/usr/bin",
        }
    )

    assert loaded.overrides == []
    assert loaded.path is None


# ---------------------------------------------------------------------------------------------
# Writing and showing


@posix_only
def test_write_starting_config_is_private(tmp_path: Path) -> None:
    target = tmp_path / "new" / "config.toml"

    assert write_starting_config(target) == target

    assert target.read_text(encoding="utf-8") == example_config_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_write_starting_config_refuses_to_overwrite(tmp_path: Path) -> None:
    target = write(tmp_path, '[checkpoint]\nid = "REAL"\n')

    with pytest.raises(ConfigError) as caught:
        write_starting_config(target)

    assert caught.value.code == "config.exists"
    assert "--force" in caught.value.hint
    assert target.read_text(encoding="utf-8") == '[checkpoint]\nid = "REAL"\n'


@posix_only
def test_write_starting_config_overwrites_with_force(tmp_path: Path) -> None:
    target = write(tmp_path, '[checkpoint]\nid = "REAL"\n')
    target.chmod(0o644)

    write_starting_config(target, force=True)

    assert target.read_text(encoding="utf-8") == example_config_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_render_effective_hides_the_token(tmp_path: Path) -> None:
    path = write(tmp_path, '[sync]\nhub_url = "https://hub.example.org"\ntoken = "s3cret-token"\n')

    text = render_effective(load_settings(path))

    assert "s3cret-token" not in text
    assert tomllib.loads(text)["sync"]["token"] == "********"


def test_render_effective_marks_env_overrides_and_unset_keys() -> None:
    loaded = load_settings(env={"CHECKPOINT_REPORTS__DAY_CUTOFF_HOUR": "12"})

    text = render_effective(loaded)

    assert "day_cutoff_hour = 12  # CHECKPOINT_REPORTS__DAY_CUTOFF_HOUR" in text
    assert "# port is not set" in text
    assert "token" not in tomllib.loads(text)["sync"]


def test_loaded_settings_is_immutable() -> None:
    loaded = LoadedSettings(settings=Settings(), path=None)

    with pytest.raises(AttributeError):
        loaded.path = Path("x")  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        loaded.settings.screening.threshold_c = 38.0  # type: ignore[misc]


def test_config_messages_exist_in_both_languages() -> None:
    english = {key for key in catalog("en") if key.startswith("config.")}
    chinese = {key for key in catalog("zh-CN") if key.startswith("config.")}

    assert english == chinese
    assert english


# ---------------------------------------------------------------------------------------------
# `checkpoint config check`


def invoke_check(config_path: Path | None, env: dict[str, str] | None = None) -> tuple[int, str]:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        pass

    root.add_typer(config_app, name="config")
    result = CliRunner().invoke(
        root, ["config", "check"], obj=CliContext(config_path=config_path), env=env
    )
    return result.exit_code, result.output


def test_check_prints_source_overrides_and_settings(tmp_path: Path) -> None:
    path = write(tmp_path, '[sync]\ntoken = "s3cret"\n[ui]\nlanguage = "en"\n')

    code, output = invoke_check(path, env={"CHECKPOINT_SCREENING__THRESHOLD_C": "37.5"})

    assert code == 0
    assert f"Configuration file: {path}" in output
    assert "Environment overrides: CHECKPOINT_SCREENING__THRESHOLD_C" in output
    assert "threshold_c = 37.5" in output
    assert 'token = "********"' in output
    assert "s3cret" not in output


def test_check_without_a_file_says_defaults_apply() -> None:
    code, output = invoke_check(None, env={"CHECKPOINT_UI__LANGUAGE": "en"})

    assert code == 0
    assert "built-in defaults" in output


def test_check_fails_with_exit_code_2_on_a_bad_configuration(tmp_path: Path) -> None:
    path = write(tmp_path, "[screening]\nthreshold_c = 45\n")

    code, output = invoke_check(path)

    assert code == 2
    assert "screening.threshold_c = 45" in output


def test_local_plate_prefixes_are_checked_and_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, '[checkpoint]\nlocal_plates = ["鄂k", "湘"]\n')
    assert load_settings(path).settings.checkpoint.local_plates == ("鄂K", "湘")
    error = load_error(write(tmp_path, '[checkpoint]\nlocal_plates = ["HB"]\n', "bad.toml"))
    assert "checkpoint.local_plates" in error.message
    assert "'HB' is not a plate prefix" in error.message


def test_entry_mode_is_quick_or_full(tmp_path: Path) -> None:
    loaded = load_settings(None, env={"CHECKPOINT_SCREENING__ENTRY_MODE": "full"})
    assert loaded.settings.screening.entry_mode == "full"
    error = load_error(None, env={"CHECKPOINT_SCREENING__ENTRY_MODE": "slow"})
    assert "screening.entry_mode" in error.message and "quick" in error.message
