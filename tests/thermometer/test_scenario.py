"""Scenario files: each action parses to its step, each mistake to an error naming its place.

Scenarios are written by hand for demos and tests, so a mistake must say which file, which
step and which key is wrong (`ValidationError` with a catalog code and the source's name).
"""

from __future__ import annotations

import pytest

from checkpoint.domain.vocabulary import Unit
from checkpoint.errors import ValidationError
from checkpoint.thermometer.scenario import (
    BadChecksum,
    Chunks,
    Garbage,
    Nobody,
    ObjectFrames,
    Person,
    Raw,
    Scenario,
    SetAmbient,
    SetUnit,
    Silence,
    Step,
    Unplug,
    parse_scenario,
)

SOURCE = "demo.toml"


def parse(text: str) -> Scenario:
    return parse_scenario(text, source=SOURCE)


def one_step(body: str) -> Step:
    """The single step of a scenario whose only [[step]] table is `body`."""
    scenario = parse(f"[[step]]\n{body}\n")
    assert len(scenario.steps) == 1
    return scenario.steps[0]


def error_of(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse(text)
    return caught.value


# --------------------------------------------------------------------------------------------
# Every action


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("person = 37.8", Person(temp_c=37.8, ramp=3, frames=6)),
        ("person = 38\nramp = 5\nframes = 2", Person(temp_c=38.0, ramp=5, frames=2)),
        ("person = 20", Person(temp_c=20.0)),
        ("person = 45", Person(temp_c=45.0)),
        ("object = 35.1", ObjectFrames(temp_c=35.1, frames=6)),
        ("object = -5\nframes = 2", ObjectFrames(temp_c=-5.0, frames=2)),
        ("nobody = 1.5", Nobody(seconds=1.5)),
        ("garbage = 16", Garbage(count=16)),
        ('garbage = "00ff17"', Garbage(data=b"\x00\xff\x17")),
        ("chunks = []", Chunks(0, 0)),
        ("chunks = [1, 3]", Chunks(1, 3)),
        ("chunks = [2, 2]", Chunks(2, 2)),
        ("bad_checksum = 2", BadChecksum(frames=2)),
        ("silence = 2.0", Silence(seconds=2.0)),
        ("unplug = 500", Unplug(milliseconds=500)),
        ('unit = "F"', SetUnit(Unit.FAHRENHEIT)),
        ('unit = "C"', SetUnit(Unit.CELSIUS)),
        ("ambient = 5.0", SetAmbient(temp_c=5.0)),
        ("ambient = -10", SetAmbient(temp_c=-10.0)),
        ('raw = "aa5506240730"', Raw(b"\xaa\x55\x06\x24\x07\x30")),
        ('raw = "AA 55 06 24 07 30"', Raw(b"\xaa\x55\x06\x24\x07\x30")),
    ],
    ids=lambda v: v.replace("\n", " ") if isinstance(v, str) else "",
)
def test_each_action_parses_to_its_step(body: str, expected: Step) -> None:
    step = one_step(body)

    assert step == expected
    assert type(step) is type(expected)


def test_numbers_are_floats_and_counts_are_ints() -> None:
    person = one_step("person = 37")
    unplug = one_step("unplug = 500")

    assert isinstance(person, Person)
    assert isinstance(person.temp_c, float)
    assert isinstance(unplug, Unplug)
    assert isinstance(unplug.milliseconds, int)


def test_steps_keep_their_order() -> None:
    scenario = parse(
        """
        [[step]]
        unit = "F"
        [[step]]
        person = 38.5
        [[step]]
        nobody = 0.5
        """
    )

    assert scenario.steps == (SetUnit(Unit.FAHRENHEIT), Person(38.5), Nobody(0.5))


def test_top_level_settings() -> None:
    scenario = parse(
        """
        protocol = "fefd"
        interval = 0.05
        repeat = true

        [[step]]
        person = 37.0
        """
    )

    assert scenario.protocol == "fefd"
    assert scenario.interval == 0.05
    assert scenario.repeat is True
    assert scenario.steps == (Person(37.0),)


def test_top_level_defaults() -> None:
    scenario = parse("[[step]]\nperson = 37.0\n")

    assert scenario.protocol is None
    assert scenario.interval is None
    assert scenario.repeat is False


# --------------------------------------------------------------------------------------------
# Mistakes: the code says what is wrong, the message says where


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[[step]\nperson = 37\n", "scenario.bad_toml"),
        ("speed = 3\n[[step]]\nperson = 37\n", "scenario.unknown_top_key"),
        ("", "scenario.no_steps"),
        ('protocol = "aa55"\n', "scenario.no_steps"),
        ("step = []\n", "scenario.no_steps"),
        ('step = "person"\n', "scenario.no_steps"),
        ("interval = 0\n[[step]]\nperson = 37\n", "scenario.bad_value"),
        ("interval = 61\n[[step]]\nperson = 37\n", "scenario.bad_value"),
        ('interval = "fast"\n[[step]]\nperson = 37\n', "scenario.bad_value"),
        ("protocol = 3\n[[step]]\nperson = 37\n", "scenario.bad_value"),
    ],
    ids=[
        "bad toml",
        "unknown top key",
        "empty file",
        "no step tables",
        "empty step list",
        "step not a list",
        "interval zero",
        "interval too long",
        "interval text",
        "protocol not a name",
    ],
)
def test_a_file_level_mistake_names_the_source(text: str, code: str) -> None:
    error = error_of(text)

    assert error.code == code
    assert SOURCE in error.message


