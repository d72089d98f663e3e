"""``prescreen(study, answers | profile)``: a verdict per criterion and overall."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from trialatlas.features.prescreen.answers import Answer, read_answers
from trialatlas.features.prescreen.inputs import PrescreenInput
from trialatlas.features.prescreen.judge import judge
from trialatlas.features.prescreen.model import PrescreenResult, Questionnaire
from trialatlas.features.prescreen.profile_answers import answers_from_profile
from trialatlas.features.prescreen.questions import questionnaire
from trialatlas.model.patient import PatientProfile
from trialatlas.model.study import Study

Given = Mapping[str, Any] | PatientProfile | PrescreenInput | None


def screen(form: Questionnaire, given: Given, today: dt.date | None = None) -> PrescreenResult:
    """Judge answers and/or a profile against a questionnaire. Never raises on odd answers.

    Explicit answers override what the profile says; a question neither answers
    stays unknown.
    """
    day = today or dt.date.today()
    profile: PatientProfile | None = None
    raw: Mapping[str, Any] = {}
    record = "profile"
    if isinstance(given, PatientProfile):
        profile = given
    elif isinstance(given, PrescreenInput):
        profile, raw, record = given.profile, given.answers, given.record
    elif isinstance(given, Mapping):
        raw = given
    answers: dict[str, Answer] = answers_from_profile(form, profile, day) if profile else {}
    explicit, ignored = read_answers(form, raw, day)
    answers.update(explicit)
    if record == "description":  # all read from the patient's own words
        answers = {k: dataclasses.replace(a, source="description") for k, a in answers.items()}
    return judge(form, answers, day, ignored, profile=profile is not None, record=record)


def prescreen(study: Study, answers: Given, today: dt.date | None = None) -> PrescreenResult:
    """Pre-screen one patient for ``study``: met / not met / unknown per criterion.

    ``answers`` is a dict of answers by question id (see :func:`questionnaire`), a
    :class:`PatientProfile`, or both in a :class:`PrescreenInput`. Nothing is
    stored or logged.
    """
    return screen(questionnaire(study), answers, today)
