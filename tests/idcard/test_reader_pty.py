"""The real driver over a real pty against the simulator: one event per card placed, status
events with reasons, damaged and split frames, and a reader unplugged and plugged back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from checkpoint.idcard.events import CardRead, CardRefused, IdCardEvent, ReaderStatus
from checkpoint.idcard.reader import IdCardReader, IdReaderSettings, probe_reader
from checkpoint.idcard.scenario import parse_card_script
from checkpoint.idcard.simulator import IdCardSimulator
from tests.idcard.cards import CARD_FILE, LI, ZHANG

WAIT_S = 20.0
"""A bound on waiting for the simulator on a busy machine, not a timing check."""


def read_until(
    simulator: IdCardSimulator,
    done: Callable[[list[IdCardEvent]], bool],
    *,
    target: str | None = None,
) -> list[IdCardEvent]:
    reader = IdCardReader(IdReaderSettings(target=target or simulator.path, poll_interval_s=0.05))
    stop = threading.Event()
    seen: list[IdCardEvent] = []
    thread = threading.Thread(target=lambda: seen.extend(reader.events(stop)))
    # extend() takes the events as they come: `seen` grows while the reader runs.
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not done(list(seen)) and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(timeout=10)
    return seen


def script(steps: str) -> IdCardSimulator:
    return IdCardSimulator(parse_card_script(CARD_FILE + steps, source="test"))


def cards(events: list[IdCardEvent]) -> list[str]:
    return [e.card.name for e in events if isinstance(e, CardRead)]


def statuses(events: list[IdCardEvent]) -> list[ReaderStatus]:
    return [e.status for e in events if not isinstance(e, CardRead | CardRefused)]


def test_each_card_placed_is_one_event_however_long_it_lies_there() -> None:
    steps = """
[[step]]
nothing = 0.3
[[step]]
place = "zhang"
seconds = 1.5
[[step]]
nothing = 0.5
[[step]]
place = "li"
seconds = 1.0
[[step]]
nothing = 0.5
"""
    with script(steps) as simulator:
        seen = read_until(simulator, lambda s: simulator.finished.is_set())
    read = [e for e in seen if isinstance(e, CardRead)]
    assert [e.card for e in read] == [ZHANG, LI]  # ~30 polls while they lay there: 2 events
    assert statuses(seen)[:2] == [ReaderStatus.CONNECTED, ReaderStatus.NO_CARD]
    assert statuses(seen).count(ReaderStatus.CARD_REMOVED) == 2
    assert ReaderStatus.NO_CARD not in statuses(seen)[2:]  # "removed" already said it


def test_damaged_split_and_noisy_answers_still_give_the_card() -> None:
    steps = """
[[step]]
chunks = [1, 7]
[[step]]
garbage = 40
[[step]]
bad_checksum = 2
[[step]]
place = "zhang"
seconds = 2.5
"""
    with script(steps) as simulator:
        seen = read_until(simulator, lambda s: bool(cards(s)))
    assert cards(seen) == ["张伟"]
    assert ReaderStatus.BAD_CHECKSUM in statuses(seen)


def test_a_card_that_fails_its_checks_is_refused_once_with_the_reason() -> None:
    steps = """
[[step]]
place = "forged"
seconds = 1.0
[[step]]
nothing = 0.5
[[step]]
place = "zhang"
seconds = 2.0
"""
    with script(steps) as simulator:
        seen = read_until(simulator, lambda s: bool(cards(s)))
    refused = [e for e in seen if isinstance(e, CardRefused)]
    assert len(refused) == 1
    assert refused[0].error.code == "idcard.problem.id-number"
    assert cards(seen) == ["张伟"]


def test_a_reader_not_authorised_says_so_and_reads_once_it_is() -> None:
    steps = """
[[step]]
status = "not-authorised"
[[step]]
nothing = 0.5
[[step]]
status = "ok"
[[step]]
place = "li"
seconds = 8.0
"""
    with script(steps) as simulator:
        seen = read_until(simulator, lambda s: bool(cards(s)))
    assert ReaderStatus.NOT_AUTHORISED in statuses(seen)
    assert cards(seen) == ["李芳"]


def test_an_unplugged_reader_is_found_again_and_reads_the_next_card(tmp_path: Path) -> None:
    steps = """
[[step]]
nothing = 0.5
[[step]]
unplug = 400
[[step]]
nothing = 0.5
[[step]]
place = "zhang"
seconds = 3.0
"""
    simulator = IdCardSimulator(
        parse_card_script(CARD_FILE + steps, source="test"), link=tmp_path / "reader"
    )
    with simulator:
        seen = read_until(simulator, lambda s: bool(cards(s)))
    found = statuses(seen)
    assert ReaderStatus.DISCONNECTED in found or ReaderStatus.TIMEOUT in found
    assert ReaderStatus.RECONNECTING in found
    assert found.count(ReaderStatus.CONNECTED) >= 2
    assert cards(seen) == ["张伟"]


def test_a_missing_port_is_a_port_error_in_the_readers_words() -> None:
    reader = IdCardReader(IdReaderSettings(target="/dev/nonexistent-id-reader"))
    stop = threading.Event()
    events = reader.events(stop)
    first = next(events)
    stop.set()
    assert first.status is ReaderStatus.PORT_ERROR  # type: ignore[union-attr]
    assert "ID reader" in first.detail  # type: ignore[union-attr]


def test_probe_recognises_a_reader_and_not_a_silent_line() -> None:
    with IdCardSimulator(seed=1) as simulator:
        assert probe_reader(simulator.path, seconds=2.0)
    silent = script("[[step]]\nsilence = 30\n")
    with silent:
        assert not probe_reader(silent.path, seconds=0.3)
