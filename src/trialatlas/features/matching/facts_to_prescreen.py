"""What was understood about a patient → the pre-screener's input, with evidence.

``facts_to_prescreen(facts, study_or_questionnaire)`` gives a
:class:`PrescreenEvidence`: a :class:`PrescreenInput` and, per question id, the
sentences of the note that answer it (the matcher maps a verdict's
``question_ids`` to sentences through it).

- Present and past conditions (with their onset, when the note says how long they
  have lasted), medicines, procedures, labs, age, sex, pregnancy and smoking become
  a :class:`PatientProfile` (``complete=False``: what the note does not mention
  stays unknown). The pre-screener answers from it as from any profile
  (``features/prescreen/profile_answers.py``).
- Denied findings ("no history of diabetes") become explicit "no" answers to the
  yes/no questions about them: a question is answered "no" when every one of its
  terms is denied (for a question that needs all its terms, when one is). A denied
  broad name denies the narrower ones ("no diabetes" → no "uncontrolled diabetes"),
  not the other way round. A denial of others ("no other cancers") denies nothing
  (the patient's own cancer is not one of them).
- A relative's finding, or a possible one ("rule out", "planned"), answers nothing.
- Facts read from a note are a ``description`` (the reasons say "Your description
  says …"); facts from a profile stay a ``profile``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from trialatlas.features.matching.patient_facts import Finding, LabFinding, PatientFacts
from trialatlas.features.prescreen.inputs import PrescreenInput, Record
from trialatlas.features.prescreen.model import ProfileTerm, Question, Questionnaire
from trialatlas.features.prescreen.names import codes_match, drug_matches, name_matches
from trialatlas.features.prescreen.profile_answers import answers_from_profile
from trialatlas.features.prescreen.questions import questionnaire
from trialatlas.model.patient import (
    PatientProfile,
    ProfileCondition,
    ProfileLab,
    ProfileMedication,
    ProfileProcedure,
)
from trialatlas.model.study import Study

_HELD = ("present", "history")
_NAME_MAX = 300
_UNIT_MAX = 40
_KIND_OF_TERM = {"condition": "condition", "behaviour": "condition", "drug": "medication"}


@dataclass(frozen=True)
class PrescreenEvidence:
    """The pre-screener's input and, per question id, the note sentences behind it."""

    input: PrescreenInput
    evidence: dict[str, list[int]] = field(default_factory=dict)


def _short(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit] or "?"


def facts_profile(facts: PatientFacts) -> PatientProfile:
    """The profile the facts state (held findings only; nothing denied or a relative's)."""
    return PatientProfile(
        age=facts.age if facts.age is not None and 0 <= facts.age <= 130 else None,
        sex=facts.sex,
        conditions=[
            ProfileCondition(name=_short(f.name, _NAME_MAX), code=_code(f.code), onset=f.onset)
            for f in facts.conditions
            if f.status in _HELD
        ],
        medications=[
            ProfileMedication(name=_short(f.name, _NAME_MAX), current=f.status == "present")
            for f in facts.medications
            if f.status in _HELD
        ],
        procedures=[
            ProfileProcedure(name=_short(f.name, _NAME_MAX), code=_code(f.code))
            for f in facts.procedures
            if f.status in _HELD
        ],
        labs=[
            ProfileLab(
                name=_short(lab.name, _NAME_MAX),
                value=lab.value,
                unit=_short(lab.unit, _UNIT_MAX) if lab.unit else None,
            )
            for lab in facts.labs
        ],
        pregnant=facts.pregnant if facts.sex != "male" else None,
        smoking=facts.smoking,
        complete=False,
    )


def _code(code: str | None) -> str | None:
    return code[:40] if code else None


def _findings_for(term: ProfileTerm, facts: PatientFacts) -> list[Finding]:
    kind = _KIND_OF_TERM.get(term.type, term.type)
    if kind == "condition":
        return facts.conditions
    if kind == "medication":
        return facts.medications
    if kind == "procedure":
        return facts.procedures
    return []


def held_by(term: ProfileTerm, finding: Finding) -> bool:
    """Does a held finding say (at least) what the term says? (the profile's rule)"""
    if term.type == "drug":
        return drug_matches(term.text, term.normalized, finding.name) or drug_matches(
            term.text, term.normalized, finding.text
        )
    names = [term.text] + ([term.normalized] if term.normalized else [])
    return any(
        name_matches(n, finding.name) or name_matches(n, finding.text) for n in names
    ) or codes_match(term.code, finding.code)


def denied_by(term: ProfileTerm, finding: Finding) -> bool:
    """Does a denied finding deny the term? A denied broad name denies narrower terms."""
    names = [term.text] + ([term.normalized] if term.normalized else [])
    return any(name_matches(finding.name, n) or name_matches(finding.text, n) for n in names)


