"""Ingest speed and store size.

1. The bundled sample (8,118 real records) into a fresh SQLite store.
2. A synthetic full-registry-scale stream: clones of the real API v2 records with new
   NCT IDs and perturbed text, generated on the fly (never written to disk), ingested
   into a fresh store; and the parse-only floor for the same stream (read + JSON
   parse, nothing stored), with the ratio.

    python bench/ingest.py                 # sample + 600,000 synthetic studies
    python bench/ingest.py --count 50000   # a shorter synthetic run
    python bench/ingest.py --skip-sample --workers 2
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from trialatlas.ingest import ingest_paths, ingest_records
from trialatlas.sample import sample_dir, sample_sources
from trialatlas.sources.records import RawRecord
from trialatlas.store import open_store

WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "cohort",
    "arm",
    "dose",
    "safety",
    "efficacy",
    "pilot",
    "extension",
]


def store_size_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return total / 1e6


def real_v2_lines() -> list[bytes]:
    with gzip.open(sample_dir() / "ctgov_v2_studies.jsonl.gz", "rb") as fh:
        return [line for line in fh if line.strip()]


def synthetic_lines(count: int, seed: int = 7) -> Iterator[bytes]:
    """``count`` API v2 studies: real records cloned with NCT IDs NCT9xxxxxxx and perturbed text."""
    rng = random.Random(seed)
    base = [orjson.loads(line) for line in real_v2_lines()]
    for i in range(count):
        study = base[i % len(base)]
        ident = study["protocolSection"]["identificationModule"]
        old_id, old_title = ident["nctId"], ident.get("briefTitle", "")
        ident["nctId"] = f"NCT9{i:07d}"
        ident["briefTitle"] = f"{old_title} {rng.choice(WORDS)} {rng.choice(WORDS)}"
        yield orjson.dumps(study)
        ident["nctId"], ident["briefTitle"] = old_id, old_title


def synthetic_records(count: int) -> Iterator[RawRecord]:
    for n, line in enumerate(synthetic_lines(count), start=1):
        text = line.decode()
        yield RawRecord("synthetic", f"line {n}", "ctgov_v2", text, nct_id_hint=None)


def bench_sample(workdir: Path, workers: int) -> None:
    db = workdir / "sample.db"
    store = open_store(str(db))
    start = time.perf_counter()
    summary = ingest_paths(store, sample_sources(), workers=workers)
    elapsed = time.perf_counter() - start
    store.close()
    n = summary.loaded + summary.updated + summary.unchanged + summary.rejected
    print(
        f"bundled sample: {n} records in {elapsed:.1f} s = {n / elapsed:,.0f} records/s "
        f"({workers} workers); {summary.line}; store {store_size_mb(db):,.1f} MB"
    )


def bench_synthetic(workdir: Path, count: int, workers: int) -> None:
    start = time.perf_counter()
    parsed = 0
    for line in synthetic_lines(count):
        orjson.loads(line)
        parsed += 1
    floor = time.perf_counter() - start
    print(
        f"parse-only floor: {parsed:,} studies in {floor:.1f} s = {parsed / floor:,.0f} studies/s"
    )
    db = workdir / "synthetic.db"
    store = open_store(str(db))
    cpu = _cpu_times()
    start = time.perf_counter()
    summary = ingest_records(store, synthetic_records(count), workers=workers)
    elapsed = time.perf_counter() - start
    main_cpu, child_cpu = (after - before for after, before in zip(_cpu_times(), cpu, strict=True))
    store.close()
    rate = count / elapsed
    print(
        f"synthetic ingest: {count:,} studies in {elapsed:.1f} s ({elapsed / 60:.1f} min) = "
        f"{rate:,.0f} studies/s ({workers} workers); {summary.line}; "
        f"store {store_size_mb(db):,.0f} MB"
    )
    print(
        f"CPU per study: writing process {main_cpu / count * 1000:.2f} ms (writes, index build); "
        f"reading and preparing processes {child_cpu / count * 1000:.2f} ms; "
        f"machine {os.cpu_count()} cores, used {(main_cpu + child_cpu) / elapsed:.2f} on average"
    )
    print(f"ratio ingest/parse-only time: {elapsed / floor:.1f}x")


def _cpu_times() -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of its finished child processes."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        if not args.skip_sample:
            bench_sample(workdir, args.workers)
        if args.count:
            bench_synthetic(workdir, args.count, args.workers)


if __name__ == "__main__":
    main()
