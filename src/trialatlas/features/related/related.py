"""``related_trials``: the trials most like one trial, each with its score and reasons.

Candidates come from three places: the trial's nearest neighbours by sentence vector
(title, conditions, interventions, summary; :class:`~trialatlas.index.vectors.VectorIndex`),
the trials sharing one of its MeSH terms or condition/intervention names
(:meth:`Store.term_neighbours`), and, when there are no vectors, full-text search
with its title, conditions and treatments. Each candidate is scored 0–1:

    score = 0.60 · text similarity (cosine of the vectors; BM25 share without them)
          + 0.05 · shared treatments   (rarer in the store → more weight)
          + 0.34 · shared conditions   (idem)
          + 0.01 · shared design       (study type, phase, primary purpose)

The weights were set on bench/related.py (recall of the trials judged relevant to
the same benchmark patients): text and conditions carry most of it; a shared treatment
predicts little (0.15 → 0.05 raised recall@10 from 0.248 to 0.255), so the trials of
the same treatment are kept in by their own slots instead (``_with_same_treatments``).
A shared design predicts less still (0.05 → 0.01, its weight moved to conditions:
recall@10 1.22× → 1.25× BM25's): it breaks ties and is named among the reasons.

``related`` holds the 5 best, ``more_related`` the next 10 (as the registry page
shows them), never the trial itself.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from trialatlas.features.criteria_text import unescape_registry
from trialatlas.features.related.model import OPEN_STATUSES, RelatedTrial, RelatedTrials
from trialatlas.features.related.reasons import (
    SAME_TREATMENT,
    SIMILAR_TOPIC,
    design_reasons,
    design_similarity,
    term_reason,
)
from trialatlas.features.related.terms import (
    SharedTerm,
    Term,
    condition_terms,
    shared_terms,
    treatment_terms,
)
from trialatlas.model.codes import label
from trialatlas.normalize.values import NCT_ID_RE
from trialatlas.store.base import Store, StudyBrief

RELATED = 5
MORE_RELATED = 10
NEIGHBOURS = 100  # candidates from the vectors, and again from the shared terms
W_TEXT, W_TREATMENT, W_CONDITION, W_DESIGN = 0.60, 0.05, 0.34, 0.01
SIMILAR_WEIGHT = 0.6  # a similar (not the same) treatment counts this much of a shared one
MAX_REASONS = 4
SAME_TREATMENT_SLOTS = 4  # trials of the same treatment kept in the list (see below)
_TREATMENT_COLUMNS = ("title", "interventions")


class NeighbourIndex(Protocol):
    """What the feature needs of a vector index (``index.vectors.VectorIndex``)."""

    def search_by_id(self, nct_id: str, k: int) -> list[tuple[str, float]]: ...

    def vector(self, nct_id: str) -> Any: ...  # the unit vector (numpy), None if it has none


PROFILE_CACHE = 10_000  # trial profiles kept per process (about 4 KB each)


@dataclass(frozen=True, slots=True)
class _Profile:
    brief: StudyBrief
    treatments: list[Term]
    conditions: list[Term]


def related_trials(
    store: Store,
    nct_id: str,
    index: NeighbourIndex | None = None,
    limit: int = RELATED + MORE_RELATED,
) -> RelatedTrials | None:
    """The ``limit`` trials most like ``nct_id`` (5 related, the rest more related), or
    None when the store has no such trial."""
    canonical = nct_id.strip().upper()
    if not NCT_ID_RE.match(canonical):
        return None
    target = store.study_briefs([canonical]).get(canonical)
    if target is None:
        return None
    profile = _profile(target)
    text = _text_similarity(store, target, index)
    for other, _weight in store.term_neighbours(canonical, NEIGHBOURS):
        text.setdefault(other, 0.0)
    # the treatments by name in others' words ("BM-MSC" is "bone marrow mesenchymal stem cells")
    names = list(dict.fromkeys(w for t in profile.treatments for w in t.words))
    for other, _bm25 in store.rank_text(
        names, NEIGHBOURS, columns=_TREATMENT_COLUMNS, remember=True
    ):
        text.setdefault(other, 0.0)
    text.pop(canonical, None)
    _fill_cosines(index, canonical, text)
    briefs = store.study_briefs(list(text))
    scored = _score_all(store, profile, [_profile(b) for b in briefs.values()], text)
    ranked = _with_same_treatments(sorted(scored, key=lambda t: (-t.score, t.nct_id)), limit)
    return RelatedTrials(nct_id=canonical, related=ranked[:RELATED], more_related=ranked[RELATED:])


def _with_same_treatments(ranked: list[RelatedTrial], limit: int) -> list[RelatedTrial]:
    """The first ``limit`` trials, with up to :data:`SAME_TREATMENT_SLOTS` of those that
    test the same treatment kept in (in place of the last others), best first.

    Text and conditions rank first (they predict best which trials suit the same
    patients), but the trials of the same rare treatment for other conditions are
    what a registry reader looks for too (seed 001 lists bone-marrow MSC trials for
    kidney disease and knee osteoarthritis beside a back-pain trial)."""
    top = ranked[: max(limit, 0)]
    have = sum(1 for t in top if _same_treatment(t))
    extra = [t for t in ranked[len(top) :] if _same_treatment(t)]
    extra = extra[: max(0, min(SAME_TREATMENT_SLOTS - have, len(top) // 3))]
    if not extra:
        return top
    kept = top[: len(top) - len(extra)]
    return sorted([*kept, *extra], key=lambda t: (-t.score, t.nct_id))


def _same_treatment(trial: RelatedTrial) -> bool:
    return any(r.startswith(SAME_TREATMENT) for r in trial.reasons)


@functools.lru_cache(maxsize=PROFILE_CACHE)
def _profile(brief: StudyBrief) -> _Profile:
    """A pure function of the brief, its cache key (a changed trial is a new key): the
    trials that come up as candidates of many pages are profiled once per process."""
    return _Profile(
        brief=brief, treatments=treatment_terms(brief), conditions=condition_terms(brief)
    )


def _text_similarity(
    store: Store, target: StudyBrief, index: NeighbourIndex | None
) -> dict[str, float]:
    """Candidates by text: vector neighbours (cosine), else BM25 (share of the best)."""
    if index is not None:
        try:
            found = index.search_by_id(target.nct_id, NEIGHBOURS)
        except KeyError:  # a trial without a vector yet
            found = []
        if found:
            return {nct: max(0.0, min(1.0, float(cos))) for nct, cos in found}
    terms = [target.title, *target.conditions, *(iv.name for iv in target.interventions)]
    hits = [
        (n, s)
        for n, s in store.rank_text(terms, NEIGHBOURS + 1, remember=True)
        if n != target.nct_id
    ]
    best = max((s for _, s in hits), default=0.0)
    # BM25 has no absolute scale: the best hit counts as a fairly close text (0.8)
    return {nct: 0.8 * s / best for nct, s in hits} if best > 0 else {}


def _fill_cosines(index: NeighbourIndex | None, nct_id: str, text: dict[str, float]) -> None:
    """The cosine of the candidates found by their terms rather than their vectors."""
    if index is None:
        return
    mine = _vector(index, nct_id)
    if mine is None:
        return
    for other, value in text.items():
        if value == 0.0:
            theirs = _vector(index, other)
            if theirs is not None:
                text[other] = max(0.0, min(1.0, float(mine @ theirs)))


def _vector(index: NeighbourIndex, nct_id: str) -> Any:
    try:
        return index.vector(nct_id)
    except KeyError:
        return None


def _score_all(
    store: Store, target: _Profile, candidates: list[_Profile], text: dict[str, float]
) -> list[RelatedTrial]:
    shared = {
        c.brief.nct_id: (
            shared_terms("interventions", target.treatments, c.treatments),
            shared_terms("conditions", target.conditions, c.conditions),
        )
        for c in candidates
    }
    rarity = _rarity(store, [t for pair in shared.values() for terms in pair for t in terms])
    out = []
    for cand in candidates:
        treatments, conditions = shared[cand.brief.nct_id]
        out.append(
            _related(
                target.brief,
                cand.brief,
                text.get(cand.brief.nct_id, 0.0),
                treatments,
                conditions,
                rarity,
            )
        )
    return out


def _rarity(store: Store, terms: Sequence[SharedTerm]) -> dict[tuple[str, str], float]:
    """0–1 per shared term: √(log(N / trials holding it) / log(N)) (a common shared
    condition still says something; a rare one says more)."""
    total = store.count_studies()
    out: dict[tuple[str, str], float] = {}
    for field in ("interventions", "conditions"):
        displays = sorted({t.display for t in terms if t.field == field})
        if not displays:
            continue
        counts = store.term_document_counts(field, displays)
        for display in displays:
            df = max(1, counts.get(display, 1))
            out[(field, display)] = (
                math.sqrt(max(0.0, math.log(total / df) / math.log(total))) if total > 1 else 1.0
            )
    return out


def _related(
    target: StudyBrief,
    other: StudyBrief,
    text: float,
    treatments: list[SharedTerm],
    conditions: list[SharedTerm],
    rarity: dict[tuple[str, str], float],
) -> RelatedTrial:
    def weight(term: SharedTerm) -> float:
        w = rarity.get((term.field, term.display), 0.0)
        return w if term.same else w * SIMILAR_WEIGHT

    treatment = _noisy_or([weight(t) for t in treatments])
    condition = _noisy_or([weight(t) for t in conditions])
    design = design_similarity(target, other)
    score = W_TEXT * text + W_TREATMENT * treatment + W_CONDITION * condition + W_DESIGN * design
    reasons: list[tuple[float, str]] = []
    for terms, share in ((treatments, W_TREATMENT), (conditions, W_CONDITION)):
        best = max(terms, key=lambda t: (weight(t), t.same, len(t.display)), default=None)
        if best is not None and weight(best) > 0:
            reasons.append((share * weight(best), term_reason(best)))
    reasons.sort(key=lambda r: -r[0])
    texts = [r[1] for r in reasons]
    if not texts:
        texts.append(SIMILAR_TOPIC)
    texts += design_reasons(target, other, with_kind=not treatments)
    return RelatedTrial(
        nct_id=other.nct_id,
        title=unescape_registry(other.title),
        overall_status=other.overall_status,
        status_label=label("overall_status", other.overall_status) or None,
        open=other.overall_status in OPEN_STATUSES,
        score=round(min(1.0, max(0.0, score)), 3),
        reasons=texts[:MAX_REASONS],
    )


def _noisy_or(weights: list[float]) -> float:
    """Several shared terms add up, never past 1."""
    miss = 1.0
    for w in weights:
        miss *= 1.0 - max(0.0, min(1.0, w))
    return 1.0 - miss
