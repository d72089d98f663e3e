"""Study vectors: time to embed and index a store, query time, and a 600k projection.

1. The bundled sample (8,118 real records): every vector recomputed
   (``update_vectors(rebuild=True)``), wall seconds and texts/s; the faiss index built
   and saved, then reloaded; ``search_by_id`` p50/p95 over 500 trials.
2. A synthetic store of ``--count`` studies (bench/ingest.py's generator: real records
   cloned with new NCT IDs), embedded; texts/s extrapolated to 600,000 studies (a
   PROJECTION: time grows linearly with the count at a fixed text length mix), and an
   HNSW index of those vectors (build time, query p50/p95, agreement with exact search).

    python3 bench/related_build.py [--db /tmp/ta.db] [--count 20000] [--skip-synthetic]

``--db`` copies an existing store of the bundled sample instead of ingesting it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from trialatlas.index.embedding import MAX_TOKENS, embedder
from trialatlas.index.vectors import (
    VectorIndex,
    build_faiss_index,
    index_files,
    load_vector_index,
    update_vectors,
)
from trialatlas.ingest import ingest_paths, ingest_records
from trialatlas.sample import sample_sources
from trialatlas.store import open_store

FULL_REGISTRY = 600_000


def percentiles_ms(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def query_times(index: VectorIndex, count: int = 500, k: int = 15) -> tuple[float, float]:
    ids = random.Random(11).sample(index.ids, min(count, index.size))
    times = []
    for nct in ids:
        start = time.perf_counter()
        index.search_by_id(nct, k)
        times.append(time.perf_counter() - start)
    return percentiles_ms(times)


def bench_bundled(workdir: Path, db_copy: str | None) -> None:
    db = workdir / "bundled.db"
    if db_copy:
        shutil.copy(db_copy, db)
    store = open_store(str(db))
    try:
        if not db_copy:
            start = time.perf_counter()
            ingest_paths(store, sample_sources(), workers=os.cpu_count() or 1)
            print(f"  bundled sample ingested in {time.perf_counter() - start:.1f} s (not counted)")
        model = embedder()
        model.encode(["warm up"])
        start = time.perf_counter()
        update = update_vectors(store, rebuild=True, embedder=model)
        embed_s = time.perf_counter() - start
        start = time.perf_counter()
        index = load_vector_index(store, str(db))
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        index = load_vector_index(store, str(db))
        reload_s = time.perf_counter() - start
        p50, p95 = query_times(index)
    finally:
        store.close()
    files = index_files(str(db))
    size_mb = files.index.stat().st_size / 1e6 if files else 0.0
    print(
        f"bundled: {update.embedded} vectors in {embed_s:.1f} s = "
        f"{update.embedded / embed_s:.1f} texts/s (model {update.model}, {MAX_TOKENS} tokens max)"
    )
    print(
        f"  {index.kind} index of {index.size}: built+saved {build_s:.2f} s ({size_mb:.1f} MB), "
        f"reloaded {reload_s * 1000:.0f} ms; search_by_id p50 {p50:.2f} ms, p95 {p95:.2f} ms"
    )


def _ingest_generator():  # noqa: ANN202 (the bench/ingest.py module)
    spec = importlib.util.spec_from_file_location(
        "bench_ingest", Path(__file__).with_name("ingest.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_synthetic(workdir: Path, count: int) -> None:
    db = workdir / "synthetic.db"
    store = open_store(str(db))
    try:
        ingest_records(
            store, _ingest_generator().synthetic_records(count), workers=os.cpu_count() or 1
        )
        start = time.perf_counter()
        update = update_vectors(store)
        embed_s = time.perf_counter() - start
        ids: list[str] = []
        parts = []
        for batch_ids, batch in store.iter_vectors(update.model):
            ids.extend(batch_ids)
            parts.append(batch)
    finally:
        store.close()
    rate = update.embedded / embed_s
    print(
        f"synthetic: {update.embedded} vectors in {embed_s:.1f} s = {rate:.1f} texts/s; "
        f"PROJECTION for {FULL_REGISTRY:,}: {FULL_REGISTRY / rate / 60:.0f} min on this machine"
    )
    data = np.concatenate(parts)
    start = time.perf_counter()
    hnsw = VectorIndex(ids, build_faiss_index(data, hnsw=True), update.model)
    hnsw_s = time.perf_counter() - start
    exact = VectorIndex(ids, build_faiss_index(data, hnsw=False), update.model)
    p50, p95 = query_times(hnsw)
    e50, e95 = query_times(exact)
    sample = random.Random(5).sample(ids, 200)
    agree = statistics.mean(
        len({n for n, _ in hnsw.search_by_id(n, 10)} & {n for n, _ in exact.search_by_id(n, 10)})
        / 10
        for n in sample
    )
    print(
        f"  HNSW of {len(ids)}: built in {hnsw_s:.1f} s (PROJECTION for {FULL_REGISTRY:,}: "
        f"~{hnsw_s * FULL_REGISTRY / len(ids) / 60:.0f} min, a little more: HNSW grows "
        f"n log n); search_by_id p50 {p50:.2f} ms, p95 {p95:.2f} ms; exact p50 {e50:.2f} ms, "
        f"p95 {e95:.2f} ms; top-10 agreement with exact {agree:.0%}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a store of the bundled sample to copy (default: ingest one)")
    parser.add_argument("--count", type=int, default=20_000, help="synthetic studies")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-bundled", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="related-build-") as tmp:
        if not args.skip_bundled:
            bench_bundled(Path(tmp), args.db)
        if not args.skip_synthetic:
            bench_synthetic(Path(tmp), args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
