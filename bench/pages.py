"""Page latency at registry scale: patient, details, trial JSON and search pages, first and second visit.

Builds (or reuses with ``--db``) a synthetic store of ``--count`` studies with
bench/ingest.py's generator (clones of the real API v2 records with new NCT IDs, as
bench/search.py builds it), then runs the web app in-process behind a real HTTP
client (starlette's TestClient: the whole ASGI stack, middleware and templates) and
times, for ``--trials`` random trials never visited before, ``/trials/{id}`` (patient
page), ``/trials/{id}/details`` and ``/api/trials/{id}``, and ``/search?q=…`` for ten
common words; every URL twice (first and second visit). Then the same ten searches
through ``features.search.search_trials`` alone, twice (after the pages: warm). Prints
p50/p95/max per page, the ratios patient/details and search page/feature, and the
process's memory (RSS: its own, mapped files, peak).

A store without study vectors gets random unit stand-in vectors (model
``bench-random-standin``, written once into the store; the output says so): related
trials then read neighbours of the same index type and size, not meaningful ones.
``trialatlas index`` gives a store its real vectors (minutes per 100,000 studies).

    python bench/pages.py --count 100000 --db /work/bench-stores/s100k.db
    python bench/pages.py --db var/s600k.db --count 600000 --trials 60
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from starlette.testclient import TestClient  # noqa: E402

from search import pct, synthetic_store  # noqa: E402  (bench/search.py)
from trialatlas.features.search import search_trials  # noqa: E402
from trialatlas.index.embedding import DIM  # noqa: E402
from trialatlas.index.vectors import main_model  # noqa: E402
from trialatlas.model.search import SearchQuery  # noqa: E402
from trialatlas.settings import load_settings  # noqa: E402
from trialatlas.store import open_store  # noqa: E402
from trialatlas.store.base import Store  # noqa: E402
from trialatlas.web.app import create_app  # noqa: E402

STANDIN_MODEL = "bench-random-standin"
COMMON_WORDS = [
    "cancer", "pain", "diabetes", "surgery", "children", "heart", "depression",
    "vaccine", "exercise", "pregnancy",
]  # fmt: skip
WARM_UP_TRIALS = 3  # visited before timing (templates, glossary, index load); never timed
PAGES = ("patient", "details", "api", "search", "features.search")


def standin_vectors(store: Store, seed: int = 0) -> None:
    """Random unit vectors for every study, written once (only a store with no vectors)."""
    if main_model(store) is not None:
        return
    ids = store.iter_nct_ids()
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        block = rng.standard_normal((len(chunk), DIM)).astype(np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        store.write_vectors(
            STANDIN_MODEL, [(n, "standin", v) for n, v in zip(chunk, block, strict=True)]
        )
    print(
        f"wrote random stand-in vectors for {len(ids):,} studies in {time.perf_counter() - started:.0f} s"
    )


def memory_mb() -> dict[str, float]:
    """This process's resident memory in MB: ``VmRSS`` (all), ``RssAnon`` (its own) and
    ``RssFile`` (file pages mapped: the store's memory map and the vector index, shared
    with every other process that maps them), and ``peak`` (the most it ever held)."""
    out: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile"):
            out[name] = int(value.split()[0]) / 1024
    out["peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def wait_for_start_up() -> None:
    """Wait for the app's start-up thread (search columns, vector index) to finish."""
    for thread in threading.enumerate():
        if thread.name.endswith("(_prepare_search)"):
            thread.join()


