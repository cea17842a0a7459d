"""The serial scanner: lines split however they arrive, each scan one event over a real pty,
a scan sorted to its field, and a token masked."""

from __future__ import annotations

import os
import threading
import time
import tty

from hypothesis import given
from hypothesis import strategies as st

from checkpoint.scanner.codes import ScanKind, classify_scan, mask_token
from checkpoint.scanner.reader import CodeScanned, LineSplitter, ScannerReader, ScannerStatus

TOKEN = "https://jkm.example.gov.cn/v?t=Q2hlY2twb2ludA0x9f3a"


@given(st.lists(st.integers(1, 20), max_size=40), st.sampled_from([b"\r", b"\n", b"\r\n"]))
def test_scans_come_out_whole_however_the_bytes_are_split(pieces: list[int], end: bytes) -> None:
    stream = b"".join(text.encode() + end for text in (TOKEN, "440305199003070014", "abc"))
    splitter = LineSplitter()
    scans: list[str] = []
    at = 0
    for size in pieces:
        scans += splitter.feed(stream[at : at + size])
        at += size
    scans += splitter.feed(stream[at:])
    assert scans == [TOKEN, "440305199003070014", "abc"]


def test_an_id_number_goes_to_the_document_anything_else_is_a_token() -> None:
    assert classify_scan("440305199003070014") is ScanKind.DOCUMENT
    assert classify_scan(TOKEN) is ScanKind.HEALTH_CODE
    assert classify_scan("12345") is ScanKind.HEALTH_CODE


def test_a_token_is_masked_to_its_scheme_and_last_four() -> None:
    assert mask_token(TOKEN) == "https://…9f3a"
    assert mask_token("ABCDEFGHIJKL") == "ABCD…IJKL"
    assert mask_token("short") == "*****"
    assert "jkm.example" not in mask_token(TOKEN)


def test_the_reader_delivers_each_scan_from_a_pty() -> None:
    master, slave = os.openpty()
    tty.setraw(master)
    path = os.ttyname(slave)
    reader = ScannerReader(path)
    stop = threading.Event()
    seen: list[object] = []

    def feed() -> None:
        time.sleep(0.3)
        os.write(master, TOKEN[:10].encode())
        time.sleep(0.05)
        os.write(master, TOKEN[10:].encode() + b"\r\n440305199003070014\r\n")

    writer = threading.Thread(target=feed)
    writer.start()
    deadline = time.monotonic() + 20
    try:
        for event in reader.events(stop):
            seen.append(event)
            if len([e for e in seen if isinstance(e, CodeScanned)]) == 2:
                stop.set()
            if time.monotonic() > deadline:
                stop.set()
    finally:
        writer.join()
        os.close(master)
        os.close(slave)
    assert seen[0].status is ScannerStatus.CONNECTED  # type: ignore[attr-defined]
    assert [e.text for e in seen if isinstance(e, CodeScanned)] == [TOKEN, "440305199003070014"]
