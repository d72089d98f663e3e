"""Treatment details: each intervention with its type and a plain description."""

from __future__ import annotations

from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import Sentence, TreatmentDetail
from trialatlas.features.patient_summary.prose import as_sentence, shorten, split_sentences
from trialatlas.model.codes import label
from trialatlas.model.study import Study

MAX_SENTENCES = 2
MAX_WORDS = 35


def treatment_details(study: Study, glossary: Glossary) -> tuple[list[TreatmentDetail], Sentence | None]:
    """Every intervention in the record, described in plain words (or a note that there are none)."""
    details = []
    explained: set[str] = set()
    for i, iv in enumerate(study.interventions):
        source = f"interventions[{i}].description"
        sentences = []
        for raw in split_sentences(iv.description or "")[:MAX_SENTENCES]:
            short = shorten(glossary.plain(raw, explained), MAX_WORDS)
            if short:
                sentences.append(Sentence(text=as_sentence(short), sources=[source]))
        if not sentences:
            sentences.append(Sentence(text="The record gives no description.", sources=[source]))
        details.append(
            TreatmentDetail(
                name=iv.name,
                type_label=label("intervention_type", iv.type) or None,
                arm_labels=iv.arm_labels,
                sentences=sentences,
            )
        )
    if details:
        return details, None
    note = Sentence(text="The record lists no treatments for this study.", sources=["interventions"])
    return [], note
