"""What a caller sends as the patient → what was understood of them.

Free text is read by the note reader; a profile (or a FHIR R4 Bundle, read as a
profile) is taken as given. Errors name the field and the rule, never the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from trialatlas.model.patient import PatientProfile, profile_from_fhir
from trialatlas.model.patient_fhir import FhirProfileError
from trialatlas.model.validation_errors import error_message

MAX_TEXT_CHARS = 20_000


class MatchInputError(ValueError):
    """The patient cannot be read; ``field`` names where. The message never repeats values."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class PatientInput:
    """The patient as understood: ``facts`` (a ``PatientFacts``), and the profile when one
    was given (then the pre-screener reads it directly)."""

    facts: Any
    profile: PatientProfile | None


def read_patient(patient: str | PatientProfile | Mapping[str, Any]) -> PatientInput:
    """Free text, a :class:`PatientProfile`, or a mapping (profile JSON or FHIR Bundle)."""
    from trialatlas.features.matching.note_reader import understand_patient
    from trialatlas.features.matching.profile_facts import facts_from_profile

    if isinstance(patient, str):
        text = patient.strip()
        if not text:
            raise MatchInputError("text", "must not be empty")
        if len(text) > MAX_TEXT_CHARS:
            raise MatchInputError("text", f"must be at most {MAX_TEXT_CHARS:,} characters")
        return PatientInput(facts=understand_patient(text), profile=None)
    if isinstance(patient, PatientProfile):
        return PatientInput(facts=facts_from_profile(patient), profile=patient)
    if not isinstance(patient, Mapping):
        raise MatchInputError("patient", "must be text, a patient profile or a FHIR Bundle")
    profile = _profile(patient)
    return PatientInput(facts=facts_from_profile(profile), profile=profile)


def _profile(data: Mapping[str, Any]) -> PatientProfile:
    if data.get("resourceType") == "Bundle":
        try:
            return profile_from_fhir(dict(data))
        except FhirProfileError as exc:
            raise MatchInputError(exc.field, exc.message) from None
    try:
        return PatientProfile.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "profile"
        raise MatchInputError(f"profile.{where}", error_message(first)) from None
