"""What the store knows about other trials of a treatment (for the patient summary), on
PostgreSQL: the same questions as :mod:`trialatlas.store.sqlite.evidence`, through the
``interventions`` and ``conditions`` text fields of ``study_text`` (each GIN-indexed).
Phrases are built from words only (:func:`trialatlas.store.postgres.text_query.phrases_query`).
"""

from __future__ import annotations

from collections.abc import Sequence

from trialatlas.store.base import EvidenceTrial, SeriousEvents
from trialatlas.store.evidence_rows import (
    MAX_PHRASES,
    event_trial_ids,
    evidence_trial,
    serious_events_by_study,
)
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.postgres.text_query import phrases_query
from trialatlas.store.sql_text import Rows


def _field_match(field: str, terms: Sequence[str], p: Params) -> str | None:
    query = phrases_query(terms, p, MAX_PHRASES)
    return None if query is None else f"st.{field} @@ {query}"


def trials_with_results(
    store: Rows, intervention_terms: Sequence[str], exclude: str | None, limit: int
) -> tuple[int, list[EvidenceTrial]]:
    """How many completed trials with posted results test one of the terms, and the
    ``limit`` most recently completed."""
    p = Params()
    match = _field_match("interventions", intervention_terms, p)
    if match is None:
        return 0, []
    where = (
        f"{match} AND s.has_results = 1 AND s.overall_status = 'COMPLETED'"
        f" AND s.nct_id <> {p.add('exclude', exclude or '')}"
    )
    source = "study_text st JOIN studies s ON s.nct_id = st.nct_id"
    total = int(store.rows(f"SELECT count(*) FROM {source} WHERE {where}", p.values)[0][0])
    if total == 0:
        return 0, []
    found = store.rows(
        "SELECT s.nct_id, coalesce(s.brief_title, s.official_title, s.nct_id), s.overall_status,"
        f" s.phases, s.enrollment_count, s.completion_date FROM {source} WHERE {where}"
        f" ORDER BY s.completion_date DESC NULLS LAST, s.nct_id LIMIT {p.add('limit', limit)}",
        p.values,
    )
    trials = [evidence_trial(r) for r in found]
    return total, trials


def count_intervention_trials(
    store: Rows,
    intervention_terms: Sequence[str],
    condition_terms: Sequence[str],
    exclude: str | None,
) -> int:
    """How many trials (other than ``exclude``) test one of the terms for one of the conditions."""
    p = Params()
    interventions = _field_match("interventions", intervention_terms, p)
    if interventions is None:
        return 0
    conditions = _field_match("conditions", condition_terms, p)
    match = f"{interventions} AND {conditions}" if conditions else interventions
    found = store.rows(
        f"SELECT count(*) FROM study_text st WHERE {match}"
        f" AND st.nct_id <> {p.add('exclude', exclude or '')}",
        p.values,
    )
    return int(found[0][0])


def serious_events(store: Rows, nct_ids: Sequence[str]) -> dict[str, SeriousEvents]:
    """Posted serious adverse events per trial, summed over its groups (trials without
    posted adverse events are left out)."""
    ids = event_trial_ids(nct_ids)
    if not ids:
        return {}
    found = store.rows("SELECT nct_id, document FROM studies WHERE nct_id = ANY(%s)", (ids,))
    return serious_events_by_study(sorted(found, key=lambda r: ids.index(r[0])))