_OTHERS = re.compile(
    r"\b(?:other|another|additional|further|second|new)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE
)


def _of_others(finding: Finding, facts: PatientFacts) -> bool:
    """ "no other active cancers": a denial of others, not of the patient's own."""
    if finding.sentence is None or finding.start is None:
        return False
    if not 0 <= finding.sentence < len(facts.sentence_spans):
        return False
    begin = facts.sentence_spans[finding.sentence][0]
    sentence = facts.sentences[finding.sentence]
    return bool(
        _OTHERS.search(sentence[max(0, finding.start - begin - 40) : finding.start - begin])
    )


def _denials(question: Question, facts: PatientFacts) -> list[Finding] | None:
    """The denied findings that answer ``question`` "no", or None when they do not."""
    terms = [t for t in question.profile_terms if t.type in _KIND_OF_TERM or t.type == "procedure"]
    if not terms or len(terms) < len(question.profile_terms):
        return None
    per_term: list[list[Finding]] = []
    for term in terms:
        findings = _findings_for(term, facts)
        if any(f.status in _HELD and held_by(term, f) for f in findings):
            return None  # the note says yes for this one: the profile answers it
        per_term.append(
            [
                f
                for f in findings
                if f.status == "absent" and not _of_others(f, facts) and denied_by(term, f)
            ]
        )
    if question.require_all:
        hits = next((found for found in per_term if found), None)
        return hits
    if all(per_term):
        return [f for found in per_term for f in found]
    return None


def _said_in(finding: Finding | LabFinding) -> list[int]:
    """Every sentence that states the finding (the first only, for a lab)."""
    if isinstance(finding, Finding) and finding.sentences:
        return finding.sentences
    return [finding.sentence] if finding.sentence is not None else []


def _sentences(items: list[Finding] | list[LabFinding]) -> list[int]:
    return sorted({n for i in items for n in _said_in(i)})


def _labs_for(question: Question, facts: PatientFacts) -> list[LabFinding]:
    names = [t.text for t in question.profile_terms if t.type == "measurement"]
    return [lab for lab in facts.labs if any(name_matches(n, lab.name, loose=True) for n in names)]


def _evidence(question: Question, facts: PatientFacts) -> list[int]:
    """Sentences behind a profile answer to ``question``."""
    if question.measure == "age":
        return [facts.age_evidence] if facts.age_evidence is not None else []
    if question.answer_type == "choice":
        return [facts.sex_evidence] if facts.sex_evidence is not None else []
    if question.answer_type == "number":
        return _sentences(_labs_for(question, facts))
    out: set[int] = set()
    if question.answer_type == "date":  # when it began: the sentence that says so
        for term in question.profile_terms:
            for f in _findings_for(term, facts):
                if f.status in _HELD and f.onset_sentence is not None and held_by(term, f):
                    out.add(f.onset_sentence)
        return sorted(out)
    for term in question.profile_terms:
        if term.type == "pregnancy" and facts.pregnant_evidence is not None:
            out.add(facts.pregnant_evidence)
        elif term.type == "behaviour" and facts.smoking_evidence is not None:
            out.add(facts.smoking_evidence)
        for f in _findings_for(term, facts):
            if f.status in _HELD and held_by(term, f):
                out.update(_said_in(f))
    pregnancy = any(t.type == "pregnancy" for t in question.profile_terms)
    if not out and pregnancy and facts.sex == "male" and facts.sex_evidence is not None:
        out.add(facts.sex_evidence)  # a man's pregnancy answer is no
    return sorted(out)


def facts_to_prescreen(
    facts: PatientFacts, study_or_questionnaire: Study | Questionnaire, today: dt.date | None = None
) -> PrescreenEvidence:
    """The pre-screener's input for ``facts`` against one trial, with the sentences that
    answer each question. Pass the result's ``input`` to ``screen``/``prescreen``."""
    form = (
        study_or_questionnaire
        if isinstance(study_or_questionnaire, Questionnaire)
        else questionnaire(study_or_questionnaire)
    )
    profile = facts_profile(facts)
    answers: dict[str, str] = {}
    evidence: dict[str, list[int]] = {}
    for question in form.questions():
        if question.answer_type != "yes_no":
            continue
        denied = _denials(question, facts)
        if denied:
            answers[question.id] = "no"
            evidence[question.id] = _sentences(denied)
    day = today or dt.date.today()
    for question_id in answers_from_profile(form, profile, day):
        if question_id in answers:
            continue
        question = form.question(question_id)
        if question is not None:
            evidence[question_id] = _evidence(question, facts)
    record: Record = "description" if facts.sentences else "profile"
    return PrescreenEvidence(
        input=PrescreenInput(answers=dict(answers), profile=profile, record=record),
        evidence=evidence,
    )
