"""A search's counts (:class:`Counts`, as each backend gathers them), its facet counts
from them, and the counts of an open-first search (``SearchQuery.open_first``) from
those of its two groups. No SQL here; every store backend uses it.

The open-first groups split the set by status (open to enrollment, the others), so
each trial is counted in exactly one group: the set's counts are their sums.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from trialatlas.model.codes import label
from trialatlas.model.search import FacetCount, Facets

FACET_LIMIT = 30  # values shown per facet (largest counts first)
Row = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Counts:
    """Facet combinations ``(status, phases, type, class, count)``, country counts, the
    total, and how the facet counts scale up to the whole set (``sample``: the number
    of hits counted, None when all were)."""

    combos: list[Row]
    countries: list[tuple[str, int]]
    total: int
    scale: float = 1.0
    total_estimated: bool = False
    sample: int | None = None


def about(value: float) -> int:
    """``value`` rounded to three significant digits (an estimate shows no false precision)."""
    if value < 1000:
        return round(value)
    digits = int(math.floor(math.log10(value))) - 2
    return int(round(value, -digits))


def facets_of(combos: list[Row], countries: Iterable[tuple[str, int]], scale: float) -> Facets:
    """Facet counts from the combinations; ``scale`` (not 1) turns the counts of a sample
    into estimates for the whole set (countries are never scaled: they count the
    best-ranked hits, and say so)."""
    status: Counter[str] = Counter()
    phase: Counter[str] = Counter()
    study_type: Counter[str] = Counter()
    sponsor_class: Counter[str] = Counter()
    for st, phases, stype, sclass, count in combos:
        n = int(count)  # type: ignore[call-overload]
        if st:
            status[str(st)] += n
        for code in str(phases).split("|") if phases else []:
            phase[code] += n
        if stype:
            study_type[str(stype)] += n
        if sclass:
            sponsor_class[str(sclass)] += n
    if scale != 1.0:
        for counter in (status, phase, study_type, sponsor_class):
            for value, n in counter.items():
                counter[value] = about(n * scale)
    return Facets(
        status=_counts_list(status, "overall_status"),
        phase=_counts_list(phase, "phase"),
        study_type=_counts_list(study_type, "study_type"),
        sponsor_class=_counts_list(sponsor_class, "agency_class"),
        country=_counts_list(Counter(dict(countries)), None),
    )


def _counts_list(counter: Counter[str], kind: str | None) -> list[FacetCount]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT]
    return [
        FacetCount(value=value, label=label(kind, value) if kind else value, count=count)
        for value, count in ranked
    ]


def merged_counts(parts: list[Counts]) -> Counts:
    """The counts of the union of disjoint sets (the groups of an open-first search).

    A group counted from a sample has its combinations scaled up here, so the result
    has a scale of 1 and says it is estimated."""
    if len(parts) == 1:
        return parts[0]
    combos: list[Row] = []
    countries: Counter[str] = Counter()
    samples = [c.sample for c in parts if c.sample is not None]
    for part in parts:
        if part.scale == 1.0:
            combos += part.combos
        else:
            combos += [(*row[:4], about(int(row[4]) * part.scale)) for row in part.combos]  # type: ignore[call-overload]
        countries.update(dict(part.countries))
    return Counts(
        combos=combos,
        countries=sorted(countries.items()),
        total=sum(c.total for c in parts),
        total_estimated=any(c.total_estimated for c in parts),
        sample=sum(samples) if samples else None,
    )
