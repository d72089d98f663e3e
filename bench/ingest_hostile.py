"""Hostile ingest input: peak memory stays flat while huge records are rejected alone.

Builds, in a temporary directory:
- a zip with neighbours around a study whose title is 1 GiB (compresses ~1,000x:
  refused by the ratio check before inflating), a 96 MB study that compresses badly
  (refused by the 64 MB per-record limit, read at most 64 MB + 1 byte), and a
  zip bomb of zeros;
- a JSON Lines file with neighbours around a 160 MB line (skipped in 1 MB steps).

Then runs ``trialatlas ingest --workers 2`` on both into a fresh store, in a child
process, and prints its summary line, rejects and peak resident memory.

    python bench/ingest_hostile.py
    python bench/ingest_hostile.py --title-gib 4
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from trialatlas.sample import sample_dir

MB = 1024 * 1024
SEED = json.loads((sample_dir() / "NCT06001853.json").read_text())


def _study(nct: str, title: str = "Neighbour") -> bytes:
    study = json.loads(json.dumps(SEED))
    study["protocolSection"]["identificationModule"]["nctId"] = nct
    study["protocolSection"]["identificationModule"]["briefTitle"] = title
    return json.dumps(study).encode()


def _huge_title_member(zf: zipfile.ZipFile, name: str, nct: str, title_bytes: int) -> None:
    head, tail = _study(nct, "@@").split(b"@@")
    with zf.open(name, "w", force_zip64=True) as out:
        out.write(head)
        block = b"A" * MB
        for _ in range(title_bytes // MB):
            out.write(block)
        out.write(tail)


def build(root: Path, title_gib: int) -> list[str]:
    rng = random.Random(14)
    with zipfile.ZipFile(root / "hostile.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("NCT09500001.json", _study("NCT09500001"))
        _huge_title_member(zf, "NCT09500002.json", "NCT09500002", title_gib * 1024 * MB)
        zf.writestr("NCT09500003.json", _study("NCT09500003"))
        zf.writestr("NCT09500004.json", _study("NCT09500004", rng.randbytes(48 * MB).hex()))
        zf.writestr("NCT09500005.json", _study("NCT09500005"))
        zf.writestr("bomb.json", b"0" * (256 * MB))
        zf.writestr("NCT09500006.json", _study("NCT09500006"))
    with open(root / "hostile.jsonl", "wb") as fh:
        fh.write(_study("NCT09500011") + b"\n")
        head, tail = _study("NCT09500012", "@@").split(b"@@")
        fh.write(head + b"B" * (160 * MB) + tail + b"\n")
        fh.write(_study("NCT09500013") + b"\n")
    return [str(root / "hostile.zip"), str(root / "hostile.jsonl")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--title-gib", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sources = build(root, args.title_gib)
        sizes = ", ".join(f"{Path(s).name} {os.path.getsize(s) / MB:.1f} MB" for s in sources)
        print(f"sources: {sizes}")
        done = subprocess.run(
            [sys.executable, "-m", "trialatlas", "ingest", "--quiet", "--workers", "2"]
            + [*sources, "--db", str(root / "s.db")],
            capture_output=True,
            text=True,
        )
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"exit {done.returncode}: {done.stdout.strip()}")
        for line in done.stderr.splitlines():
            print(f"  {line[:200]}")
        print(f"peak resident memory of the largest ingest process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
