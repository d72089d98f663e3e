"""What TrialAtlas understood about a patient: typed facts, each pointing at its evidence.

:class:`PatientFacts` is the one shape every kind of patient input ends up in (a free
text note read by :func:`trialatlas.features.matching.note_reader.understand_patient`,
a profile or a FHIR Bundle read by
:func:`trialatlas.features.matching.profile_facts.facts_from_profile`), so the matcher
and the pages show "what was understood" the same way. A note's findings carry the
index of the first sentence that states them (``sentence``; ``sentences`` lists every
one) and their character offsets in the whole note (``note[start:end] == text``); a
profile's findings have no sentence (``None``, ``[]``).

Facts are request data: never stored, never logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["present", "absent", "history", "family", "possible"]
SexValue = Literal["female", "male"]
SmokingValue = Literal["current", "former", "never"]
FindingKind = Literal["condition", "medication", "procedure"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Finding(_Record):
    """A condition, medicine or procedure as the patient's description states it.

    ``text`` is the mention as written, ``name`` its preferred name (abbreviations
    expanded: "HTN" → "hypertension", drugs by their dictionary name), ``code`` an
    ICD-10 code (conditions) or drug dictionary id when a vocabulary knows it.
    ``status``: ``present``; ``absent`` (negated: "denies chest pain"); ``history``
    (past or done: "h/o MI", "s/p CABG"); ``family`` (a relative's: "mother had breast
    cancer"; ``negated`` when even that was denied); ``possible`` ("concern for",
    "rule out", "planned").

    ``sentence`` is the first sentence that states the finding, ``sentences`` every one
    (a name is recorded once per status). ``onset`` is the day a condition began when
    the note says how long it has lasted ("for 3 years", "10 years ago", "since 2019"),
    ``onset_sentence`` the sentence that says so.
    """

    text: str
    name: str
    status: Status
    sentence: int | None = None
    sentences: list[int] = Field(default_factory=list)
    start: int | None = None
    end: int | None = None
    code: str | None = None
    negated: bool = False
    onset: dt.date | None = None
    onset_sentence: int | None = None


class LabFinding(_Record):
    """A measured value: "EF was 25%" → ejection fraction 25 %."""

    name: str
    value: float
    unit: str | None = None
    text: str | None = None
    sentence: int | None = None
    start: int | None = None
    end: int | None = None


class PatientFacts(_Record):
    """Everything understood about one patient, with the sentence each fact came from.

    ``sentences`` are the note's sentences (empty for a profile); ``*_evidence``
    fields hold a sentence index. ``pregnant`` None: not stated.
    """

    sentences: list[str] = Field(default_factory=list)
    sentence_spans: list[tuple[int, int]] = Field(default_factory=list)
    age: float | None = None
    age_evidence: int | None = None
    sex: SexValue | None = None
    sex_evidence: int | None = None
    conditions: list[Finding] = Field(default_factory=list)
    medications: list[Finding] = Field(default_factory=list)
    labs: list[LabFinding] = Field(default_factory=list)
    procedures: list[Finding] = Field(default_factory=list)
    pregnant: bool | None = None
    pregnant_evidence: int | None = None
    smoking: SmokingValue | None = None
    smoking_evidence: int | None = None

    def findings(self) -> list[tuple[FindingKind, Finding]]:
        """Conditions, medications and procedures with their kind, in that order."""
        return (
            [("condition", f) for f in self.conditions]
            + [("medication", f) for f in self.medications]
            + [("procedure", f) for f in self.procedures]
        )

    def sentence(self, index: int | None) -> str | None:
        """The text of sentence ``index`` (None when out of range or not given)."""
        if index is None or not 0 <= index < len(self.sentences):
            return None
        return self.sentences[index]
