"""``quick_search``: the home page's ranked full-text search over the store.

A small, typed result (query, hits with their status and phase already labelled)
that the home page renders. The search issue grows this into ``search_trials``
with filters and facets.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from trialatlas.features.trial_page import canonical_nct_id
from trialatlas.model.codes import OPEN_STATUSES, label, phases_label
from trialatlas.store.base import Store, TextHit

MAX_QUERY_CHARS = 200


class SearchHit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nct_id: str
    title: str
    status_code: str | None = None
    status_label: str | None = None
    is_open: bool = False  # recruiting or about to recruit
    phase_label: str | None = None
    conditions: list[str] = Field(default_factory=list)
    score: float = 0.0


class QuickSearch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str
    hits: list[SearchHit] = Field(default_factory=list)
    limit: int
    total_studies: int | None = None


def normalize_query(query: str | None) -> str:
    """Collapse whitespace and cap the length of what a person typed."""
    return " ".join((query or "").split())[:MAX_QUERY_CHARS]


def _hit(hit: TextHit) -> SearchHit:
    return SearchHit(
        nct_id=hit.nct_id,
        title=hit.title,
        status_code=hit.overall_status,
        status_label=label("overall_status", hit.overall_status) or None,
        is_open=hit.overall_status in OPEN_STATUSES,
        phase_label=phases_label(hit.phases) or None,
        conditions=list(hit.conditions),
        score=hit.score,
    )


def _exact_id_hit(store: Store, text: str) -> SearchHit | None:
    """A query that is an NCT ID finds that trial first."""
    nct_id = canonical_nct_id(text)
    study = store.get_study(nct_id) if nct_id else None
    if study is None:
        return None
    return _hit(
        TextHit(
            nct_id=study.nct_id,
            title=study.title,
            overall_status=study.status.overall_status,
            phases=study.design.phases,
            conditions=study.conditions,
        )
    )


def quick_search(store: Store, query: str | None, limit: int = 20) -> QuickSearch:
    """Ranked hits for ``query`` (best first); no query → no hits, just the store size."""
    text = normalize_query(query)
    hits: list[SearchHit] = []
    if text:
        exact = _exact_id_hit(store, text)
        if exact is not None:
            hits.append(exact)
        for hit in store.search_text(text, limit=limit):
            if exact is None or hit.nct_id != exact.nct_id:
                hits.append(_hit(hit))
        hits = hits[:limit]
    total = None if text else store.count_studies()
    return QuickSearch(query=text, hits=hits, limit=limit, total_studies=total)
