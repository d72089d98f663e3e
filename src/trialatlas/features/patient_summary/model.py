"""The patient page as one typed result (seed 000 layout), rendered as HTML and as JSON.

Every generated sentence is a :class:`Sentence` with the record fields it came from
(``sources``: ``"eligibility.criteria_text"``, ``"arms[1].description"``, or
``"store:NCT01234567.results.adverse_events"`` for facts taken from other trials in
the store). Registry text that is shown as is (citations, trial titles, criteria lists)
travels as items, not sentences, and is not counted in the readability grade.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trialatlas.features.clinics import ClinicList
from trialatlas.features.criteria_text import OutlineSection

AnswerId = Literal["purpose", "medications", "evidence", "safety", "differences"]
StepKind = Literal["screening", "treatment", "crossover", "follow_up"]
Writer = Literal["rules", "llm"]


class Part(BaseModel):
    """Base of every part of the summary: no extra fields."""

    model_config = ConfigDict(extra="forbid")


class Sentence(Part):
    """One generated sentence and the record fields it was built from (never empty)."""

    text: str
    sources: list[str] = Field(min_length=1)


class LinkItem(Part):
    """A line shown as written in the registry (a citation, a trial title), maybe linked."""

    text: str
    url: str | None = None  # an outside link (PubMed)
    nct_id: str | None = None  # another trial in this catalogue (the page links to it)
    note: str | None = None
    sources: list[str] = Field(min_length=1)


class Answer(Part):
    """One question of the trial summary with its answer."""

    id: AnswerId
    question: str
    sentences: list[Sentence]
    items: list[LinkItem] = Field(default_factory=list)
    writer: Writer = "rules"

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


class PlainTitle(Part):
    """``<treatment> for <condition in lay words>`` with the official title under it."""

    text: str
    treatment: str | None = None
    condition: str | None = None
    registry_title: str | None = None  # the official title, or the brief one when there is none
    sources: list[str] = Field(min_length=1)


class TeamMember(Part):
    name: str
    role: str | None = None
    affiliation: str | None = None


class Eligibility(Part):
    """A plain paragraph (who can join, who cannot), then the criteria lists; running
    registry text is left to the full registry page (``text_left_out``)."""

    sentences: list[Sentence]
    criteria: list[OutlineSection] = Field(default_factory=list)
    text_left_out: bool = False


class TimelineStep(Part):
    kind: StepKind
    title: str
    when: str | None = None
    sentences: list[Sentence]


class TreatmentDetail(Part):
    name: str
    type_label: str | None = None
    arm_labels: list[str] = Field(default_factory=list)
    sentences: list[Sentence]


class Organization(Part):
    name: str
    role: Literal["Lead Sponsor", "Collaborator"]
    class_code: str | None = None
    class_words: str | None = None


class Running(Part):
    """Who is running the trial: the lead sponsor, collaborators, one plain sentence or two."""

    organizations: list[Organization] = Field(default_factory=list)
    sentences: list[Sentence]


class Readability(Part):
    """Flesch-Kincaid grade of the generated sentences (registry lists excluded)."""

    grade: float
    words: int
    sentences: int
    syllables: int


class PatientSummary(Part):
    """Everything the patient page shows, in seed 000's order."""

    nct_id: str
    registry_url: str
    title: PlainTitle
    status_code: str | None = None
    status_label: str | None = None
    phase_label: str | None = None
    answers: list[Answer]
    research_team: list[TeamMember]
    research_team_note: Sentence | None = None
    eligibility: Eligibility
    timeline: list[TimelineStep]
    treatments: list[TreatmentDetail]
    treatments_note: Sentence | None = None
    running: Running
    clinics: ClinicList
    readability: Readability
    writer: Writer = "rules"

    def sentences(self) -> list[Sentence]:
        """Every generated sentence, in page order."""
        out: list[Sentence] = []
        for answer in self.answers:
            out += answer.sentences
        if self.research_team_note:
            out.append(self.research_team_note)
        out += self.eligibility.sentences
        for step in self.timeline:
            out += step.sentences
        for treatment in self.treatments:
            out += treatment.sentences
        if self.treatments_note:
            out.append(self.treatments_note)
        out += self.running.sentences
        return out
