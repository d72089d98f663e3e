"""Related trials: quality against a BM25 baseline, and query time per trial.

For every trial judged relevant (grade > 0) to a benchmark patient together with
other trials of the store (SIGIR 2016, TREC Clinical Trials 2021 qrels in
``../shared/data/benchmarks``), the trials judged relevant to the same patients are
"co-relevant": a good related list holds them. Figure: recall@10 of the co-relevant
trials in the first 10 of the trial's related lists (related + more_related), beside
the same figure for a BM25 baseline (the store's full-text search with the trial's own
title, conditions and interventions as an OR query, itself excluded). Goal: ≥ 1.3×.
Also: related-trials query time per trial (p50/p95), and, when ``bench/related_build.py``
exists, the time to build the vectors.

    python3 bench/related.py [--db /tmp/ta.db] [--no-vectors]

Without ``--db`` the store is built from the bundled sample into a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_DIR = ROOT.parent / "shared" / "data" / "benchmarks"
BENCHMARKS = ("sigir", "trec_2021")
K = 10

Ranker = Callable[[str], list[str]]


def co_relevant(qrels: Path, present: set[str]) -> dict[str, set[str]]:
    """trial → the other trials judged relevant to a patient it is relevant to (in the store)."""
    by_query: dict[str, set[str]] = {}
    with qrels.open(newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if int(row["score"]) > 0 and row["corpus-id"] in present:
                by_query.setdefault(row["query-id"], set()).add(row["corpus-id"])
    out: dict[str, set[str]] = {}
    for trials in by_query.values():
        for trial in trials:
            others = trials - {trial}
            if others:
                out.setdefault(trial, set()).update(others)
    return out


def recall_at_k(ranked: list[str], relevant: set[str], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def bm25_ranker(store) -> Ranker:  # noqa: ANN001 (a Store)
    def rank(nct_id: str) -> list[str]:
        brief = store.study_briefs([nct_id])[nct_id]
        terms = [brief.title, *brief.conditions, *(iv.name for iv in brief.interventions)]
        hits = store.rank_text(terms, K + 1)
        return [n for n, _ in hits if n != nct_id][:K]

    return rank


def related_ranker(store, index, times: list[float]) -> Ranker:  # noqa: ANN001
    from trialatlas.features.related import related_trials

    def rank(nct_id: str) -> list[str]:
        start = time.perf_counter()
        found = related_trials(store, nct_id, index)
        times.append(time.perf_counter() - start)
        return [t.nct_id for t in found.all] if found else []

    return rank


def build_store(folder: Path) -> Path:
    from trialatlas.cli.ingest_command import run_ingest
    from trialatlas.sample import sample_sources
    from trialatlas.store import open_store

    path = folder / "related-bench.db"
    store = open_store(str(path))
    try:
        run_ingest(store, sample_sources(), folder / "rejects.jsonl", True, 2)
    finally:
        store.close()
    return path


def load_index(store, db_url: str):  # noqa: ANN001, ANN201
    """Part A's vector index when it is there (else None: the feature falls back to BM25)."""
    try:
        from trialatlas.index.vectors import load_vector_index
    except ImportError:
        print("vectors: trialatlas.index.vectors not available; related trials without vectors")
        return None
    start = time.perf_counter()
    index = load_vector_index(store, db_url)
    print(f"vectors: {index.size} loaded in {time.perf_counter() - start:.2f}s")
    return index


def build_figures() -> None:
    """Vector build timing (bench/related_build.py, when present)."""
    script = Path(__file__).with_name("related_build.py")
    if not script.is_file():
        print("vector build timing: bench/related_build.py not present")
        return
    spec = importlib.util.spec_from_file_location("related_build", script)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    main = getattr(module, "main", None)
    if callable(main):
        print("vector build timing (bench/related_build.py):")
        main([])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite store of the bundled sample (default: build one)")
    parser.add_argument("--no-vectors", action="store_true", help="related trials without vectors")
    parser.add_argument("--build", action="store_true", help="also run bench/related_build.py")
    args = parser.parse_args(argv)
    if not BENCHMARKS_DIR.is_dir():
        print(f"no benchmarks at {BENCHMARKS_DIR}", file=sys.stderr)
        return 2
    from trialatlas.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(build_store(Path(tmp)))
        store = open_store(db)
        try:
            present = set(store.iter_nct_ids())
            print(f"store: {db} ({len(present)} trials)")
            index = None if args.no_vectors else load_index(store, db)
            times: list[float] = []
            ours, base = related_ranker(store, index, times), bm25_ranker(store)
            pooled_ours: list[float] = []
            pooled_base: list[float] = []
            print(
                f"{'benchmark':<11} {'trials':>6} {'related R@10':>13} {'BM25 R@10':>10} {'ratio':>6}"
            )
            for name in BENCHMARKS:
                pairs = co_relevant(BENCHMARKS_DIR / name / "qrels.tsv", present)
                r_ours = [recall_at_k(ours(t), rel) for t, rel in sorted(pairs.items())]
                r_base = [recall_at_k(base(t), rel) for t, rel in sorted(pairs.items())]
                pooled_ours += r_ours
                pooled_base += r_base
                _row(name, r_ours, r_base)
            _row("pooled", pooled_ours, pooled_base)
            print(
                f"query time per trial: p50 {percentile(times, 0.5) * 1000:.0f} ms,"
                f" p95 {percentile(times, 0.95) * 1000:.0f} ms ({len(times)} trials)"
            )
        finally:
            store.close()
    if args.build:
        build_figures()
    return 0


def _row(name: str, ours: list[float], base: list[float]) -> None:
    a, b = statistics.fmean(ours), statistics.fmean(base)
    ratio = f"{a / b:.2f}x" if b else "n/a"
    print(f"{name:<11} {len(ours):>6} {a:>13.3f} {b:>10.3f} {ratio:>6}")


if __name__ == "__main__":
    raise SystemExit(main())
