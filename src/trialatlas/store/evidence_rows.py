"""What every backend's evidence queries (other trials of a treatment, for the patient
summary) make of their rows. No SQL here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from trialatlas.store.base import EvidenceTrial, SeriousEvents
from trialatlas.store.study_documents import serious_events_of

MAX_PHRASES = 8  # treatment (or condition) phrases a query looks for at the most
MAX_EVENT_TRIALS = 50  # trials whose serious adverse events one call reads at the most


def evidence_trial(row: Sequence[Any]) -> EvidenceTrial:
    """A row ``(nct_id, title, overall_status, phases, enrollment_count, completion_date)``
    (phases: codes joined by ``|``)."""
    nct_id, title, status, phases, enrollment, completion = row
    return EvidenceTrial(
        nct_id=nct_id,
        title=title,
        overall_status=status,
        phases=phases.split("|") if phases else [],
        enrollment_count=enrollment,
        completion_date=completion,
    )


def event_trial_ids(nct_ids: Sequence[str]) -> list[str]:
    """The trials whose serious adverse events to read: each once, the first
    ``MAX_EVENT_TRIALS``."""
    return list(dict.fromkeys(nct_ids))[:MAX_EVENT_TRIALS]


def serious_events_by_study(rows: Iterable[tuple[str, bytes]]) -> dict[str, SeriousEvents]:
    """Posted serious adverse events per trial from ``(nct_id, document)`` rows, summed
    over its groups (trials without posted adverse events are left out)."""
    out: dict[str, SeriousEvents] = {}
    for nct_id, blob in rows:
        events = serious_events_of(nct_id, blob)
        if events is not None:
            out[nct_id] = events
    return out
