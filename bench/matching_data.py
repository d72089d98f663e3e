"""The matching benchmarks (../shared/data/benchmarks): patients, graded judgments, splits.

- ``sigir`` (SIGIR 2016, 58 patients): 0 would not refer, 1 would consider, 2 highly likely.
- ``trec_2021`` (TREC Clinical Trials 2021, 75 patients): 0 not relevant, 1 excluded, 2 eligible.
- ``gs_synthetic_30`` (30 synthetic vignettes): one target trial each, grade 1.

Split: the patients of a benchmark are ordered by the SHA-256 of their query id; the
first half (rounded up) is "tune", the rest "held-out". Fixed for the files at hand,
independent of the order of the file, exact halves. The team tunes on "tune" and
reports "held-out".
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import orjson

BENCHMARKS = ("sigir", "trec_2021", "gs_synthetic_30")
SPLITS = ("tune", "held-out")
_QRELS = {"gs_synthetic_30": "target_trials.tsv"}


@dataclass(frozen=True)
class Benchmark:
    name: str
    queries: dict[str, str]  # query id → patient description
    qrels: dict[str, dict[str, int]]  # query id → {nct_id: grade}

    def judged_in(self, qid: str, present: set[str]) -> dict[str, int]:
        """The judgments of ``qid`` restricted to trials present in the store."""
        return {n: g for n, g in self.qrels.get(qid, {}).items() if n in present}

    def judged_trials(self) -> set[str]:
        return {n for judged in self.qrels.values() for n in judged}

    def splits(self) -> dict[str, str]:
        """Query id → ``"tune"`` or ``"held-out"`` (see the module's note)."""
        return split_ids(list(self.queries))


def split_ids(query_ids: list[str]) -> dict[str, str]:
    """The first half (rounded up) by SHA-256 of the id is "tune", the rest "held-out"."""
    ordered = sorted(query_ids, key=lambda q: hashlib.sha256(q.encode()).hexdigest())
    half = (len(ordered) + 1) // 2
    return {q: SPLITS[0] if i < half else SPLITS[1] for i, q in enumerate(ordered)}


def load_benchmark(data_dir: Path, name: str) -> Benchmark:
    """Read ``benchmarks/<name>/queries.jsonl`` and its graded judgments."""
    folder = data_dir / "benchmarks" / name
    queries: dict[str, str] = {}
    with open(folder / "queries.jsonl", "rb") as fh:
        for line in fh:
            if line.strip():
                obj = orjson.loads(line)
                queries[str(obj["_id"])] = str(obj["text"])
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / _QRELS.get(name, "qrels.tsv"), newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return Benchmark(name, queries, qrels)
