"""Search latency: p50/p95/p99 of 200 realistic searches, and the ratio to a bare FTS5 query.

Three kinds of search, about a third each: words only; filters only (status, phase,
age, sex, study type, results, sponsor class, country, start date); words + filters +
a place and radius. Each is timed end to end through ``features.search.search_trials``
(page of 20, total, facets, nearest sites). For every search with words, the same
words also run as a bare FTS5 query (``MATCH`` + BM25 ``ORDER BY`` + ``LIMIT 20``, the
floor any ranked search pays); the ratio compares the two.

    python bench/search.py                       # bundled sample + 600,000 synthetic studies
    python bench/search.py --count 50000         # a smaller synthetic store
    python bench/search.py --db var/synth.db     # reuse a synthetic store (built if empty)
    python bench/search.py --skip-synthetic      # the bundled sample only
    python bench/search.py --sample-db var/sample.db   # reuse a store of the bundled sample

The synthetic store is built with bench/ingest.py's generator (clones of the real API v2
records with new NCT IDs); 600,000 studies take a long time to build, hence ``--db``.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import synthetic_records  # noqa: E402  (bench/ingest.py)
from trialatlas.features.search import search_trials  # noqa: E402
from trialatlas.ingest import ingest_paths, ingest_records  # noqa: E402
from trialatlas.model.search import SearchQuery  # noqa: E402
from trialatlas.sample import sample_sources  # noqa: E402
from trialatlas.store import open_store  # noqa: E402
from trialatlas.store.base import Store  # noqa: E402
from trialatlas.store.fts_query import FTS_WEIGHTS, fts_match  # noqa: E402

WORDS = [
    "breast cancer", "diabetes", "low back pain", "asthma", "hiv", "depression", "alzheimer",
    "heart failure", "covid-19", "melanoma", "obesity", "hypertension", "prostate cancer",
    "stroke", "multiple sclerosis", "rheumatoid arthritis", "psoriasis", "lung cancer",
    "leukemia", "lymphoma", "schizophrenia", "autism", "migraine", "chronic kidney disease",
    "hepatitis c", "parkinson disease", "epilepsy", "knee osteoarthritis", "sickle cell",
    "cystic fibrosis", "crohn disease", "ulcerative colitis", "insomnia", "smoking cessation",
    "opioid use disorder", "pancreatic cancer", "glioblastoma", "ovarian cancer",
    "colorectal cancer", "atrial fibrillation", "pembrolizumab", "metformin", "vitamin d",
    "insulin", "chemotherapy", "stem cell transplant", "pain after surgery", "pregnancy",
    "children with asthma", "type 2 diabetes exercise", "cognitive behavioral therapy",
    "radiation therapy", "vaccine", "influenza", "tuberculosis", "malaria", "anemia",
    "kidney transplant", "sleep apnea", "dementia caregivers",
]  # fmt: skip
PLACES = [
    "Boston, MA", "Jacksonville, FL", "Houston, TX", "New York, NY", "Chicago, IL",
    "Los Angeles, CA", "Seattle, WA", "Rochester, MN", "Denver, CO", "Atlanta, GA",
    "Nashville, TN", "Baltimore, MD", "Philadelphia, PA", "Toronto, Canada", "Paris, France",
    "London, United Kingdom", "Berlin, Germany", "Madrid, Spain", "Beijing, China",
    "Sydney, Australia", "Seoul, South Korea", "Milan, Italy", "Ann Arbor, MI", "Cleveland, OH",
]  # fmt: skip
COUNTRIES = ["United States", "Canada", "France", "Germany", "China", "United Kingdom", "Spain"]
CLASSES = ["INDUSTRY", "NIH", "OTHER", "FED"]


@dataclass
class Timing:
    kind: str
    ours_ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)


def random_filters(rng: random.Random) -> dict[str, object]:
    """Two to four filters a person might combine."""
    choices: list[Callable[[], dict[str, object]]] = [
        lambda: {"open_to_enrollment": True},
        lambda: {"status": [rng.choice(["RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING"])]},
        lambda: {"phase": rng.sample(["PHASE1", "PHASE2", "PHASE3", "PHASE4"], rng.randint(1, 2))},
        lambda: {"age_years": rng.randint(5, 85)},
        lambda: {"sex": rng.choice(["FEMALE", "MALE"])},
        lambda: {"study_type": rng.choice(["INTERVENTIONAL", "OBSERVATIONAL"])},
        lambda: {"has_results": True},
        lambda: {"sponsor_class": rng.choice(CLASSES)},
        lambda: {"country": rng.choice(COUNTRIES)},
        lambda: {"start_from": date(rng.randint(2005, 2022), 1, 1)},
    ]
    out: dict[str, object] = {}
    for make in rng.sample(choices, rng.randint(2, 4)):
        out.update(make())
    return out


def queries(count: int, seed: int = 11) -> list[tuple[str, SearchQuery]]:
    """``count`` searches: words only, filters only, words + filters + place (a third each)."""
    rng = random.Random(seed)
    out: list[tuple[str, SearchQuery]] = []
    for i in range(count):
        kind = ("words", "filters", "words+filters+near")[i % 3]
        if kind == "words":
            q = SearchQuery(text=rng.choice(WORDS))
        elif kind == "filters":
            q = SearchQuery(**random_filters(rng))  # type: ignore[arg-type]
        else:
            filters = random_filters(rng)
            filters.pop("country", None)
            q = SearchQuery(
                text=rng.choice(WORDS),
                place=rng.choice(PLACES),
                radius_km=rng.choice([40.0, 80.0, 160.0]),
                sort=rng.choice(["relevance", "nearest"]),
                **filters,  # type: ignore[arg-type]
            )
        out.append((kind, q))
    return out


def bare_fts(store: Store, text: str) -> float:
    """Milliseconds of the bare ranked FTS5 query for ``text`` (same escaping, same weights)."""
    match = fts_match(text, "all")
    weights = ", ".join(repr(w) for w in FTS_WEIGHTS)
    sql = (
        f"SELECT rowid FROM studies_fts WHERE studies_fts MATCH ?"
        f" ORDER BY bm25(studies_fts, {weights}) LIMIT 20"
    )
    start = time.perf_counter()
    store.execute(sql, (match,)).fetchall()  # type: ignore[attr-defined]
    return (time.perf_counter() - start) * 1000


def run(store: Store, label: str, count: int, bare: bool = True) -> None:
    """Time every search once (after a warm-up pass) and print the table for ``label``;
    ``bare``: also time the bare FTS5 query (SQLite only)."""
    plan = queries(count)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    store.prepare_search()  # the in-memory search columns (a server builds them at start-up)
    built = time.perf_counter() - start
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024
    print(f"\n{label}: search columns built in {built:.1f} s, peak memory +{grown:,.0f} MB")
    for _, q in plan[:30]:  # warm-up: gazetteer, page cache, prepared statements
        search_trials(store, q)
    timings: dict[str, Timing] = {}
    page_two = Timing("words, page 2 (cursor)")
    for kind, q in plan:
        t = timings.setdefault(kind, Timing(kind))
        start = time.perf_counter()
        result = search_trials(store, q)
        t.ours_ms.append((time.perf_counter() - start) * 1000)
        t.totals.append(result.total)
        if q.text and bare:
            t.bare_ms.append(bare_fts(store, q.text))
        if kind == "words" and result.next:
            start = time.perf_counter()
            search_trials(store, q.model_copy(update={"cursor": result.next}))
            page_two.ours_ms.append((time.perf_counter() - start) * 1000)
    everything = Timing("all 200")
    for t in timings.values():
        everything.ours_ms += t.ours_ms
        everything.totals += t.totals
    print_table(label, [*timings.values(), everything, page_two])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def print_table(label: str, rows: list[Timing]) -> None:
    print(f"\n{label}")
    head = (
        f"{'searches':<24} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
        f" {'median hits':>11} {'bare p50':>9} {'bare p99':>9} {'x p50':>6} {'x p99':>6}"
    )
    print(head)
    print("-" * len(head))
    for t in rows:
        ours = [pct(t.ours_ms, p) for p in (50, 95, 99, 100)]
        bare = [pct(t.bare_ms, p) for p in (50, 99)]
        ratio = [
            o / b if t.bare_ms and b else float("nan")
            for o, b in ((ours[0], bare[0]), (ours[2], bare[1]))
        ]
        hits = statistics.median(t.totals) if t.totals else float("nan")
        print(
            f"{t.kind:<24} {len(t.ours_ms):>4} {ours[0]:>8.1f} {ours[1]:>8.1f} {ours[2]:>8.1f}"
            f" {ours[3]:>8.1f} {hits:>11,.0f} {bare[0]:>9.1f} {bare[1]:>9.1f}"
            f" {ratio[0]:>6.1f} {ratio[1]:>6.1f}"
        )


def bundled_store(path: Path) -> Store:
    store = open_store(str(path))
    if store.count_studies():
        print(f"bundled sample store: reusing {path}")
        return store
    start = time.perf_counter()
    summary = ingest_paths(store, sample_sources(), workers=2)
    print(f"bundled sample store built in {time.perf_counter() - start:.0f} s ({summary.line})")
    return store


def synthetic_store(path: Path, count: int) -> Store:
    store = open_store(str(path))
    have = store.count_studies()
    if have < count:
        start = time.perf_counter()
        summary = ingest_records(store, synthetic_records(count), workers=2)
        elapsed = time.perf_counter() - start
        print(
            f"synthetic store: {count:,} studies built in {elapsed / 60:.1f} min ({summary.line})"
        )
    else:
        print(f"synthetic store: reusing {have:,} studies in {path}")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600_000, help="synthetic studies")
    parser.add_argument("--db", type=Path, default=None, help="synthetic store to reuse or build")
    parser.add_argument("--sample-db", type=Path, default=None, help="bundled store to reuse")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if not args.skip_sample:
            store = bundled_store(args.sample_db or workdir / "sample.db")
            try:
                run(store, f"bundled sample ({store.count_studies():,} studies)", args.queries)
            finally:
                store.close()
        if not args.skip_synthetic:
            store = synthetic_store(args.db or workdir / "synthetic.db", args.count)
            try:
                run(store, f"synthetic store ({store.count_studies():,} studies)", args.queries)
            finally:
                store.close()


if __name__ == "__main__":
    main()
