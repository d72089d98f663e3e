"""A patient profile → answers to a trial's questions (the rest stay unanswered).

- age and sex from the profile; pregnancy from ``pregnant`` / ``breastfeeding`` /
  ``planning_pregnancy`` (a man's answer is no);
- number questions from the most recent lab or measurement whose name matches the
  question's measure (converted later, like any answer with a unit);
- start-date questions from the matching condition's onset;
- yes/no questions from conditions, medicines (current, or taken inside the
  question's time window counted back from today) and procedures (dated inside
  the window) matching the question's terms; smoking from ``smoking``.

Something the profile does not list is "no" only when the profile says its lists
are ``complete``; otherwise the question stays unanswered (unknown).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from trialatlas.features.prescreen.answers import Answer, days_before
from trialatlas.features.prescreen.model import ProfileTerm, Question, Questionnaire
from trialatlas.features.prescreen.names import codes_match, drug_matches, name_matches
from trialatlas.features.prescreen.quantities import fmt_number
from trialatlas.model.patient import PatientProfile, ProfileLab, is_current

Found = Literal["yes", "no", "unknown"]
Hit = tuple[Found, str | None]  # the finding and the profile item that gave a yes
_SMOKING = re.compile(r"smok|tobacco|cigarette|nicotine|vaping", re.IGNORECASE)
_EVER = re.compile(
    r"\bever\b|\bhave you had\b|\bhistory\b|\bhave you been\b|\bhas an\b", re.IGNORECASE
)


def _absent(profile: PatientProfile) -> Hit:
    return ("no" if profile.complete else "unknown"), None


def _combine(found: list[Hit], profile: PatientProfile) -> Hit:
    """Any match in time → yes; an undated match → unknown; else "no" only for complete lists."""
    for hit in found:
        if hit[0] == "yes":
            return hit
    if any(f == "unknown" for f, _ in found):
        return "unknown", None
    return _absent(profile)


def _condition(
    term: ProfileTerm, profile: PatientProfile, ever: bool, windowed: bool = False
) -> Hit:
    found: list[Hit] = []
    for condition in profile.conditions:
        named = name_matches(term.text, condition.name) or (
            term.normalized is not None and name_matches(term.normalized, condition.name)
        )
        if named or codes_match(term.code, condition.code):
            if condition.active is False and windowed:
                found.append(("unknown", None))  # resolved, but when is not in the profile
            elif condition.active is False and not ever:
                found.append(("no", None))
            else:  # "uncontrolled diabetes": listing diabetes does not say how severe it is
                found.append(("unknown", None) if term.qualified else ("yes", condition.name))
    return _combine(found, profile)


def _older(name: str, day: dt.date | None, question: Question, today: dt.date) -> Hit:
    """ "At least 2 weeks ago": started (or done) on or before the cutoff is a yes, after
    it a no; undated is unknown."""
    if day is None or question.before_days is None:
        return "unknown", None
    if day <= days_before(today, question.before_days):
        return "yes", f"{name}, {day.isoformat()}"
    return "no", None


def _medicine(
    term: ProfileTerm, profile: PatientProfile, question: Question, today: dt.date, ever: bool
) -> Hit:
    window = question.window_days
    cutoff = days_before(today, window) if window is not None else None
    found: list[Hit] = []
    for med in profile.medications:
        if not drug_matches(term.text, term.normalized, med.name):
            continue
        if question.before_days is not None:
            found.append(_older(med.name, med.start, question, today))
        elif is_current(med) or (cutoff is None and ever):
            found.append(("yes", med.name))
        elif cutoff is None:
            found.append(("no", None))
        elif (med.end and med.end >= cutoff) or (med.start and med.start >= cutoff):
            found.append(("yes", med.name))
        else:
            found.append(("unknown", None) if med.end is None else ("no", None))
    return _combine(found, profile)


def _procedure(
    term: ProfileTerm, profile: PatientProfile, question: Question, today: dt.date
) -> Hit:
    window = question.window_days
    found: list[Hit] = []
    for proc in profile.procedures:
        if not (name_matches(term.text, proc.name) or codes_match(term.code, proc.code)):
            continue
        if term.qualified:  # "detected by x-ray": having had an x-ray says nothing
            found.append(("unknown", None))
        elif question.before_days is not None:
            found.append(_older(proc.name, proc.date, question, today))
        elif window is None:
            found.append(("yes", proc.name))
        elif proc.date is None:
            found.append(("unknown", None))
        else:
            recent = proc.date >= days_before(today, window)
            found.append(
                ("yes", f"{proc.name}, {proc.date.isoformat()}") if recent else ("no", None)
            )
    return _combine(found, profile)


_PREGNANCY_WORDS = {
    "pregnant": "pregnant",
    "breastfeeding": "breastfeeding",
    "planning": "planning a pregnancy",
}


def _pregnancy(facet: str, profile: PatientProfile) -> Hit:
    if profile.sex == "male":
        return "no", None
    value = {
        "pregnant": profile.pregnant,
        "breastfeeding": profile.breastfeeding,
        "planning": profile.planning_pregnancy,
    }.get(facet)
    if value is None:
        return "unknown", None
    return ("yes", _PREGNANCY_WORDS.get(facet, facet)) if value else ("no", None)


def _behaviour(term: ProfileTerm, profile: PatientProfile, ever: bool, window: float | None) -> Hit:
    if _SMOKING.search(term.text) and profile.smoking is not None:
        if profile.smoking == "current":
            return "yes", "smoking: current"
        if profile.smoking == "former" and window is not None:
            return "unknown", None  # when they stopped is not in the profile
        if profile.smoking == "former" and ever:
            return "yes", "smoking: former"
        return "no", None
    return _condition(term, profile, ever)


def _term(term: ProfileTerm, question: Question, profile: PatientProfile, today: dt.date) -> Hit:
    ever = bool(_EVER.search(question.text))
    windowed = question.window_days is not None or question.before_days is not None
    if term.type == "condition":
        if question.before_days is not None:
            found = [
                _older(c.name, c.onset, question, today)
                for c in profile.conditions
                if name_matches(term.text, c.name) or codes_match(term.code, c.code)
            ]
            return _combine(found, profile)
        return _condition(term, profile, ever, windowed)
    if term.type == "drug":
        return _medicine(term, profile, question, today, ever)
    if term.type == "procedure":
        return _procedure(term, profile, question, today)
    if term.type == "pregnancy":
        return _pregnancy(term.text, profile)
    if term.type == "behaviour":
        return _behaviour(term, profile, ever, question.window_days)
    return "unknown", None


def _yes_no(question: Question, profile: PatientProfile, today: dt.date) -> Answer | None:
    if not question.profile_terms:
        return None
    hits = [_term(t, question, profile, today) for t in question.profile_terms]
    found = [f for f, _ in hits]
    names = [n for f, n in hits if f == "yes" and n]
    yes = Answer(
        kind="yes",
        shown=f"yes ({'; '.join(dict.fromkeys(names))})" if names else "yes",
        source="profile",
    )
    no = Answer(kind="no", shown="no", source="profile")
    if question.require_all:
        if all(f == "yes" for f in found):
            return yes
        return no if "no" in found else None
    if "yes" in found:
        return yes
    return no if all(f == "no" for f in found) else None


# A lab of the other half of a blood pressure never answers this half, though both are a
# "blood pressure" (a FHIR panel gives one lab per component); a birth weight is no weight.
_OTHER_HALF = {
    "systolic": (re.compile(r"diastolic|\bDBP\b", re.IGNORECASE), "8462-4"),
    "diastolic": (re.compile(r"systolic|\bSBP\b", re.IGNORECASE), "8480-6"),
    "weight": (re.compile(r"\bbirth", re.IGNORECASE), "8339-4"),  # a birth weight is no weight now
}


def _other_half(question: Question, lab: ProfileLab) -> bool:
    other = _OTHER_HALF.get(question.measure or "")
    return other is not None and (bool(other[0].search(lab.name)) or lab.code == other[1])


def _latest_lab(question: Question, profile: PatientProfile) -> ProfileLab | None:
    names = [t.text for t in question.profile_terms if t.type == "measurement"]
    hits = [
        lab
        for lab in profile.labs
        if any(name_matches(n, lab.name, loose=True) for n in names)
        and not _other_half(question, lab)
    ]
    if not hits:
        return None
    return max(hits, key=lambda lab: lab.date or dt.date.min)


def _number(question: Question, profile: PatientProfile, today: dt.date) -> Answer | None:
    if question.measure == "age":
        years = profile.age_years(today)
        if years is None:
            return None
        return Answer(
            kind="number",
            shown=f"{fmt_number(years)} years",
            number=years,
            unit="years",
            source="profile",
        )
    lab = _latest_lab(question, profile)
    if lab is None:
        return None
    shown = f"{fmt_number(lab.value)} {lab.unit}" if lab.unit else fmt_number(lab.value)
    return Answer(kind="number", shown=shown, number=lab.value, unit=lab.unit, source="profile")


def _onset(question: Question, profile: PatientProfile) -> Answer | None:
    for term in question.profile_terms:
        for condition in profile.conditions:
            if name_matches(term.text, condition.name) or codes_match(term.code, condition.code):
                if condition.onset is None:
                    return None
                day = condition.onset
                return Answer(
                    kind="date", shown=day.isoformat(), earliest=day, latest=day, source="profile"
                )
    if profile.complete and question.never_label:
        return Answer(kind="never", shown="never", source="profile")
    return None


def _sex(question: Question, profile: PatientProfile) -> Answer | None:
    if profile.sex not in ("female", "male"):
        return None
    label = next((c.label for c in question.choices if c.value == profile.sex), profile.sex)
    return Answer(kind="choice", shown=label, choice=profile.sex, source="profile")


def answers_from_profile(
    questionnaire: Questionnaire, profile: PatientProfile, today: dt.date
) -> dict[str, Answer]:
    """Every question the profile can answer, by question id."""
    answers: dict[str, Answer] = {}
    for question in questionnaire.questions():
        if question.answer_type == "number":
            answer = _number(question, profile, today)
        elif question.answer_type == "date":
            answer = _onset(question, profile)
        elif question.answer_type == "choice":
            answer = _sex(question, profile)
        else:
            answer = _yes_no(question, profile, today)
        if answer is not None:
            answers[question.id] = answer
    return answers
