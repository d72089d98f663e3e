"""What matching answers: the trials a patient probably qualifies for, best first, and why.

Both the ``/match`` page and ``POST /api/match`` (and ``trialatlas match --json``)
render one :class:`MatchResult`. Nothing here holds more of the patient than what
was understood (shown back so the person can correct it); it is never stored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Eligibility = Literal["likely", "unlikely", "unknown"]
CriterionVerdictLabel = Literal["met", "not met", "unknown"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Record):
    """The sentence of the patient's description that decided a verdict."""

    sentence: int | None = None
    text: str


class MatchedCriterion(_Record):
    """One eligibility criterion of a candidate trial, judged against the patient."""

    kind: Literal["inclusion", "exclusion", "age", "sex", "healthy"]
    text: str
    verdict: CriterionVerdictLabel
    reason: str = ""
    evidence: list[Evidence] = Field(default_factory=list)


class NearestSite(_Record):
    facility: str | None
    city: str | None
    state: str | None
    country: str | None
    distance_km: float | None
    distance_mi: float | None
    approximate: bool = False
    # placed by its city, and the searched place lies in that city (within any radius)
    in_searched_city: bool = False
    distance_text: str | None = None  # as every page says it: "about 2 mi (3 km)"


class TrialMatch(_Record):
    nct_id: str
    title: str
    overall_status: str | None
    open: bool
    score: float
    eligibility: Eligibility
    eligibility_label: str
    summary: str
    why: list[str] = Field(default_factory=list)
    criteria: list[MatchedCriterion] = Field(default_factory=list)
    nearest_site: NearestSite | None = None


class MatchResult(_Record):
    """``patient``: what was understood (a plain dict of the extracted facts);
    ``results``: best first."""

    patient: dict[str, Any]
    results: list[TrialMatch]
    query_terms: list[str] = Field(default_factory=list)
    near: str | None = None
    radius: str | None = None
    open_only: bool = False
    notes: list[str] = Field(default_factory=list)
    disclaimer: str = (
        "This is a first look, not a medical decision: only the study team can confirm "
        "whether you can take part. Nothing you typed is stored."
    )
