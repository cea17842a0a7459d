"""Bundle import: records/s and peak memory of `checkpoint hub import`, against the bare cost of
reading the same file (gzip decompression and the HMAC over it, in C, in 1 MB chunks), in the
same run.

A valid signed bundle of N records is made from a real reading record (tests/hub/bundle_files.py:
new ids, seqs and chain links, hashes computed as the log would). Each measure runs in its own
process, so its peak memory (ru_maxrss) is its own:

- baseline: decompress + HMAC, nothing else (what any check of the signature must cost);
- verify: pass 1 of the import alone (`verify_bundle`: HMAC, framing, the records' sequence);
- import: both passes and the hub's ingest into an SQLite hub (`import_bundle`);
- hostile: a 300 MB unsigned stream of record-shaped lines, read to its end and refused.

Target: peak memory <= 200 MB for any bundle; verify within a few times the baseline.

    python bench/bundle_import.py [--records N] [--pad BYTES]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import hmac
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]


def child(mode: str, url: str, path: Path) -> dict[str, Any]:
    """One measure, in this (fresh) process."""
    from checkpoint.hub import db
    from checkpoint.hub.imports import import_bundle
    from checkpoint.sync.bundle import BundleError, key_from_token_hash, verify_bundle

    engine = db.make_engine(url)
    enrolled = db.enrollment(engine, "HB-XG-0012")
    assert enrolled is not None
    key = key_from_token_hash(enrolled.token_hash)
    outcome: dict[str, Any] = {}
    started = time.perf_counter()
    if mode == "baseline":
        mac = hmac.new(key, digestmod=hashlib.sha256)
        with gzip.open(path, "rb") as unpacked:
            while chunk := unpacked.read(1024 * 1024):
                mac.update(chunk)
    elif mode == "verify":

        def open_bundle() -> IO[bytes]:
            return path.open("rb")

        outcome["records"] = verify_bundle(open_bundle, lambda _: key).header.records
    else:
        try:
            outcome["stored"] = import_bundle(engine, path).stored
        except BundleError as error:
            outcome["refused"] = error.code
    outcome["seconds"] = time.perf_counter() - started
    outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return outcome


def measure(mode: str, url: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, url, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--pad", type=int, default=0, help="extra bytes of text per record")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        mode, url, path = options.child
        print(json.dumps(child(mode, url, Path(path))))
        return

    from checkpoint.hub import db
    from checkpoint.sync.bundle import signing_key
    from tests.hub import bundle_files

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        url = f"sqlite:///{work / 'hub.db'}"
        engine = db.make_engine(url)
        key = signing_key(db.enroll(engine, "HB-XG-0012"))
        engine.dispose()
        bundle = work / "valid.ckpt.gz"
        started = time.perf_counter()
        template = bundle_files.reading_template(work)
        size = bundle_files.signed_bundle(bundle, template, options.records, key, pad=options.pad)
        expanded = 0
        with gzip.open(bundle, "rb") as unpacked:
            while chunk := unpacked.read(1024 * 1024):
                expanded += len(chunk)
        print(
            f"bundle of {options.records:,} records: {size / 1e6:.1f} MB, "
            f"{expanded / 1e6:.1f} MB expanded, made in {time.perf_counter() - started:.0f} s"
        )
        n = options.records
        base = measure("baseline", url, bundle)
        verify = measure("verify", url, bundle)
        whole = measure("import", url, bundle)
        assert verify["records"] == n and whole["stored"] == n, (verify, whole)
        base_rate = n / base["seconds"]
        for label, result in (("baseline", base), ("verify", verify), ("import", whole)):
            seconds, peak = result["seconds"], result["peak_mb"]
            rate = n / seconds
            print(
                f"{label:<9} {seconds:6.2f} s = {rate:>9,.0f} records/s "
                f"({expanded / 1e6 / seconds:6.1f} MB/s); peak {peak:5.0f} MB; "
                f"ratio to baseline {rate / base_rate:.2f}"
            )
        hostile = work / "unsigned.ckpt.gz"
        bundle_files.unsigned_stream(hostile, 300 * 1024 * 1024, line_bytes=4096)
        refused = measure("import", url, hostile)
        print(
            f"hostile   300 MB unsigned stream refused ({refused['refused']}) in "
            f"{refused['seconds']:.1f} s; peak {refused['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
