"""The patient page: every trial explained in plain language (seed 000 layout).

``patient_summary(store, study)`` returns a typed :class:`PatientSummary` that the
web layer renders as HTML (``/trials/{nct_id}``) and as JSON (inside
``/api/trials/{nct_id}``). An optional writer (:class:`LlmWriter`) may rewrite the
answers from the same facts; the rule-based writer is the default and the fallback.
"""

from trialatlas.features.patient_summary.builder import (
    AnswerWriter,
    find_patient_summary,
    patient_summary,
)
from trialatlas.features.patient_summary.model import Answer, PatientSummary, Sentence

__all__ = [
    "Answer",
    "AnswerWriter",
    "PatientSummary",
    "Sentence",
    "find_patient_summary",
    "patient_summary",
]