def timed_get(client: TestClient, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {response.status_code}")
    return elapsed


def drop_from_page_cache(db: Path) -> None:
    """Evict the store and its vector index files from the OS page cache (as after a
    reboot), so first visits read them from disk: runs compare on the same footing."""
    stem = db.with_suffix("")
    for path in (db, stem.with_name(stem.name + ".vectors.faiss")):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    print(f"dropped {db.name} and its vector index from the OS page cache")


def run(db: Path, trials: int, seed: int, cold: bool = False) -> None:
    if cold:
        drop_from_page_cache(db)
    store = open_store(str(db))
    try:
        ids = store.iter_nct_ids()
        standin_vectors(store)
        model = main_model(store)
    finally:
        store.close()
    if model == STANDIN_MODEL:
        print(
            "study vectors: random stand-ins (related trials: neighbours of the right index, not meaningful ones)"
        )
    rng = random.Random(seed)
    chosen = rng.sample(ids, trials + WARM_UP_TRIALS)
    warm, timed = chosen[:WARM_UP_TRIALS], chosen[WARM_UP_TRIALS:]
    settings = load_settings(str(db), read_only=True, threads=1)
    app = create_app(settings)
    started = time.perf_counter()
    with TestClient(app) as client:
        state = app.state.trialatlas
        wait_for_start_up()
        state.store().prepare_search()
        state.vector_index()
        print(f"start-up (search columns, vector index): {time.perf_counter() - started:.0f} s")
        for nct in warm:
            for url in (f"/trials/{nct}", f"/trials/{nct}/details", f"/api/trials/{nct}"):
                client.get(url)
        client.get("/search?q=asthma")
        times: dict[tuple[str, int], list[float]] = {}
        for visit in (1, 2):
            for nct in timed:
                times.setdefault(("patient", visit), []).append(timed_get(client, f"/trials/{nct}"))
                times.setdefault(("details", visit), []).append(
                    timed_get(client, f"/trials/{nct}/details")
                )
                times.setdefault(("api", visit), []).append(timed_get(client, f"/api/trials/{nct}"))
            for word in COMMON_WORDS:
                times.setdefault(("search", visit), []).append(
                    timed_get(client, f"/search?q={word}")
                )
        store = state.store()
        for visit in (1, 2):  # the feature alone, for the search page's ratio to it
            for word in COMMON_WORDS:
                started = time.perf_counter()
                search_trials(store, SearchQuery(text=word))
                elapsed = (time.perf_counter() - started) * 1000
                times.setdefault(("features.search", visit), []).append(elapsed)
        memory = memory_mb()
    print_table(times, len(ids), trials)
    print(
        f"process RSS {memory['VmRSS']:,.0f} MB (own {memory['RssAnon']:,.0f} MB,"
        f" mapped files {memory['RssFile']:,.0f} MB), peak {memory['peak']:,.0f} MB"
    )


def print_table(times: dict[tuple[str, int], list[float]], studies: int, trials: int) -> None:
    print(
        f"\n{studies:,} studies · {trials} random trials · search: {len(COMMON_WORDS)} common words"
    )
    head = f"{'page':<16} {'visit':>6} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(head)
    print("-" * len(head))
    for page in PAGES:
        for visit in (1, 2):
            values = times[(page, visit)]
            print(
                f"{page:<16} {visit:>6} {len(values):>4} {pct(values, 50):>8.1f}"
                f" {pct(values, 95):>8.1f} {max(values):>8.1f}"
            )
    for visit in (1, 2):
        ratio = [
            pct(times[("patient", visit)], p) / pct(times[("details", visit)], p) for p in (50, 95)
        ]
        print(f"patient/details, visit {visit}: p50 {ratio[0]:.1f}x, p95 {ratio[1]:.1f}x")
    for visit in (1, 2):
        ratio = [
            pct(times[("search", visit)], p) / pct(times[("features.search", visit)], p)
            for p in (50, 95)
        ]
        print(
            f"search page/features.search, visit {visit}: p50 {ratio[0]:.1f}x, p95 {ratio[1]:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="synthetic studies to build")
    parser.add_argument("--db", type=Path, default=None, help="synthetic store to reuse or build")
    parser.add_argument("--trials", type=int, default=60, help="random trials to visit")
    parser.add_argument("--seed", type=int, default=13, help="which random trials")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="evict the store and vector index from the OS page cache first (a server just booted)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "synthetic.db"
        synthetic_store(db, args.count).close()
        run(db, args.trials, args.seed, args.cold)


if __name__ == "__main__":
    main()
