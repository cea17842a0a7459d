"""`docs/wire-format.md` is enough to post records and a daily report that a hub stores.

The worked example's hashes and digests are recomputed here from the document's words, with
`hashlib` and `json` alone: nothing of checkpoint's wire, chain or report code is imported for
it, as another system would not have it. The example is then posted with plain `httpx` to a real
hub on 127.0.0.1 and must be stored. The document must also name every table that travels with
its columns, and every refusal code, so that it cannot drift from the code.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sync.conftest import Hub

DOC = Path(__file__).parents[2] / "docs" / "wire-format.md"
CHECKPOINT = "HB-XG-0012"
"""The code of the example's checkpoint (the document's words)."""
ZERO_HASH = "0" * 64
"""`prev_hash` of `seq` 1."""
CHAIN_MEMBERS = ("id", "seq", "created_at", "prev_hash")
"""The record's members that are hashed besides its `values`."""
NOT_DIGESTED = ("generated_at", "log_range")
"""The report's members its digest leaves out."""

_BLOCK = re.compile(
    r"<!-- wire-example: (?P<name>[^>]*?) -->\n```[a-z]*\n(?P<body>.*?)\n```", re.DOTALL
)


def examples(text: str) -> dict[str, str]:
    """The document's marked fenced blocks, by their marker."""
    found: dict[str, str] = {}
    for match in _BLOCK.finditer(text):
        assert match["name"] not in found, f"two blocks marked {match['name']!r}"
        found[match["name"]] = match["body"]
    return found


# ------------------------------------------------------------- the document's words, in Python


def canonical(value: Any) -> bytes:
    """Canonical JSON (the document's section of that name)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def hashed_text(record: dict[str, Any]) -> bytes:
    """The bytes a record's `hash` is the SHA-256 of."""
    hashed = dict(record["values"])
    hashed.update((name, record[name]) for name in CHAIN_MEMBERS)
    names = sorted(hashed)
    digest = record["personal_digest"] or ""
    return (
        canonical([record["table"], names])
        + b"\n"
        + canonical([hashed[name] for name in names])
        + b"\n"
        + digest.encode("ascii")
    )


def personal_text(table: str, personal: dict[str, Any]) -> bytes:
    """The bytes a personal digest is the SHA-256 of."""
    names = sorted(personal)
    return canonical([table, names]) + b"\n" + canonical([personal[name] for name in names])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_digest(report: dict[str, Any]) -> str:
    return sha256(canonical({k: v for k, v in report.items() if k not in NOT_DIGESTED}))


# ----------------------------------------------------------------------------- the checks


def problems(text: str) -> list[str]:
    """Where the document's example disagrees with its own words (empty when it does not)."""
    blocks = examples(text)
    found: list[str] = []
    batch = json.loads(blocks["batch"])
    records: list[dict[str, Any]] = batch["records"]
    personal: dict[str, dict[str, Any]] = json.loads(blocks["personal"])
    printed = {
        int(seq): (table, hash_, None if digest == "-" else digest)
        for seq, table, hash_, digest in (line.split() for line in blocks["hashes"].splitlines())
    }
    previous = ZERO_HASH
    for expected_seq, record in enumerate(records, start=1):
        seq, table = record["seq"], record["table"]
        if seq != expected_seq:
            found.append(f"record {expected_seq} has seq {seq}")
        if record["prev_hash"] != previous:
            found.append(f"seq {seq}: prev_hash is not the hash of the record before")
        previous = record["hash"]
        digest = record["personal_digest"]
        values = personal.get(record["id"]) or record["personal"]
        if values is not None and sha256(personal_text(table, values)) != digest:
            found.append(f"seq {seq}: the personal values give another personal digest")
        computed = sha256(hashed_text(record))
        if computed != record["hash"]:
            found.append(f"seq {seq}: the document's words give the hash {computed}")
        if printed.get(seq) != (table, record["hash"], digest):
            found.append(f"seq {seq}: the printed hashes are not the batch's ({printed.get(seq)})")
    if len(printed) != len(records):
        found.append(f"{len(printed)} hashes printed for {len(records)} records")
    passenger = records[7]
    shown = blocks["hashed-text 8"].encode()
    if shown != hashed_text(passenger) or sha256(shown) != passenger["hash"]:
        found.append("the bytes shown for record 8 are not those its hash covers")
    shown = blocks["personal-text 8"].encode()
    digest_of_shown = sha256(shown)
    if shown != personal_text("person", personal[passenger["id"]]):
        found.append("the bytes shown for record 8's personal digest are not its values'")
    if digest_of_shown != passenger["personal_digest"]:
        found.append("the bytes shown for record 8's personal digest give another digest")
    report = json.loads(blocks["report"])
    if report_digest(report) != blocks["report-digest"].strip():
        found.append(f"the report's digest by the document's words is {report_digest(report)}")
    return found


