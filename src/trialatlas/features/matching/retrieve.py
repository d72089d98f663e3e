"""Candidate trials for a patient: BM25 over the full-text index fused with dense vectors.

Each retriever gives a ranked list; reciprocal rank fusion (Cormack et al. 2009)
adds ``weight / (k + rank)`` per list, so a trial near the top of several lists
rises above one that only one list likes, whatever the scale of their scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trialatlas.features.matching.query import PatientQuery
from trialatlas.store.base import Store

if TYPE_CHECKING:
    from trialatlas.index.vectors import VectorIndex

RRF_K = 60
POOL = 200  # candidates each retriever contributes
# weights tuned on the "tune" halves of the benchmarks (bench/matching.py): the note's
# own words carry most, the understood conditions sharpen them, dense vectors of the
# whole description and of its conditions add what shares no word. Measured and left
# out for notes: BM25 of the conditions over titles and conditions alone, and a second
# round with the conditions the first candidates share (pseudo-relevance feedback):
# each lowered NDCG@10 on both halves.
_WEIGHTS = {
    "keywords": 0.75,
    "conditions": 1.0,  # profiles only (no note)
    "note": 1.5,
    "dense": 0.5,
    "dense_note": 1.0,
}


@dataclass(frozen=True, slots=True)
class Candidate:
    nct_id: str
    fused: float  # reciprocal-rank fusion score
    ranks: dict[str, int]  # retriever → 1-based rank


def fuse(
    lists: dict[str, Sequence[str]], weights: dict[str, float] | None = None
) -> list[Candidate]:
    """Reciprocal rank fusion of ranked id lists, best first (ties by id for stability)."""
    weights = weights or _WEIGHTS
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ids in lists.items():
        weight = weights.get(name, 1.0)
        for rank, nct_id in enumerate(ids, start=1):
            scores[nct_id] = scores.get(nct_id, 0.0) + weight / (RRF_K + rank)
            ranks.setdefault(nct_id, {})[name] = rank
    ordered = sorted(scores, key=lambda n: (-scores[n], n))
    return [Candidate(n, scores[n], ranks[n]) for n in ordered]


def keyword_lists(
    store: Store, query: PatientQuery, pool: int = POOL, *, titles_and_conditions: bool = True
) -> dict[str, list[str]]:
    """BM25 over every field and, with ``titles_and_conditions``, over titles and
    conditions alone (they say what a trial is about; the long descriptions mention many
    conditions in passing)."""
    lists: dict[str, list[str]] = {}
    if query.terms:
        lists["keywords"] = [n for n, _ in store.rank_text(query.terms, pool)]
    if query.condition_terms and titles_and_conditions:
        lists["conditions"] = [
            n
            for n, _ in store.rank_text(
                query.condition_terms, pool, columns=("title", "conditions", "keywords")
            )
        ]
    return lists


def dense_lists(
    index: VectorIndex | None, texts: dict[str, str], pool: int = POOL
) -> dict[str, list[str]]:
    """Nearest trials to each named text by sentence embedding (one batch; empty without
    an index)."""
    named = {name: text for name, text in texts.items() if text.strip()}
    if index is None or index.size == 0 or not named:
        return {}
    from trialatlas.index.embedding import embedder

    vectors = embedder().encode_queries(list(named.values()))
    return {
        name: [n for n, _ in index.search(vector, pool)]
        for name, vector in zip(named, vectors, strict=True)
    }
