"""Why two trials are alike, in short phrases a patient understands.

"same treatment: bone marrow mesenchymal stem cells", "same condition: knee
osteoarthritis", "also phase 2", "also a study of a device", "similar topic" when
only the texts are alike. Plain lower-case words, the registry's own where it has
them, never a code.
"""

from __future__ import annotations

from trialatlas.features.related.terms import SharedTerm
from trialatlas.store.base import StudyBrief

# intervention types (registry codes) as the thing a study tests
_TYPE_WORDS = {
    "DEVICE": "a device",
    "PROCEDURE": "a procedure",
    "BEHAVIORAL": "a behavioral program",
    "RADIATION": "radiation treatment",
    "DIETARY_SUPPLEMENT": "a dietary supplement",
    "BIOLOGICAL": "a biological treatment",
    "GENETIC": "a gene-based treatment",
    "DIAGNOSTIC_TEST": "a diagnostic test",
    "DRUG": "a drug",
    "COMBINATION_PRODUCT": "a combination product",
}
# primary purposes worth naming (most trials treat: "also about treatment" says nothing)
_PURPOSE_WORDS = {
    "PREVENTION": "also about prevention",
    "DIAGNOSTIC": "also about diagnosis",
    "SCREENING": "also about screening",
    "SUPPORTIVE_CARE": "also about supportive care",
    "HEALTH_SERVICES_RESEARCH": "also about health services",
    "BASIC_SCIENCE": "also basic science",
}
_PHASE_WORDS = {
    "EARLY_PHASE1": "early phase 1",
    "PHASE1": "1",
    "PHASE2": "2",
    "PHASE3": "3",
    "PHASE4": "4",
}
SIMILAR_TOPIC = "similar topic"
SAME_TREATMENT = "same treatment: "


def term_reason(shared: SharedTerm) -> str:
    """``same treatment: …`` / ``similar treatment: …`` / ``same condition: …``."""
    thing = "treatment" if shared.field == "interventions" else "condition"
    return f"{'same' if shared.same else 'similar'} {thing}: {shared.display}"


def design_reasons(mine: StudyBrief, theirs: StudyBrief, with_kind: bool = True) -> list[str]:
    """Phase, kind of treatment (unless ``with_kind`` is False: a shared treatment says
    more) and purpose the two trials share, as phrases."""
    out: list[str] = []
    phase = shared_phase_words(mine, theirs)
    if phase:
        out.append(phase)
    kind = shared_type(mine, theirs) if with_kind else None
    if kind:
        out.append(f"also a study of {_TYPE_WORDS[kind]}")
    elif mine.study_type == "OBSERVATIONAL" and theirs.study_type == "OBSERVATIONAL":
        out.append("also an observational study")
    if mine.primary_purpose and mine.primary_purpose == theirs.primary_purpose:
        purpose = _PURPOSE_WORDS.get(mine.primary_purpose)
        if purpose:
            out.append(purpose)
    return out


def design_similarity(mine: StudyBrief, theirs: StudyBrief) -> float:
    """0–1: same study type (0.3), a shared phase (0.4), same primary purpose (0.3)."""
    score = 0.0
    if mine.study_type and mine.study_type == theirs.study_type:
        score += 0.3
    if shared_phases(mine, theirs):
        score += 0.4
    if mine.primary_purpose and mine.primary_purpose == theirs.primary_purpose:
        score += 0.3
    return score


def shared_phases(mine: StudyBrief, theirs: StudyBrief) -> list[str]:
    return [p for p in mine.phases if p in _PHASE_WORDS and p in theirs.phases]


def shared_phase_words(mine: StudyBrief, theirs: StudyBrief) -> str | None:
    """``also phase 2``, ``also phase 1 and 2``, ``also early phase 1``."""
    phases = shared_phases(mine, theirs)
    if not phases:
        return None
    if phases == ["EARLY_PHASE1"]:
        return "also early phase 1"
    numbers = [_PHASE_WORDS[p] for p in phases if p != "EARLY_PHASE1"]
    return "also phase " + " and ".join(numbers)


def shared_type(mine: StudyBrief, theirs: StudyBrief) -> str | None:
    """The main intervention type both trials test (the first of this trial's that the
    other also has), None when they share none."""
    theirs_types = {iv.type for iv in theirs.interventions if iv.type}
    for iv in mine.interventions:
        if iv.type in theirs_types and iv.type in _TYPE_WORDS:
            return iv.type
    return None