def test_the_example_follows_the_documents_words() -> None:
    assert problems(DOC.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('"value": 38.14,', '"value": 38.15,'),  # a reading's value
        ('"name": "李娜"', '"name": "李哪"'),  # a personal value kept on the laptop
        ('"note": "咳嗽，', '"note": "咳嗽,'),  # a case's note (a full-width comma)
        ('"people": 2,', '"people": 3,'),  # the report's figures
        ("ZERO", "ZERO"),  # a hash as printed: replaced below
    ],
)
def test_a_byte_changed_in_the_example_is_caught(before: str, after: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    if before == "ZERO":
        first = examples(text)["hashes"].split()[2]
        before, after = first, first[:-1] + ("0" if first[-1] != "0" else "1")
    assert before in text
    assert problems(text.replace(before, after, 1)) != []


def _post(hub: Hub, token: str, batch: dict[str, Any]) -> list[dict[str, Any]]:
    answer = httpx.post(
        f"{hub.address}/v1/batches",
        content=gzip.compress(json.dumps(batch, ensure_ascii=False).encode("utf-8")),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    receipts: list[dict[str, Any]] = answer.json()["receipts"]
    return receipts


def test_the_example_batch_is_stored_by_a_hub(hub: Hub) -> None:
    batch = json.loads(examples(DOC.read_text(encoding="utf-8"))["batch"])
    token = hub.enroll(CHECKPOINT)

    receipts = _post(hub, token, batch)

    assert [(r["id"], r["seq"], r["status"]) for r in receipts] == [
        (r["id"], r["seq"], "stored") for r in batch["records"]
    ]
    assert hub.held(CHECKPOINT) == {r["id"]: (r["seq"], r["hash"]) for r in batch["records"]}
    assert {r["status"] for r in _post(hub, token, batch)} == {"duplicate"}


def test_an_example_record_changed_without_its_hash_is_rejected(hub: Hub) -> None:
    batch = json.loads(examples(DOC.read_text(encoding="utf-8"))["batch"])
    batch["records"][8]["values"]["value"] = 36.5  # the fever, made to vanish
    token = hub.enroll(CHECKPOINT)

    receipts = _post(hub, token, batch)

    assert receipts[8]["status"] == "rejected"
    assert "hash" in receipts[8]["reason"]
    assert [r["status"] for i, r in enumerate(receipts) if i != 8] == ["stored"] * 11


def test_a_json_column_in_another_form_than_the_documents_is_rejected(hub: Hub) -> None:
    # Compact text hashes consistently here, but the hub writes JSON columns anew (as the
    # document says) when it forwards a record: the hub above would find another hash and
    # refuse it for good. So it is refused here, with the reason, and nothing else is.
    batch = json.loads(examples(DOC.read_text(encoding="utf-8"))["batch"])
    passenger = batch["records"][7]
    passenger["values"]["symptoms"] = '["cough","fever"]'
    passenger["hash"] = sha256(hashed_text(passenger))
    token = hub.enroll(CHECKPOINT)

    receipts = _post(hub, token, batch)

    assert receipts[7]["status"] == "rejected"
    assert "person.symptoms" in receipts[7]["reason"]
    assert "json.dumps" in receipts[7]["reason"]
    passenger["values"]["symptoms"] = '["cough", "fever"]'  # the document's form
    passenger["hash"] = sha256(hashed_text(passenger))
    assert _post(hub, token, batch)[7]["status"] == "stored"


def test_the_example_report_is_stored_by_a_hub(hub: Hub) -> None:
    blocks = examples(DOC.read_text(encoding="utf-8"))
    report, digest = json.loads(blocks["report"]), blocks["report-digest"].strip()
    token = hub.enroll(CHECKPOINT)

    def put(body: dict[str, Any] = report) -> dict[str, Any]:
        answer = httpx.put(
            f"{hub.address}/v1/checkpoints/{CHECKPOINT}/reports/{report['report_day']}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        receipt: dict[str, Any] = answer.json()
        return receipt

    first = put()
    assert (first["status"], first["digest"]) == ("stored", digest)
    assert first["lane_id"] == report["checkpoint"]["lane"]["id"]
    again = put()
    assert (again["status"], again["digest"]) == ("unchanged", digest)
    # An older version of the lane's report (from an earlier state of its log) arriving late.
    older = copy.deepcopy(report)
    older["log_range"]["last_seq"] -= 1
    older["new"]["people"] -= 1
    late = put(older)
    assert (late["status"], late["digest"]) == ("superseded", digest)


def test_the_document_lists_every_report_status() -> None:
    from checkpoint.wire.reports import ReportStatus

    section = _section(DOC.read_text(encoding="utf-8"), "## Daily reports")
    (statuses,) = re.findall(r"`status` one of ([^;(]+)", section)
    assert re.findall(r"`([a-z]+)`", statuses) == [status.value for status in ReportStatus]


# ------------------------------------------------------------------- it cannot drift from the code


def _section(text: str, heading: str) -> str:
    start = text.index(heading + "\n")
    level = heading.split(" ")[0]
    end = re.compile(rf"^#{{1,{len(level)}}} ", re.MULTILINE).search(text, start + len(heading))
    return text[start : end.start() if end else len(text)]


def _first_cells(section: str) -> list[str]:
    return re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE)


def test_the_document_describes_every_table_and_column_that_travels() -> None:
    from checkpoint.store.models import LOG_TABLES

    text = DOC.read_text(encoding="utf-8")
    chain = {"id", "seq", "created_at", "prev_hash", "hash", "personal_digest", "purged_at"}
    for table in LOG_TABLES:
        name = str(table.__tablename__)
        section = _section(text, f"#### `{name}`")
        columns = [c.name for c in table.__table__.columns if c.name not in chain]  # type: ignore[attr-defined]
        assert _first_cells(section) == columns, f"the columns of {name}"
        marked = re.findall(r"^\| `([^`]+)` \|[^\n]*\*\*personal\*\*", section, re.MULTILINE)
        assert set(marked) == set(table.PERSONAL_FIELDS), f"the personal columns of {name}"


def test_the_document_lists_every_refusal_code() -> None:
    from checkpoint.wire.refusals import REFUSALS

    section = _section(DOC.read_text(encoding="utf-8"), "## Refusal codes")
    assert sorted(_first_cells(section)) == sorted(REFUSALS)


def test_the_document_lists_every_endpoint_of_the_api() -> None:
    from checkpoint.hub.openapi import PATH

    section = _section(DOC.read_text(encoding="utf-8"), "## Endpoints")
    listed = {
        (method.lower(), path.replace("{code}", "{checkpoint_id}"))
        for method, path in re.findall(r"^\| `([A-Z]+) (/v1/[^`]+)` \|", section, re.MULTILINE)
    }
    api = json.loads(PATH.read_text(encoding="utf-8"))["paths"]
    assert listed == {(method, path) for path, methods in api.items() for method in methods}
