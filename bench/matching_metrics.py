"""Ranking metrics for the matching bench: NDCG@k (graded), P@k, grade fractions.

Judgments are graded 0/1/2 (TREC 2021: 0 not relevant, 1 excluded, 2 eligible).
Gains are the grades themselves (as ``trec_eval``'s ``ndcg_cut``), discounted by
``log2(rank + 1)``. A ranked trial without a judgment counts as grade 0. The ideal
ranking is built from the judgments given, so pass only the judged trials present
in the store being ranked.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of ``gains`` in rank order (rank 1 first)."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains) if g)


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float | None:
    """NDCG@k of ``ranked`` (best first) against graded ``judged``; None when no judged
    trial is relevant (grade > 0): the patient cannot be scored and is skipped."""
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    best = dcg(ideal)
    if best <= 0:
        return None
    return dcg([judged.get(nct_id, 0) for nct_id in ranked[:k]]) / best


def precision_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Share of the first ``k`` ranks holding a relevant (grade > 0) trial; a list
    shorter than ``k`` counts its missing ranks as not relevant."""
    return sum(1 for nct_id in ranked[:k] if judged.get(nct_id, 0) > 0) / k


def grade_share_at_k(
    ranked: Sequence[str], judged: Mapping[str, int], grade: int, k: int = 10
) -> float:
    """Share of the first ``k`` ranks holding a trial judged exactly ``grade``."""
    return sum(1 for nct_id in ranked[:k] if judged.get(nct_id, 0) == grade) / k


@dataclass
class Scores:
    """Per-patient figures of one method on one benchmark (skipped patients counted)."""

    ndcg: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    eligible: list[float] = field(default_factory=list)
    excluded: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    skipped: int = 0

    def add(self, ranked: Sequence[str], judged: Mapping[str, int], seconds: float) -> None:
        self.seconds.append(seconds)
        value = ndcg_at_k(ranked, judged)
        if value is None:
            self.skipped += 1
            return
        self.ndcg.append(value)
        self.precision.append(precision_at_k(ranked, judged))
        self.eligible.append(grade_share_at_k(ranked, judged, 2))
        self.excluded.append(grade_share_at_k(ranked, judged, 1))

    @property
    def scored(self) -> int:
        return len(self.ndcg)

    def mean(self, values: list[float]) -> float:
        return statistics.fmean(values) if values else 0.0

    def p95_seconds(self) -> float:
        return percentile(self.seconds, 95)


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
