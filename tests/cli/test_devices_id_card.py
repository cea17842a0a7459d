"""`devices read --protocol id-card --json` over the simulator (its documented fields), the
list and the probe recognising the reader, and a bad card file refused before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

from checkpoint.idcard.scenario import parse_card_script
from checkpoint.idcard.simulator import IdCardSimulator
from tests.cli.test_devices_simulate import invoke
from tests.idcard.cards import CARD_FILE

PLACE_LI = CARD_FILE + '[[step]]\nnothing = 0.3\n[[step]]\nplace = "li"\nseconds = 60\n'


def test_read_json_prints_one_card_with_its_fields(tmp_path: Path) -> None:
    with IdCardSimulator(parse_card_script(PLACE_LI, source="t")) as simulator:
        result = invoke(
            tmp_path, "devices", "read", "--protocol", "id-card", "--port", simulator.path,
            "--json", "--count", "1",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    cards = [line for line in lines if line["kind"] == "card"]
    assert len(cards) == 1
    card = {k: v for k, v in cards[0].items() if k not in ("kind", "at")}
    assert card == {
        "name": "李芳",
        "sex": "female",
        "nation": "回",
        "birth_date": "1985-06-11",
        "address": "湖北省武汉市武昌区解放路8号",
        "id_number": "42010619850611002X",
        "issuer": "武汉市公安局武昌分局",
        "valid_from": "2010-01-05",
        "valid_to": "long-term",
    }
    assert lines[0] == {**lines[0], "kind": "status", "reason": "connected"}


def test_read_in_chinese_says_the_card_in_words(tmp_path: Path) -> None:
    with IdCardSimulator(parse_card_script(PLACE_LI, source="t")) as simulator:
        result = invoke(
            tmp_path, "devices", "read", "--protocol", "id-card", "--port", simulator.path,
            "--count", "1", language="zh-CN",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "读卡：李芳，女，回，出生 1985-06-11" in result.stdout
    assert "有效期 2010-01-05 – 长期" in result.stdout


def test_the_list_shows_the_configured_reader_and_the_probe_recognises_it(
    tmp_path: Path,
) -> None:
    with IdCardSimulator(seed=2) as simulator:
        path = simulator.path
        listed = invoke(tmp_path, "--config", str(_config(tmp_path, path)), "devices")
        probed = invoke(tmp_path, "devices", "probe", path, "--seconds", "0.3")
    assert path in listed.stdout and "ID card reader" in listed.stdout
    assert "an ID card reader answers (id-card, 115200 bit/s)" in probed.stdout
    assert probed.exit_code == 0


def _config(folder: Path, port: str) -> Path:
    path = folder / "config.toml"
    path.write_text(f'[id_reader]\nport = "{port}"\n', encoding="utf-8")
    return path


def test_a_bad_card_file_is_refused_with_where_and_what(tmp_path: Path) -> None:
    cards = tmp_path / "cards.toml"
    cards.write_text('[[step]]\nplace = "nobody"\n', encoding="utf-8")
    result = invoke(tmp_path, "simulate", "--protocol", "id-card", "--card", str(cards))
    assert result.exit_code == 2
    assert "step 1" in result.output and "place" in result.output
    assert "Traceback" not in result.output