def test_an_unknown_top_key_is_named() -> None:
    error = error_of("speed = 3\n[[step]]\nperson = 37\n")

    assert error.params["key"] == "speed"
    assert "speed" in error.message


def test_bad_toml_gives_the_parser_detail() -> None:
    error = error_of("[[step]]\nperson = \n")

    assert error.code == "scenario.bad_toml"
    assert "line 2" in error.message


def test_a_step_that_is_not_a_table() -> None:
    error = error_of("step = [1, 2]\n")

    assert error.code == "scenario.not_a_table"
    assert f"{SOURCE}, step 1" in error.message


@pytest.mark.parametrize(
    ("body", "code", "key"),
    [
        ("ramp = 3", "scenario.one_action", None),
        ("person = 37\nnobody = 1", "scenario.one_action", None),
        ("person = 37\nfame = 2", "scenario.unknown_key", "fame"),
        ("nobody = 1\nframes = 2", "scenario.unknown_key", "frames"),
        ("object = 35\nramp = 2", "scenario.unknown_key", "ramp"),
        ("person = 19.9", "scenario.bad_value", "person"),
        ("person = 45.1", "scenario.bad_value", "person"),
        ('person = "37"', "scenario.bad_value", "person"),
        ("person = true", "scenario.bad_value", "person"),
        ("person = 37\nramp = -1", "scenario.bad_value", "ramp"),
        ("person = 37\nframes = 1001", "scenario.bad_value", "frames"),
        ("object = 61", "scenario.bad_value", "object"),
        ("chunks = [3, 1]", "scenario.bad_value", "chunks"),
        ("chunks = [0, 2]", "scenario.bad_value", "chunks"),
        ("chunks = [1, 99]", "scenario.bad_value", "chunks"),
        ("chunks = [2]", "scenario.bad_value", "chunks"),
        ("chunks = 2", "scenario.bad_value", "chunks"),
        ('unit = "K"', "scenario.bad_value", "unit"),
        ('unit = "c"', "scenario.bad_value", "unit"),
        ('raw = "aa5"', "scenario.bad_value", "raw"),
        ('raw = "zz"', "scenario.bad_value", "raw"),
        ('garbage = "0g"', "scenario.bad_value", "garbage"),
        ("garbage = -1", "scenario.bad_value", "garbage"),
        ("silence = -1.0", "scenario.bad_value", "silence"),
        ("nobody = -0.5", "scenario.bad_value", "nobody"),
        ("unplug = -5", "scenario.bad_value", "unplug"),
        ("bad_checksum = -1", "scenario.bad_value", "bad_checksum"),
        ("ambient = -41", "scenario.bad_value", "ambient"),
    ],
    ids=lambda v: v.replace("\n", " ") if isinstance(v, str) else None,
)
def test_a_step_mistake_names_the_source_the_step_and_the_key(
    body: str, code: str, key: str | None
) -> None:
    # The mistake is in the third step, after two good ones.
    error = error_of(f"[[step]]\nperson = 37\n[[step]]\nnobody = 1\n[[step]]\n{body}\n")

    assert error.code == code
    assert f"{SOURCE}, step 3" in error.message
    if key is not None:
        assert error.params["key"] == key
        assert key in error.message


def test_zero_actions_say_none_was_found() -> None:
    error = error_of("[[step]]\nframes = 3\n")

    assert error.code == "scenario.one_action"
    assert error.params["found"] == "none"
    assert "step 1" in error.message
    assert "person" in error.hint  # the hint lists the actions there are


def test_two_actions_are_both_named() -> None:
    error = error_of("[[step]]\nperson = 37\nnobody = 1\n")

    assert error.code == "scenario.one_action"
    assert "person" in str(error.params["found"])
    assert "nobody" in str(error.params["found"])


def test_a_bad_value_hint_says_what_is_allowed() -> None:
    error = error_of("[[step]]\nperson = 50\n")

    assert "20" in error.hint
    assert "45" in error.hint


def test_the_message_names_another_source_too() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_scenario("[[step]]\nsilence = -1\n", source="/srv/demo/winter.toml")

    assert "/srv/demo/winter.toml, step 1" in caught.value.message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('repeat = "no"\n[[step]]\nnobody = 1\n', "repeat"),
        ("[[step]]\nperson = 37.0\nramp = 2.7\n", "ramp"),
        ("[[step]]\nunplug = 0.5\n", "unplug"),
        ("[[step]]\nchunks = [true, true]\n", "chunks"),
        ("[[step]]\ngarbage = true\n", "garbage"),
    ],
)
def test_values_of_the_wrong_kind_are_refused(text: str, key: str) -> None:
    error = error_of(text)
    assert error.code == "scenario.bad_value"
    assert key in error.message
