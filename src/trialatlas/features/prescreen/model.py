"""The pre-screener's typed results: a questionnaire, and verdicts on answers to it.

A :class:`Questionnaire` groups :class:`Question` records; each question says what
it checks (:class:`CheckedCriterion`: the criterion, its text and the answer that
goes against it) and carries a machine :data:`Check` that ``prescreen`` applies to
the answer. A :class:`PrescreenResult` has one :class:`CriterionVerdict` per
checked criterion and the overall verdict. Both render as HTML and as JSON.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

AnswerType = Literal["yes_no", "number", "date", "choice"]
GroupName = Literal[
    "About you", "Your condition", "Medicines", "Tests and measurements", "Past treatments", "Other"
]
GROUP_ORDER: tuple[GroupName, ...] = (
    "About you",
    "Your condition",
    "Medicines",
    "Tests and measurements",
    "Past treatments",
    "Other",
)
CriterionKindOrEligibility = Literal["inclusion", "exclusion"]
Source = Literal["criteria", "eligibility"]
Verdict = Literal["met", "not_met", "unknown"]
Overall = Literal["likely_eligible", "likely_not_eligible", "needs_study_team"]
TermType = Literal[
    "condition", "drug", "procedure", "pregnancy", "behaviour", "device", "measurement"
]

DISCLAIMER = (
    "This is not medical advice. It compares your answers with the trial's published "
    "criteria; the study team decides who can take part."
)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class YesNoCheck(_Record):
    """A yes/no answer: ``disqualifying`` is the answer that goes against the criterion.

    ``team_decides`` (the criterion leaves it to the investigator's judgement): the
    disqualifying answer gives "unknown, the study team decides" instead of "not met".
    """

    kind: Literal["yes_no"] = "yes_no"
    disqualifying: bool
    team_decides: bool = False


class RangeCheck(_Record):
    """A number compared with ``low``/``high`` (either may be open) in ``unit``.

    ``inside_meets``: True for an inclusion (the value must be in the range), False
    for an exclusion (a value in the range excludes). ``unit`` None: a bare number.
    ``exceptions``: what the criterion exempts from the limit ("unless due to
    thalassemia"); a value against the limit then leaves the verdict to the study team.
    """

    kind: Literal["range"] = "range"
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    unit: str | None = None
    inside_meets: bool = True
    measure: str | None = None  # measures.json id (molar mass, HbA1c units)
    not_applicable_meets: bool = False  # "I don't have this" satisfies a conditional limit
    exceptions: list[str] = Field(default_factory=list)


class ElapsedCheck(_Record):
    """A date compared with today: ``min_days`` (at least this long ago) and/or ``max_days``.

    ``inside_meets`` as for :class:`RangeCheck`.
    """

    kind: Literal["elapsed"] = "elapsed"
    min_days: float | None = None
    max_days: float | None = None
    inside_meets: bool = True
    never_meets: bool = False  # "this never happened" (no date) satisfies the criterion


class ChoiceCheck(_Record):
    """One of ``allowed`` (choice values) meets the criterion; any other value does not."""

    kind: Literal["choice"] = "choice"
    allowed: list[str]


Check = Annotated[YesNoCheck | RangeCheck | ElapsedCheck | ChoiceCheck, Field(discriminator="kind")]


class CheckedCriterion(_Record):
    """What a question checks: one criterion, and the answer that goes against it."""

    key: str  # "c7" (criterion 7 of the parsed criteria) or "age" / "sex" (structured eligibility)
    index: int | None  # position in the parsed criteria; None for the structured eligibility
    kind: CriterionKindOrEligibility
    source: Source
    text: str
    disqualifying_answer: str  # in words: "Yes", "Below 30 mm or above 90 mm", …
    label: str  # what the answer is about, for reasons: "low back pain (VAS)"
    check: Check


class Choice(_Record):
    value: str
    label: str


class ProfileTerm(_Record):
    """A name a patient profile can match to answer the question (with its type)."""

    type: TermType
    text: str
    normalized: str | None = None
    code: str | None = None
    qualified: bool = False  # "uncontrolled diabetes": a profile listing diabetes cannot confirm it


class Question(_Record):
    """One plain question. ``checks`` lists every criterion the answer is judged against."""

    id: str
    group: GroupName
    text: str
    help: str | None = None
    answer_type: AnswerType
    unit: str | None = None  # the unit the trial uses (number questions)
    units: list[str] = Field(default_factory=list)  # units the patient may answer in
    choices: list[Choice] = Field(default_factory=list)
    not_applicable: str | None = None  # label of an "I don't have this" option
    never_label: str | None = None  # label of a "this never happened" option (date questions)
    window_days: float | None = None  # recent-time window of a yes/no question
    before_days: float | None = None  # "at least N ago": the thing is at least this old
    require_all: bool = False  # profile: every term must match ("X with Y")
    profile_terms: list[ProfileTerm] = Field(default_factory=list)
    measure: str | None = None
    checks: list[CheckedCriterion]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def criterion_index(self) -> int | None:
        """The (first) criterion this question checks."""
        return self.checks[0].index

    @computed_field  # type: ignore[prop-decorator]
    @property
    def criterion_text(self) -> str:
        return self.checks[0].text

    @computed_field  # type: ignore[prop-decorator]
    @property
    def disqualifying_answer(self) -> str:
        return self.checks[0].disqualifying_answer


class QuestionGroup(_Record):
    name: GroupName
    questions: list[Question]


class TeamCheck(_Record):
    """A criterion only the study team can check (it needs their judgement or tests)."""

    index: int
    kind: CriterionKindOrEligibility
    text: str
    reason: str


class Alternatives(_Record):
    """An inclusion criterion met by any one of its items ("at least one of the following:")."""

    index: int  # the lead-in criterion
    text: str
    members: list[int]  # its items, by position in the parsed criteria


class Questionnaire(_Record):
    nct_id: str
    title: str
    groups: list[QuestionGroup]
    team_checks: list[TeamCheck] = Field(default_factory=list)
    alternatives: list[Alternatives] = Field(default_factory=list)
    disclaimer: str = DISCLAIMER
    # the criteria text was too long to read whole (features.prescreen.cut_criteria)
    criteria_cut: bool = False

    def questions(self) -> list[Question]:
        """Every question, in page order."""
        return [q for g in self.groups for q in g.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)


class CriterionVerdict(_Record):
    key: str
    index: int | None
    kind: CriterionKindOrEligibility
    source: Source
    text: str
    verdict: Verdict
    reason: str
    question_ids: list[str]


class CriterionRef(_Record):
    key: str
    index: int | None
    kind: CriterionKindOrEligibility
    text: str


class PrescreenResult(_Record):
    """Per-criterion verdicts and the overall verdict. An unknown never counts as met."""

    nct_id: str
    title: str
    overall: Overall
    overall_label: str
    summary: str
    verdicts: list[CriterionVerdict]
    not_met: list[CriterionRef]
    unknown: list[CriterionRef]
    team_checks: list[TeamCheck]
    answered: int
    questions: int
    ignored_answers: list[str] = Field(default_factory=list)
    disclaimer: str = DISCLAIMER
