"""Full registry scale on each backend: ingest, store size, search, pages, memory, load.

For SQLite (a file in ``--workdir``) and, with ``--postgres URL`` (an empty database),
PostgreSQL, one after the other:

1. ingest ``--count`` synthetic studies (bench/ingest.py's generator: clones of the real
   API v2 records with new NCT IDs), the time and its ratio to the parse-only floor of
   the same stream (read + JSON parse, nothing stored; measured once);
2. the store's size per study and where it goes (the largest tables and indexes);
3. the related-trials index: random stand-in vectors (bench/pages.py; real ones take
   the embedding time, projected from the texts/s measured on 2,000 real texts) and the
   time to build and save the faiss index a server loads;
4. search latency through ``features.search`` (bench/search.py's 200 searches; the
   ratio to a bare FTS5 query on SQLite);
5. the patient, details, trial JSON and search pages, first and second visit, and the
   RSS of the process serving them (bench/pages.py: one worker, in-process);
6. a bounded load test on loopback (bench/load.py: ``trialatlas serve --workers 1`` over
   the store, 4/32/128 clients, ``--load-seconds`` each): requests/s, p50, p99, errors.

    python3 bench/scale.py --count 600000 --workdir /var/tmp/scale --postgres postgresql://…
    python3 bench/scale.py --count 20000 --load-seconds 20          # a quick look, SQLite only

Goals (issue 13): ingest ≤ 4× the floor; every page p95 ≤ 100 ms on a first visit, the
patient page within 3× the details page, the search page p95 ≤ 3× features.search;
≤ 500 MB per worker; 0 errors and requests/s at 128 clients ≥ at 4.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (bench/pages.py)
import search  # noqa: E402  (bench/search.py)
from ingest import synthetic_lines, synthetic_records  # noqa: E402  (bench/ingest.py)
from trialatlas.index.embedding import Embedder  # noqa: E402
from trialatlas.index.study_text import embedding_text  # noqa: E402
from trialatlas.index.vectors import load_vector_index  # noqa: E402
from trialatlas.ingest import ingest_records  # noqa: E402
from trialatlas.store import open_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EMBED_SAMPLE = 2000


def parse_floor(count: int) -> float:
    """Seconds to read and parse the synthetic stream, nothing stored."""
    start = time.perf_counter()
    for line in synthetic_lines(count):
        orjson.loads(line)
    return time.perf_counter() - start


def ingest(url: str, count: int, workers: int, floor: float) -> None:
    store = open_store(url)
    try:
        have = store.count_studies()
        if have >= count:
            print(f"ingest: reusing {have:,} studies")
            return
        start = time.perf_counter()
        summary = ingest_records(store, synthetic_records(count), workers=workers)
        elapsed = time.perf_counter() - start
    finally:
        store.close()
    print(
        f"ingest: {count:,} studies in {elapsed / 60:.1f} min = {count / elapsed:,.0f}/s"
        f" ({workers} workers; {summary.line}); {elapsed / floor:.1f}x the parse-only floor"
    )


def space(url: str, count: int) -> None:
    store = open_store(url, read_only=True)
    try:
        tables = store.space_by_table()
    finally:
        store.close()
    total = sum(size for _, size in tables)
    print(f"store: {total / 1e9:,.2f} GB = {total / max(count, 1) / 1024:,.1f} KB per study")
    for name, size in tables[:10]:
        print(f"  {name:<36} {size / 1e6:>10,.0f} MB {size / total:>5.0%}")


def embedding_projection(url: str, count: int) -> None:
    """Texts/s of the real model on the store's first texts, projected to ``count``."""
    store = open_store(url, read_only=True)
    try:
        ids = store.iter_nct_ids()[:EMBED_SAMPLE]
        texts = [embedding_text(s) for s in store.get_studies(ids).values()]
    finally:
        store.close()
    embedder = Embedder()
    embedder.encode(texts[:64])
    start = time.perf_counter()
    embedder.encode(texts)
    rate = len(texts) / (time.perf_counter() - start)
    print(
        f"embedding: {rate:,.0f} texts/s on {len(texts):,} texts;"
        f" PROJECTION for {count:,}: {count / rate / 60:,.0f} min"
    )


def related_index(url: str) -> None:
    store = open_store(url)
    try:
        pages.standin_vectors(store)
        start = time.perf_counter()
        index = load_vector_index(store, url)
        print(
            f"related index: {index.size:,} vectors (stand-ins) indexed in"
            f" {time.perf_counter() - start:.1f} s"
        )
    finally:
        store.close()


def load(url: str, seconds: float, clients: str) -> None:
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--db", url, "--workers", "1"]
    command += ["--seconds", str(seconds), "--clients", clients]
    subprocess.run(command, check=False)


def backend(label: str, url: str, args: argparse.Namespace, floor: float) -> None:
    print(f"\n===== {label}: {url}")
    ingest(url, args.count, args.workers, floor)
    space(url, args.count)
    if not args.skip_embedding:
        embedding_projection(url, args.count)
    related_index(url)
    store = open_store(url, read_only=True)
    try:
        search.run(store, f"{label} · {args.count:,} studies", args.queries, bare=label == "SQLite")
    finally:
        store.close()
    pages.run(url, args.trials, args.seed)  # type: ignore[arg-type]  (a URL or a path)
    if args.load_seconds > 0:
        load(url, args.load_seconds, args.clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600_000)
    parser.add_argument("--workdir", type=Path, default=None, help="where the SQLite store goes")
    parser.add_argument("--postgres", help="URL of an empty PostgreSQL database (else SQLite only)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--load-seconds", type=float, default=60.0, help="0: no load test")
    parser.add_argument("--clients", default="4,32,128")
    parser.add_argument("--skip-embedding", action="store_true")
    args = parser.parse_args()
    floor = parse_floor(args.count)
    print(f"parse-only floor: {args.count:,} studies in {floor:.1f} s")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = args.workdir or Path(tmp)
        backend("SQLite", str(workdir / f"scale-{args.count}.db"), args, floor)
        if args.postgres:
            backend("PostgreSQL", args.postgres, args, floor)


if __name__ == "__main__":
    main()
