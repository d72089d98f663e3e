"""Matching latency at full registry scale: the whole request of ``match_patient``.

The store is the synthetic 600k one of ``bench/search.py`` (the bundled sample plus
clones of its API v2 records with new NCT IDs; built here when ``--db`` does not
exist, about 30 min). Study vectors are stood in for by random unit vectors in an
exact (flat) faiss index: the timing of dense retrieval is then its slow bound, and
nothing about quality is measured here (``bench/matching.py`` does that).

    python3 bench/matching_scale.py --db /tmp/s600.db          # build if missing, then time
    python3 bench/matching_scale.py --db /tmp/s600.db --notes 30
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_data import load_benchmark  # noqa: E402
from search import synthetic_records  # noqa: E402
from trialatlas.features.matching import match_patient  # noqa: E402
from trialatlas.index.embedding import DIM  # noqa: E402
from trialatlas.index.vectors import VectorIndex  # noqa: E402
from trialatlas.ingest import ingest_paths, ingest_records  # noqa: E402
from trialatlas.sample import sample_sources  # noqa: E402
from trialatlas.store import open_store  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def build(db: Path, count: int) -> None:
    started = time.perf_counter()
    store = open_store(str(db))
    try:
        ingest_paths(store, sample_sources(), workers=2)
        summary = ingest_records(store, synthetic_records(count - store.count_studies()), workers=2)
    finally:
        store.close()
    print(f"built {db}: {summary.line} in {time.perf_counter() - started:.0f} s")


def random_index(ids: list[str]) -> VectorIndex:
    rng = np.random.default_rng(0)
    flat = faiss.IndexFlatIP(DIM)
    for start in range(0, len(ids), 100_000):
        block = rng.standard_normal((min(100_000, len(ids) - start), DIM)).astype("float32")
        flat.add(block / np.linalg.norm(block, axis=1, keepdims=True))
    return VectorIndex(ids, flat, "random")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--count", type=int, default=600_000)
    parser.add_argument("--notes", type=int, default=30, help="benchmark notes to time")
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.count)
    store = open_store(str(args.db))
    ids = store.iter_nct_ids()
    index = random_index(ids)
    notes: list[str] = []
    for name in ("sigir", "trec_2021", "gs_synthetic_30"):
        notes += list(load_benchmark(DATA, name).queries.values())[: args.notes // 3]
    seconds = []
    for text in notes:
        started = time.perf_counter()
        match_patient(store, text, limit=10, index=index)
        seconds.append(time.perf_counter() - started)
    first, rest = seconds[0], sorted(seconds[1:])
    print(f"{len(ids):,} studies · {len(notes)} notes · first request {first:.2f} s")
    print(
        f"then p50 {statistics.median(rest):.2f} s, p95 {rest[int(len(rest) * 0.95)]:.2f} s,"
        f" max {rest[-1]:.2f} s per patient"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
