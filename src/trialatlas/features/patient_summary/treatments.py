"""Treatment details: each intervention with its type and a plain description."""

from __future__ import annotations

from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import Sentence, TreatmentDetail
from trialatlas.features.patient_summary.prose import as_sentence, shorten, split_sentences
from trialatlas.model.codes import label
from trialatlas.model.study import Study

MAX_SENTENCES = 2
MAX_WORDS = 28  # words of the registry sentence, before the glossary explains terms
TYPE_SENTENCES = {
    "DRUG": "It is a drug.",
    "BIOLOGICAL": "It is a biological product, made from living cells or other living sources.",
    "DEVICE": "It is a medical device.",
    "PROCEDURE": "It is a procedure.",
    "RADIATION": "It is a radiation treatment.",
    "BEHAVIORAL": "It is a program that helps people change habits or behavior.",
    "GENETIC": "It is a genetic treatment or test.",
    "DIETARY_SUPPLEMENT": "It is a dietary supplement.",
    "COMBINATION_PRODUCT": "It combines a drug with a device or a biological product.",
    "DIAGNOSTIC_TEST": "It is a test to find or check a disease.",
}


def treatment_details(
    study: Study, glossary: Glossary
) -> tuple[list[TreatmentDetail], Sentence | None]:
    """Every intervention in the record, described in plain words (or a note that there are none)."""
    details = []
    explained: set[str] = set()
    seen: set[str] = set()
    for i, iv in enumerate(study.interventions):
        source = f"interventions[{i}].description"
        sentences = []
        kind = TYPE_SENTENCES.get(iv.type or "")
        if kind:
            sentences.append(Sentence(text=kind, sources=[f"interventions[{i}].type"]))
        raws = split_sentences(iv.description or "")
        for raw in raws[:MAX_SENTENCES]:
            short = shorten(raw, MAX_WORDS)
            if short and short not in seen:
                seen.add(short)
                sentences.append(
                    Sentence(text=as_sentence(glossary.plain(short, explained)), sources=[source])
                )
        if raws and len(sentences) == (1 if kind else 0):
            sentences.append(
                Sentence(
                    text="The record describes it in technical terms. The full registry page has the details.",
                    sources=[source],
                )
            )
        elif not raws:
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
    note = Sentence(
        text="The record lists no treatments for this study.", sources=["interventions"]
    )
    return [], note
