"""Opt-in tests against a real ID card reader; skipped unless `--id-reader PATH` is given.

    pytest tests/idcard/test_hardware.py --id-reader /dev/ttyUSB1

Have a resident ID card at hand: the test asks you to lay it on the reader, then to take it
away. Nothing read is printed or kept beyond the test's own checks (the name is masked).
"""

from __future__ import annotations

import threading

import pytest

from checkpoint.domain.masking import mask_name
from checkpoint.idcard.events import CardRead, CardRefused, IdCardEvent, ReaderStatus
from checkpoint.idcard.reader import IdCardReader, IdReaderSettings, probe_reader

CARD_S = 30.0
"""How long the tester has to lay the card down and take it away (a bound, not a check)."""


def tell_the_tester(capsys: pytest.CaptureFixture[str], text: str) -> None:
    with capsys.disabled():
        print(f"\n>>> {text}", flush=True)


def test_the_reader_answers_a_probe(hardware_id_reader: str) -> None:
    assert probe_reader(hardware_id_reader, seconds=2.0)


def test_a_card_laid_down_is_read_once_and_its_removal_seen(
    hardware_id_reader: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = IdCardReader(IdReaderSettings(target=hardware_id_reader))
    tell_the_tester(
        capsys, f"Lay an ID card on the reader, leave it 3 s, take it away ({CARD_S:g} s) …"
    )
    stop = threading.Event()
    timer = threading.Timer(CARD_S, stop.set)
    timer.start()
    seen: list[IdCardEvent] = []
    try:
        for event in reader.events(stop):
            seen.append(event)
            if isinstance(event, CardRefused):
                stop.set()
            if not isinstance(event, CardRead | CardRefused) and (
                event.status is ReaderStatus.CARD_REMOVED
            ):
                stop.set()
    finally:
        timer.cancel()
    read = [e for e in seen if isinstance(e, CardRead)]
    refused = [e for e in seen if isinstance(e, CardRefused)]
    assert not refused, refused[0].error.message if refused else ""
    assert len(read) == 1, "exactly one event for one placement"
    tell_the_tester(capsys, f"read {mask_name(read[0].card.name)}: its checks passed")
