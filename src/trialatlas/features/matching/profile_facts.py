"""``facts_from_profile(profile)``: a patient profile (or FHIR Bundle read into one) →
:class:`PatientFacts`, so every kind of input shows "what was understood" alike.

A profile has no sentences: every finding's ``sentence`` is None. A resolved
condition (``active`` False) and a medicine no longer taken are ``history``; a
procedure is always ``history`` (it was done).
"""

from __future__ import annotations

import datetime as dt

from trialatlas.features.matching.patient_facts import Finding, LabFinding, PatientFacts
from trialatlas.model.patient import PatientProfile, is_current


def facts_from_profile(profile: PatientProfile, today: dt.date | None = None) -> PatientFacts:
    """The facts a profile states (age on ``today``, default today)."""
    day = today or dt.date.today()
    sex = profile.sex if profile.sex in ("female", "male") else None
    return PatientFacts(
        age=profile.age_years(day),
        sex="female" if sex == "female" else "male" if sex == "male" else None,
        conditions=[
            Finding(
                text=c.name,
                name=c.name,
                status="history" if c.active is False else "present",
                code=c.code,
                onset=c.onset,
            )
            for c in profile.conditions
        ],
        medications=[
            Finding(
                text=m.name,
                name=m.name,
                status="present" if is_current(m) else "history",
                code=m.code,
            )
            for m in profile.medications
        ],
        procedures=[
            Finding(text=p.name, name=p.name, status="history", code=p.code)
            for p in profile.procedures
        ],
        labs=[LabFinding(name=lab.name, value=lab.value, unit=lab.unit) for lab in profile.labs],
        pregnant=profile.pregnant,
        smoking=profile.smoking,
    )
