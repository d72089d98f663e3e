"""The eligibility check of a candidate: its criteria judged against what was understood.

The pre-screener's questionnaire and judge do the work (one source of truth for
what a criterion asks); this module turns its verdicts into the matcher's terms,
cites the sentence of the description behind each decided verdict, and says how
much the verdicts should move the trial in the ranking.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from trialatlas.features.matching.model import (
    Eligibility,
    Evidence,
    MatchedCriterion,
)
from trialatlas.features.prescreen import CriterionVerdict, PrescreenResult, questionnaire, screen
from trialatlas.features.prescreen.inputs import PrescreenInput
from trialatlas.model.study import Study

_VERDICT = {"met": "met", "not_met": "not met", "unknown": "unknown"}
_ELIGIBILITY: dict[str, Eligibility] = {
    "likely_eligible": "likely",
    "likely_not_eligible": "unlikely",
    "needs_study_team": "unknown",
}
ELIGIBILITY_LABELS: dict[Eligibility, str] = {
    "likely": "Likely eligible",
    "unlikely": "Unlikely to be eligible",
    "unknown": "Eligibility unknown",
}
# how far a verdict moves a trial (multiplies its relevance), tuned on the benchmarks'
# "tune" halves: an age or sex limit that excludes the patient is certain; a criterion
# judged not met from free text is often a near miss of the reader (a broad "breast
# cancer" answering "HER2-positive breast cancer"), so it moves the trial a little
DEMOGRAPHIC_FAIL = 0.5
CRITERION_FAIL = 0.9
LIKELY_BONUS = 1.0
_DEMOGRAPHIC_KEYS = {"age": "age", "sex": "sex", "healthy": "healthy"}


@dataclass(slots=True)
class EligibilityCheck:
    eligibility: Eligibility
    factor: float
    summary: str
    criteria: list[MatchedCriterion]
    met: int
    not_met: int
    unknown: int


def _kind(verdict: CriterionVerdict) -> str:
    if verdict.source == "eligibility":
        return _DEMOGRAPHIC_KEYS.get(verdict.key, verdict.kind)
    return verdict.kind


def _evidence(
    verdict: CriterionVerdict, evidence: dict[str, list[int]], sentences: list[str]
) -> list[Evidence]:
    if verdict.verdict == "unknown":
        return []
    seen: list[int] = []
    for qid in verdict.question_ids:
        for index in evidence.get(qid, ()):
            if index not in seen:
                seen.append(index)
    return [Evidence(sentence=i, text=sentences[i]) for i in seen if 0 <= i < len(sentences)]


def _criteria(
    result: PrescreenResult, evidence: dict[str, list[int]], sentences: list[str]
) -> list[MatchedCriterion]:
    out: list[MatchedCriterion] = []
    for verdict in result.verdicts:
        out.append(
            MatchedCriterion(
                kind=_kind(verdict),  # type: ignore[arg-type]
                text=verdict.text,
                verdict=_VERDICT[verdict.verdict],  # type: ignore[arg-type]
                reason=verdict.reason,
                evidence=_evidence(verdict, evidence, sentences),
            )
        )
    order = {"not met": 0, "met": 1, "unknown": 2}
    out.sort(key=lambda c: order[c.verdict])  # stable: criteria order inside each group
    return out


def _summary(criteria: list[MatchedCriterion], eligibility: Eligibility) -> str:
    failed = [c for c in criteria if c.verdict == "not met"]
    met = sum(c.verdict == "met" for c in criteria)
    unknown = sum(c.verdict == "unknown" for c in criteria)
    if failed:
        first = failed[0]
        text = first.text if len(first.text) <= 90 else first.text[:89].rstrip() + "…"
        what = "Excluded by" if first.kind == "exclusion" else "Does not meet"
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        return f"{what}: “{text}”{more}."
    if eligibility == "likely":
        return f"Meets every criterion we could check ({met})."
    return f"Meets {met} criteria we could check; {unknown} need the study team or more details."


def check_eligibility(
    study: Study,
    to_input: Any,
    sentences: list[str],
    today: dt.date | None = None,
) -> EligibilityCheck:
    """Judge ``study``'s criteria. ``to_input(questionnaire)`` gives the pre-screener
    input and the evidence map (question id → sentence indexes) for this trial."""
    form = questionnaire(study)
    given: PrescreenInput
    given, evidence = to_input(form)
    result = screen(form, given, today)
    criteria = _criteria(result, evidence, sentences)
    eligibility = _ELIGIBILITY[result.overall]
    demographic_fail = any(c.verdict == "not met" and c.kind in ("age", "sex") for c in criteria)
    if demographic_fail:
        factor = DEMOGRAPHIC_FAIL
    elif eligibility == "unlikely":
        factor = CRITERION_FAIL
    elif eligibility == "likely":
        factor = LIKELY_BONUS
    else:
        factor = 1.0
    return EligibilityCheck(
        eligibility=eligibility,
        factor=factor,
        summary=_summary(criteria, eligibility),
        criteria=criteria,
        met=sum(c.verdict == "met" for c in criteria),
        not_met=sum(c.verdict == "not met" for c in criteria),
        unknown=sum(c.verdict == "unknown" for c in criteria),
    )
