"""Patient-to-trial matching quality: NDCG@10 and P@10 of the matcher against plain BM25.

For the benchmark patients in ../shared/data/benchmarks (SIGIR 2016, TREC Clinical
Trials 2021, the 30 synthetic vignettes), on two stores (see ``matching_stores``):

- "bundled": the bundled sample as the product ships it;
- "extended": the bundled sample plus the benchmark trials it lacks (converted from
  the TrialGPT format). GS synthetic 30 is measurable only here.

Only judged trials present in the store count; an unjudged trial counts as not
relevant; a patient with no relevant judged trial in the store is skipped (counted).
Baseline, in the same run: BM25 over the store's full-text index with every distinct
word of the note (stopwords dropped) OR-ed (``Store.rank_text``). The patients are
split into fixed "tune" and "held-out" halves (``matching_data``).

    python3 bench/matching.py                          # all benchmarks, both stores, both halves
    python3 bench/matching.py --benchmark sigir --split held-out
    python3 bench/matching.py --store /tmp/ta.db       # start from an existing bundled store
    python3 bench/matching.py --ablation               # one row per matcher stage switched off
    python3 bench/matching.py --limit-patients 10      # a quick look
    python3 bench/matching.py --per-patient            # NDCG@10 of each patient, per method

The first run builds bench/.cache/{bundled,extended}.db (ingest ~20-40 s, vectors of
~9,800 trials ~6 min on 2 cores); later runs reuse them (all three benchmarks, both
stores: ~4 min, mostly the matcher). ``--ablation`` adds one matcher run per stage.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_data import BENCHMARKS, SPLITS, Benchmark, load_benchmark  # noqa: E402
from matching_metrics import Scores, ndcg_at_k  # noqa: E402
from matching_stores import (  # noqa: E402
    bundled_store,
    ensure_vectors,
    extended_store,
    size_mb,
    stored_ids,
)
from trialatlas.store import open_store  # noqa: E402
from trialatlas.store.base import Store  # noqa: E402
from trialatlas.store.fts_query import STOPWORDS, fts_words  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
K = 10
GOAL = 1.5
BASELINE = "BM25 (whole note)"
MATCHER = "matcher"

Ranker = Callable[[Store, str], list[str]]


def note_terms(text: str) -> list[str]:
    """Every distinct word of the note, lower-cased, in order, stopwords dropped."""
    return [w for w in fts_words(text) if w not in STOPWORDS]


def bm25_baseline(store: Store, text: str) -> list[str]:
    return [nct_id for nct_id, _ in store.rank_text(note_terms(text), K)]


def matcher_ranker(options: Any, index: Any) -> Ranker:
    from trialatlas.features.matching import match_patient

    def rank(store: Store, text: str) -> list[str]:
        result = match_patient(store, text, limit=K, options=options, index=index)
        return [m.nct_id for m in result.results]

    return rank


def methods(ablation: bool, index: Any) -> list[tuple[str, Ranker]]:
    """The baseline, the matcher if it is there and, with ``ablation``, the matcher with
    each boolean stage of ``MatchOptions`` switched off in turn."""
    out: list[tuple[str, Ranker]] = [(BASELINE, bm25_baseline)]
    try:
        from trialatlas.features.matching import MatchOptions
    except ImportError as exc:
        print(f"  matcher not available ({exc}); baseline only")
        return out
    out.append((MATCHER, matcher_ranker(MatchOptions(), index)))
    if ablation:
        for f in dataclasses.fields(MatchOptions):
            if f.type in (bool, "bool"):
                off = MatchOptions(**{f.name: False})
                out.append((f"  without {f.name.removeprefix('use_')}", matcher_ranker(off, index)))
    return out


def load_index(db: Path) -> Any:
    """The store's vector index (saved beside the store, reused while current), or None
    when the product has no vectors yet (the matcher then skips dense retrieval)."""
    try:
        from trialatlas.index.vectors import load_vector_index
    except ImportError:
        return None
    store = open_store(str(db))
    try:
        index = load_vector_index(store, str(db))
    finally:
        store.close()
    return index if index.size else None


@dataclasses.dataclass
class Run:
    """Scores of every method on one benchmark and store, per split."""

    benchmark: str
    store: str
    patients: int
    skipped: int
    judged_present: int
    errors: dict[str, int]
    first_error: dict[str, str]
    scores: dict[str, dict[str, Scores]]  # method → split → scores
    per_patient: dict[str, dict[str, float]] = dataclasses.field(default_factory=dict)
    split_of: dict[str, str] = dataclasses.field(default_factory=dict)


def run_benchmark(
    bench: Benchmark,
    store_name: str,
    store: Store,
    rankers: list[tuple[str, Ranker]],
    splits: Sequence[str],
    limit_patients: int | None,
) -> Run:
    present = stored_ids(store, bench.judged_trials())
    split_of = bench.splits()
    qids = [q for q in bench.queries if split_of[q] in splits][:limit_patients]
    scores = {name: {s: Scores() for s in splits} for name, _ in rankers}
    errors = {name: 0 for name, _ in rankers}
    first_error: dict[str, str] = {}
    per_patient: dict[str, dict[str, float]] = {}
    skipped = 0
    for qid in qids:
        judged = bench.judged_in(qid, present)
        if not any(g > 0 for g in judged.values()):
            skipped += 1
            continue
        for name, rank in rankers:
            started = time.perf_counter()
            try:
                ranked = rank(store, bench.queries[qid])
            except Exception as exc:  # one failing patient must not stop the bench
                errors[name] += 1
                first_error.setdefault(name, f"{qid}: {type(exc).__name__}: {str(exc)[:120]}")
                ranked = []
            scores[name][split_of[qid]].add(ranked, judged, time.perf_counter() - started)
            per_patient.setdefault(qid, {})[name] = ndcg_at_k(ranked, judged) or 0.0
    return Run(
        bench.name,
        store_name,
        len(qids),
        skipped,
        len(present),
        errors,
        first_error,
        scores,
        per_patient,
        split_of,
    )


def merged(parts: Sequence[Scores]) -> Scores:
    out = Scores()
    for part in parts:
        for f in ("ndcg", "precision", "eligible", "excluded", "seconds"):
            getattr(out, f).extend(getattr(part, f))
    return out


def _view(by_split: dict[str, Scores], view: str) -> Scores:
    return merged(list(by_split.values())) if view == "all" else by_split[view]


def print_run(run: Run, splits: Sequence[str]) -> None:
    """Print the table of one run, and the goal line (matcher vs baseline, per split)."""
    scored = run.patients - run.skipped
    print(
        f"\n== {run.benchmark} · {run.store} store · {scored} of {run.patients} patients "
        f"scored ({run.skipped} without a relevant judged trial in the store) · "
        f"{run.judged_present} judged trials in the store"
    )
    if scored == 0:
        print("not measurable on this store")
        return
    trec = run.benchmark == "trec_2021"
    header = f"{'method':<24} {'split':<9} {'n':>3} {'NDCG@10':>8} {'P@10':>6} {'×BM25':>6}"
    header += f" {'elig@10':>8} {'excl@10':>8}" if trec else ""
    print(header + f" {'s/patient':>9} {'p95 s':>7}")
    views = list(splits) + (["all"] if len(splits) > 1 else [])
    goal: list[str] = []
    for name, by_split in run.scores.items():
        for view in views:
            s = _view(by_split, view)
            base = _view(run.scores[BASELINE], view)
            ndcg, base_ndcg = s.mean(s.ndcg), base.mean(base.ndcg)
            ratio = f"{ndcg / base_ndcg:6.2f}" if base_ndcg else f"{'-':>6}"
            line = (
                f"{name:<24} {view:<9} {s.scored:>3} {ndcg:8.3f} {s.mean(s.precision):6.3f} {ratio}"
            )
            if trec:
                line += f" {s.mean(s.eligible):8.3f} {s.mean(s.excluded):8.3f}"
            print(line + f" {s.mean(s.seconds):9.3f} {s.p95_seconds():7.3f}")
            if name == MATCHER:
                met = "met" if base_ndcg and ndcg >= GOAL * base_ndcg else "not met"
                shown = f"{ndcg / base_ndcg:.2f}×" if base_ndcg else "no baseline"
                goal.append(f"{view} {met} ({shown})")
        if run.errors.get(name):
            print(
                f"{'':<24} {run.errors[name]} patients failed, counted as empty rankings;"
                f" first: {run.first_error[name]}"
            )
    if goal:
        print(f"goal NDCG@10 ≥ {GOAL}× BM25: " + "; ".join(goal))


def print_patients(run: Run) -> None:
    """NDCG@10 of every scored patient under each method (for tuning; no patient text)."""
    names = list(run.scores)
    print(f"{'patient':<16} {'split':<9} " + " ".join(f"{n.strip()[:18]:>18}" for n in names))
    for qid, by_method in run.per_patient.items():
        print(
            f"{qid:<16} {run.split_of[qid]:<9} "
            + " ".join(f"{by_method.get(n, 0.0):18.3f}" for n in names)
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--benchmark", choices=[*BENCHMARKS, "all"], default="all")
    p.add_argument("--store", type=Path, help="an existing store of the bundled sample (copied)")
    p.add_argument("--stores", choices=["bundled", "extended", "both"], default="both")
    p.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    p.add_argument("--ablation", action="store_true", help="matcher rows with each stage off")
    p.add_argument("--limit-patients", type=int, help="at most N patients per benchmark")
    p.add_argument("--per-patient", action="store_true", help="NDCG@10 of every patient")
    p.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print("$ python3 " + shlex.join(["bench/matching.py", *(argv or sys.argv[1:])]))
    if not (args.data / "benchmarks").is_dir():
        print(f"no benchmark data at {args.data} (see --data)")
        return 2
    names = list(BENCHMARKS) if args.benchmark == "all" else [args.benchmark]
    splits = list(SPLITS) if args.split == "all" else [args.split]
    bundled = bundled_store(args.store, print)
    ensure_vectors(bundled, print)
    dbs: dict[str, Path] = {}
    if args.stores in ("bundled", "both"):
        dbs["bundled"] = bundled
    if args.stores in ("extended", "both"):
        trialgpt = args.data / "trials" / "trialgpt_format_trials.jsonl.gz"
        dbs["extended"] = extended_store(bundled, trialgpt, print)
        ensure_vectors(dbs["extended"], print)
    for label, db in dbs.items():
        store = open_store(str(db))
        print(f"store {label}: {db} · {store.count_studies():,} trials · {size_mb(db):.0f} MB")
        store.close()
    benches = {name: load_benchmark(args.data, name) for name in names}
    started = time.perf_counter()
    for label, db in dbs.items():
        index = load_index(db)
        rankers = methods(args.ablation, index)
        store = open_store(str(db))
        try:
            for name in names:
                run = run_benchmark(
                    benches[name], label, store, rankers, splits, args.limit_patients
                )
                print_run(run, splits)
                if args.per_patient:
                    print_patients(run)
        finally:
            store.close()
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
