"""Readability of the patient summaries: Flesch-Kincaid grade over a whole store.

Builds the patient summary of every trial (rule-based writer) and prints the
distribution of the grade of its generated sentences, the share at grade 8 or
below (goal: at least 90%), the hardest sections and the build time per trial.

    python bench/readability.py                    # the bundled sample, in a temporary store
    python bench/readability.py --db var/trialatlas.db
    python bench/readability.py --worst 10         # also list the 10 hardest trials
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from trialatlas.features.patient_summary import patient_summary
from trialatlas.features.patient_summary.readability import text_stats
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_sources
from trialatlas.store import open_store

GOAL_GRADE = 8.0
GOAL_SHARE = 0.90


def bundled_store(folder: Path) -> str:
    path = folder / "bundled.db"
    store = open_store(str(path))
    try:
        ingest_paths(store, sample_sources())
    finally:
        store.close()
    return str(path)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def run(db: str, worst: int) -> None:
    store = open_store(db)
    grades: list[tuple[float, str]] = []
    section_text: dict[str, list[str]] = defaultdict(list)
    started = time.perf_counter()
    for study in store.iter_studies():
        summary = patient_summary(store, study)
        grades.append((summary.readability.grade, study.nct_id))
        for answer in summary.answers:
            section_text[answer.id] += [s.text for s in answer.sentences]
        section_text["eligibility"] += [s.text for s in summary.eligibility.sentences]
        section_text["timeline"] += [s.text for step in summary.timeline for s in step.sentences]
        section_text["treatments"] += [s.text for t in summary.treatments for s in t.sentences]
        section_text["running"] += [s.text for s in summary.running.sentences]
    elapsed = time.perf_counter() - started
    store.close()
    values = [g for g, _ in grades]
    if not values:
        print("no trials in the store")
        return
    share = sum(1 for g in values if g <= GOAL_GRADE) / len(values)
    print(f"trials: {len(values):,}   build: {1000 * elapsed / len(values):.1f} ms/trial")
    print(
        f"grade: mean {statistics.mean(values):.1f}  p10 {percentile(values, 0.10):.1f}  "
        f"p50 {percentile(values, 0.50):.1f}  p90 {percentile(values, 0.90):.1f}  "
        f"p99 {percentile(values, 0.99):.1f}  max {max(values):.1f}"
    )
    print(
        f"grade <= {GOAL_GRADE:g}: {100 * share:.1f}% of trials "
        f"(goal {100 * GOAL_SHARE:.0f}%: {'met' if share >= GOAL_SHARE else 'NOT met'})"
    )
    print("histogram (grade: trials)")
    buckets: dict[int, int] = defaultdict(int)
    for g in values:
        buckets[min(int(g), 14)] += 1
    for bucket in sorted(buckets):
        label = f"{bucket:>2}-{bucket + 1:<2}" if bucket < 14 else "14+  "
        bar = "#" * max(1, round(60 * buckets[bucket] / len(values)))
        print(f"  {label} {buckets[bucket]:>6,}  {bar}")
    print("grade by section (all trials' sentences together)")
    for name, texts in section_text.items():
        print(f"  {name:<12} {text_stats(texts).grade:5.1f}")
    if worst:
        print(f"hardest {worst} trials")
        for grade, nct_id in sorted(grades, reverse=True)[:worst]:
            print(f"  {nct_id}  {grade:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="an existing store (default: the bundled sample, loaded fresh)")
    parser.add_argument("--worst", type=int, default=0, help="list the N hardest trials")
    args = parser.parse_args()
    if args.db:
        run(args.db, args.worst)
        return
    with tempfile.TemporaryDirectory() as folder:
        print("loading the bundled sample into a temporary store …")
        run(bundled_store(Path(folder)), args.worst)


if __name__ == "__main__":
    main()
