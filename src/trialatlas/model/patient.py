"""The documented patient profile: what a patient (or their clinician) tells TrialAtlas.

A profile is the structured alternative to answering a trial's questionnaire one
question at a time: age or birth date, sex, conditions, medicines with dates, lab
results and measurements with units, procedures, pregnancy, smoking and free text.
``docs/patient-profile.md`` documents every field with examples.

Profiles are request data: they are never written to the store or to logs.
``profile_from_fhir`` reads the same profile from an HL7 FHIR R4 Bundle. No I/O here.

Dates may be given as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; a partial date is read
as its first day.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

Sex = Literal["female", "male", "other", "unknown"]
Smoking = Literal["current", "former", "never"]

_PARTIAL_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:[T ].*)?\s*$")
_SEX_WORDS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "w": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "other": "other",
    "unknown": "unknown",
}


def parse_profile_date(value: Any) -> dt.date | None:
    """``2023-05-17``, ``2023-05`` or ``2023`` (also a datetime) → a date; the first day if partial."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError("a date must be a string like 2023-05-17, 2023-05 or 2023")
    match = _PARTIAL_DATE.match(value)
    if match is None:
        raise ValueError("is not a date like 2023-05-17, 2023-05 or 2023")
    year, month, day = match.groups()
    try:
        return dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError("is not a real calendar date") from exc


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Dated(_Part):
    @field_validator("*", mode="before")
    @classmethod
    def _partial_dates(cls, value: Any, info: Any) -> Any:
        if info.field_name in {"onset", "start", "end", "date"}:
            return parse_profile_date(value)
        return value


class ProfileCondition(_Dated):
    """A diagnosis or health problem. ``active`` False means resolved or in remission."""

    name: str = Field(min_length=1, max_length=300)
    code: str | None = Field(default=None, max_length=40)
    system: str | None = Field(default=None, max_length=200)
    onset: dt.date | None = None
    active: bool | None = None


class ProfileMedication(_Dated):
    """A medicine taken now or before.

    ``current`` says whether the patient still takes it; when it is not given, a
    medicine without an ``end`` date counts as current.
    """

    name: str = Field(min_length=1, max_length=300)
    code: str | None = Field(default=None, max_length=40)
    start: dt.date | None = None
    end: dt.date | None = None
    current: bool | None = None
    dose: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    unit: str | None = Field(default=None, max_length=40)

    @field_validator("end", mode="after")
    @classmethod
    def _end_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise ValueError("the end date is before the start date")
        return value


class ProfileLab(_Dated):
    """A lab result or a measurement (blood pressure, a pain score, a questionnaire score)."""

    name: str = Field(min_length=1, max_length=300)
    value: float = Field(allow_inf_nan=False)
    unit: str | None = Field(default=None, max_length=40)
    date: dt.date | None = None
    code: str | None = Field(default=None, max_length=40)


class ProfileProcedure(_Dated):
    """A procedure, operation, injection or therapy the patient has had."""

    name: str = Field(min_length=1, max_length=300)
    date: dt.date | None = None
    code: str | None = Field(default=None, max_length=40)


class PatientProfile(_Dated):
    """One patient, as documented in ``docs/patient-profile.md``.

    ``complete`` says the lists are the patient's full history: then a condition,
    medicine or procedure that is not listed counts as "no". Otherwise a missing
    item is unknown, never a "no".
    """

    age: float | None = Field(default=None, ge=0, le=130, description="Age in years")
    birth_date: dt.date | None = None
    sex: Sex | None = None
    conditions: list[ProfileCondition] = Field(default_factory=list, max_length=500)
    medications: list[ProfileMedication] = Field(default_factory=list, max_length=500)
    labs: list[ProfileLab] = Field(default_factory=list, max_length=2000)
    procedures: list[ProfileProcedure] = Field(default_factory=list, max_length=500)
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    planning_pregnancy: bool | None = None
    smoking: Smoking | None = None
    free_text: str | None = Field(default=None, max_length=20_000)
    complete: bool = False

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth_date(cls, value: Any) -> dt.date | None:
        day = parse_profile_date(value)
        if day is not None and day > dt.date.today():
            raise ValueError("the birth date is in the future")
        return day

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _SEX_WORDS.get(value.strip().lower(), value)
        return value

    @field_validator("smoking", mode="before")
    @classmethod
    def _smoking(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return "current" if value else "never"
        if isinstance(value, str):
            return value.strip().lower()
        return value

    def age_years(self, today: dt.date) -> float | None:
        """Age on ``today``: from the birth date when given, else the stated age."""
        if self.birth_date is not None:
            years = today.year - self.birth_date.year
            if (today.month, today.day) < (self.birth_date.month, self.birth_date.day):
                years -= 1
            return float(max(years, 0))
        return self.age


def is_current(medication: ProfileMedication) -> bool:
    """Whether the patient still takes ``medication`` (explicit, else no end date)."""
    if medication.current is not None:
        return medication.current
    return medication.end is None


def profile_from_fhir(bundle: dict[str, Any]) -> PatientProfile:
    """A profile from an HL7 FHIR R4 Bundle (Patient, Condition, MedicationStatement,
    Observation with valueQuantity, Procedure), validated with ``fhir.resources``.

    Raises :class:`trialatlas.model.patient_fhir.FhirProfileError` naming the bad field.
    """
    from trialatlas.model.patient_fhir import bundle_to_profile  # fhir.resources is heavy

    return bundle_to_profile(bundle)
