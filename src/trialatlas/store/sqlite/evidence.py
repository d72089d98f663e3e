"""What the store knows about other trials of a treatment (for the patient summary).

Both queries go through the full-text index with column filters, so they stay indexed
at 600k studies: ``interventions : ("bm msc" OR "mesenchymal stem cell")`` reads the
posting lists of those words only (intervention names, other names and intervention
MeSH terms), and ``conditions : (...)`` the same for conditions and condition MeSH
terms; each hit joins ``studies`` by primary key (``CROSS JOIN`` keeps the index
first: SQLite never reorders it, so the planner cannot scan ``studies`` by status
and probe the index once per row). Phrases are built from words only
(:func:`trialatlas.store.fts_query.fts_terms`), so no user text reaches FTS syntax.

Neither query reads the wide study rows of its hits (a common treatment has tens of
thousands of them at 600k): the trials with results are probed in the partial index
``studies_finished_with_results`` (completed trials with posted results only: id,
completion date, NCT ID; migration 9), and the count by treatment and condition reads
the full-text index alone (the trial itself is left out by its rowid). Only the few
trials listed are read from ``studies``.
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
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.sqlite.reader import Reader


def column_match(column: str, phrases: Sequence[str]) -> str | None:
    """``interventions : ("bm msc" OR "bone marrow")``, or None when no phrase has words."""
    quoted = []
    for phrase in phrases:
        terms = fts_terms(phrase)
        if terms:
            quoted.append('"' + " ".join(t.replace('"', '""') for t in terms) + '"')
    quoted = list(dict.fromkeys(quoted))[:MAX_PHRASES]
    if not quoted:
        return None
    return f"{column} : ({' OR '.join(quoted)})"


_FINISHED_HITS = (
    " FROM studies_fts CROSS JOIN studies s INDEXED BY studies_finished_with_results"
    " ON s.id = studies_fts.rowid"
    " WHERE studies_fts MATCH ? AND s.has_results = 1 AND s.overall_status = 'COMPLETED'"
    " AND s.nct_id != ?"
)


def completed_with_results_sql() -> str:
    """Row ids of the completed trials with posted results whose interventions match,
    newest completion first (read from the full-text and the partial index only)."""
    return "SELECT s.id" + _FINISHED_HITS + " ORDER BY s.completion_date DESC, s.nct_id LIMIT ?"


def completed_with_results_count_sql() -> str:
    return "SELECT count(*)" + _FINISHED_HITS


def trials_with_results(
    store: Reader, intervention_terms: Sequence[str], exclude: str | None, limit: int
) -> tuple[int, list[EvidenceTrial]]:
    """How many completed trials with posted results test one of the terms, and the first ``limit``."""
    match = column_match("interventions", intervention_terms)
    if match is None:
        return 0, []
    params = (match, exclude or "")
    total = int(store.execute(completed_with_results_count_sql(), params).fetchone()[0])
    if total == 0:
        return 0, []
    ids = [int(r[0]) for r in store.execute(completed_with_results_sql(), (*params, limit))]
    if not ids:
        return total, []
    marks = ", ".join("?" for _ in ids)
    rows = {
        r[0]: r[1:]
        for r in store.execute(
            "SELECT id, nct_id, coalesce(brief_title, official_title, nct_id), overall_status,"
            f" phases, enrollment_count, completion_date FROM studies WHERE id IN ({marks})",
            ids,
        )
    }
    trials = [evidence_trial(rows[i]) for i in ids if i in rows]
    return total, trials


def count_intervention_trials(
    store: Reader,
    intervention_terms: Sequence[str],
    condition_terms: Sequence[str],
    exclude: str | None,
) -> int:
    """How many trials (other than ``exclude``) test one of the terms for one of the conditions."""
    interventions = column_match("interventions", intervention_terms)
    if interventions is None:
        return 0
    conditions = column_match("conditions", condition_terms)
    match = f"({interventions}) AND ({conditions})" if conditions else interventions
    row = store.execute(
        "SELECT count(*) FROM studies_fts WHERE studies_fts MATCH ?"
        " AND rowid != coalesce((SELECT id FROM studies WHERE nct_id = ?), 0)",
        (match, exclude or ""),
    ).fetchone()
    return int(row[0])


def serious_events(store: Reader, nct_ids: Sequence[str]) -> dict[str, SeriousEvents]:
    """Posted serious adverse events per trial, summed over its groups (trials without
    posted adverse events are left out). Reads only the adverse-events part of each
    stored document, without building the whole Study."""
    ids = event_trial_ids(nct_ids)
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    return serious_events_by_study(
        store.execute(f"SELECT nct_id, document FROM studies WHERE nct_id IN ({marks})", ids)
    )
