"""Readability of the patient page: Flesch-Kincaid grade, two ways.

1. The page as a reader meets it (the figure that counts): ``/trials/{nct_id}`` is
   rendered by the real app for trials drawn at random (fixed seed) from the whole
   store, and all prose of the page is scored together: headings and paragraphs of
   ``<main>``, lists, tables and link rows aside (``trialatlas.web.page_prose``).
2. The generated sentences only (the older figure): the summary's own sentences,
   without headings, questions or registry text shown on the page.

Both print the share of trials at grade 8 or below (goal: at least 90%).

    python bench/readability.py                       # the bundled sample, in a temporary store
    python bench/readability.py --db /tmp/ta-copy.db  # an existing store (read only)
    python bench/readability.py --sample 120 --seed 12 --worst 10
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient

from trialatlas.features.patient_summary import patient_summary
from trialatlas.features.patient_summary.readability import text_stats
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_sources
from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.web.app import create_app
from trialatlas.web.page_prose import page_prose

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


def drawn_ids(db: str, sample: int, seed: int) -> list[str]:
    """``sample`` NCT IDs drawn at random (seeded) from the whole store, in draw order."""
    store = open_store(db)
    try:
        ids = sorted(store.iter_nct_ids())  # type: ignore[attr-defined]
    finally:
        store.close()
    return random.Random(seed).sample(ids, min(sample, len(ids)))


def page_grades(db: str, ids: list[str]) -> Iterator[tuple[str, float, dict[str, float]]]:
    """Each trial's page grade, with the grade of each kind of block (h1, h3, p …)."""
    with TestClient(create_app(Settings(db_url=db, read_only=True))) as client:
        for nct_id in ids:
            response = client.get(f"/trials/{nct_id}")
            response.raise_for_status()
            blocks = page_prose(response.text)
            by_tag: dict[str, list[str]] = defaultdict(list)
            for block in blocks:
                by_tag[block.tag].append(block.text)
            grade = text_stats(b.text for b in blocks).grade
            yield nct_id, grade, {tag: text_stats(t).grade for tag, t in by_tag.items()}


def summary_grades(
    db: str, ids: list[str] | None
) -> tuple[list[tuple[float, str]], dict[str, list[str]]]:
    """The older measure: the grade of each trial's generated sentences (every trial if no ids)."""
    store = open_store(db)
    grades: list[tuple[float, str]] = []
    section_text: dict[str, list[str]] = defaultdict(list)
    try:
        studies = (
            store.iter_studies() if ids is None else (s for s in store.get_studies(ids).values())  # type: ignore[attr-defined]
        )
        for study in studies:
            summary = patient_summary(store, study)
            grades.append((summary.readability.grade, study.nct_id))
            for answer in summary.answers:
                section_text[answer.id] += [s.text for s in answer.sentences]
            section_text["eligibility"] += [s.text for s in summary.eligibility.sentences]
            section_text["timeline"] += [s.text for st in summary.timeline for s in st.sentences]
            section_text["treatments"] += [s.text for t in summary.treatments for s in t.sentences]
            section_text["running"] += [s.text for s in summary.running.sentences]
    finally:
        store.close()
    return grades, section_text


def print_share(name: str, values: list[float]) -> None:
    share = sum(1 for g in values if g <= GOAL_GRADE) / len(values)
    print(
        f"{name}: {100 * share:.1f}% of {len(values):,} trials at grade <= {GOAL_GRADE:g} "
        f"(goal {100 * GOAL_SHARE:.0f}%: {'met' if share >= GOAL_SHARE else 'NOT met'})"
    )
    print(
        f"  grade: mean {statistics.mean(values):.1f}  p10 {percentile(values, 0.10):.1f}  "
        f"p50 {percentile(values, 0.50):.1f}  p90 {percentile(values, 0.90):.1f}  "
        f"max {max(values):.1f}"
    )


def run(db: str, sample: int, seed: int, worst: int, all_trials: bool) -> None:
    ids = drawn_ids(db, sample, seed)
    if not ids:
        print("no trials in the store")
        return
    started = time.perf_counter()
    pages = list(page_grades(db, ids))
    elapsed = time.perf_counter() - started
    print(
        f"page prose, {len(ids)} trials drawn with seed {seed}: {1000 * elapsed / len(ids):.0f} ms/page"
    )
    print_share("rendered page prose", [g for _, g, _ in pages])
    tag_grades: dict[str, list[float]] = defaultdict(list)
    for _, _, by_tag in pages:
        for tag, grade in by_tag.items():
            tag_grades[tag].append(grade)
    print(
        "  median grade by block kind: "
        + "  ".join(f"{tag} {statistics.median(v):.1f}" for tag, v in sorted(tag_grades.items()))
    )
    grades, section_text = summary_grades(db, None if all_trials else ids)
    scope = "every trial in the store" if all_trials else "the same trials"
    print(f"generated sentences only ({scope}):")
    print_share("generated sentences", [g for g, _ in grades])
    print(
        "  grade by section (all trials' sentences together): "
        + "  ".join(f"{name} {text_stats(texts).grade:.1f}" for name, texts in section_text.items())
    )
    if worst:
        print(f"hardest {worst} pages")
        for nct_id, grade, by_tag in sorted(pages, key=lambda p: -p[1])[:worst]:
            detail = " ".join(f"{t}={g:.0f}" for t, g in sorted(by_tag.items()))
            print(f"  {nct_id}  {grade:5.1f}   {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", help="an existing store (default: the bundled sample, loaded fresh)"
    )
    parser.add_argument("--sample", type=int, default=120, help="trials drawn for the page measure")
    parser.add_argument("--seed", type=int, default=12, help="seed of the random draw")
    parser.add_argument("--worst", type=int, default=0, help="list the N hardest pages")
    parser.add_argument(
        "--all",
        action="store_true",
        help="score the generated sentences of every trial, not the drawn ones",
    )
    args = parser.parse_args()
    if args.db:
        run(args.db, args.sample, args.seed, args.worst, args.all)
        return
    with tempfile.TemporaryDirectory() as folder:
        print("loading the bundled sample into a temporary store …")
        run(bundled_store(Path(folder)), args.sample, args.seed, args.worst, args.all)


if __name__ == "__main__":
    main()
