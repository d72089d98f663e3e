"""SQLite and PostgreSQL side by side: ingest time of the bundled sample (or its first
``--limit`` API v2 records) into each backend, then the p50/p95 latency of the same
searches (words, filters, words near a place) through ``features.search.search_trials``,
and how many of SQLite's 10 best hits PostgreSQL also ranks in its 10 best.

    python bench/store_backends.py --postgres postgresql://user@host/emptydb
    python bench/store_backends.py --postgres postgresql://… --limit 1000

The PostgreSQL database should be empty (it is migrated and loaded); the SQLite store
is a temporary file.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

from trialatlas.features.search import search_trials
from trialatlas.ingest import ingest_paths
from trialatlas.model.search import SearchQuery
from trialatlas.sample import sample_dir, sample_sources
from trialatlas.store import open_store
from trialatlas.store.base import Store

SEARCHES: list[dict[str, object]] = [
    {"text": "breast cancer"},
    {"text": "pain"},
    {"text": "diabetes insulin"},
    {"text": "asthma children"},
    {"text": "vaccine"},
    {"status": ["RECRUITING"], "phase": ["PHASE2"]},
    {"age_years": 70, "sex": "FEMALE", "has_results": True},
    {"country": "France", "sort": "start_date"},
    {"study_type": "INTERVENTIONAL", "sponsor_class": "INDUSTRY"},
    {"text": "cancer", "place": "Boston, MA", "radius_km": 100},
    {"place": "Jacksonville, FL", "radius_km": 300, "sort": "nearest"},
    {"condition": "depression", "intervention": "placebo"},
]
ROUNDS = 5


def _sources(limit: int | None, folder: Path) -> list[str]:
    if limit is None:
        return sample_sources()
    path = folder / "first.jsonl"
    with gzip.open(sample_dir() / "ctgov_v2_studies.jsonl.gz", "rt") as src, path.open("w") as out:
        for number, line in enumerate(src):
            if number >= limit:
                break
            out.write(line)
    return [path.as_posix()]


def _timed_searches(store: Store) -> tuple[list[float], dict[int, list[str]]]:
    times: list[float] = []
    tops: dict[int, list[str]] = {}
    for _ in range(ROUNDS):
        for number, fields in enumerate(SEARCHES):
            start = time.perf_counter()
            results = search_trials(store, SearchQuery(page_size=20, **fields))  # type: ignore[arg-type]
            times.append((time.perf_counter() - start) * 1000)
            tops[number] = [h.nct_id for h in results.results[:10]]
    return times, tops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="URL of an empty PostgreSQL database")
    parser.add_argument("--limit", type=int, default=None, help="first N API v2 records only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = _sources(args.limit, folder)
        tops: dict[str, dict[int, list[str]]] = {}
        for name, url in (("sqlite", str(folder / "bench.db")), ("postgres", args.postgres)):
            store = open_store(url)
            try:
                start = time.perf_counter()
                summary = ingest_paths(store, sources, workers=1)
                took = time.perf_counter() - start
                print(f"{name}: ingest {summary.line} in {took:.1f} s", flush=True)
                search_trials(store, SearchQuery(text="warm up"))
                times, tops[name] = _timed_searches(store)
                p95 = statistics.quantiles(times, n=20)[-1]
                print(
                    f"{name}: {len(times)} searches, p50 {statistics.median(times):.1f} ms,"
                    f" p95 {p95:.1f} ms",
                    flush=True,
                )
            finally:
                store.close()
        ranked = [
            n
            for n, fields in enumerate(SEARCHES)
            if SearchQuery(**fields).effective_sort == "relevance" and tops["sqlite"][n]  # type: ignore[arg-type]
        ]
        shared = [
            len(set(tops["sqlite"][n]) & set(tops["postgres"][n])) / len(tops["sqlite"][n])
            for n in ranked
        ]
        print(
            f"relevance searches ({len(shared)}): PostgreSQL ranks"
            f" {statistics.mean(shared):.0%} of SQLite's 10 best hits among its own 10 best"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
