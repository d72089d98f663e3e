"""What a program sends to the pre-screener → answers and/or a patient profile.

Accepted bodies (the API's JSON, the CLI's ``--answers`` file):

- ``{"answers": {question id: answer, …}}``
- ``{"profile": {…documented profile…}}`` (the profile may also be a FHIR Bundle)
- both keys together (answers override what the profile says)
- a FHIR R4 Bundle (``"resourceType": "Bundle"``)
- with ``bare=True`` (the CLI) also a bare profile or a bare answers object.

Errors name the field: ``profile.labs.0.value: Input should be a valid number``.
Error messages never repeat the values sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from trialatlas.features.prescreen.answers import MAX_KEYS, MAX_TEXT
from trialatlas.model.patient import PatientProfile, profile_from_fhir
from trialatlas.model.patient_fhir import FhirProfileError
from trialatlas.model.validation_errors import error_message

Record = Literal["profile", "description"]
PROFILE_FIELDS = frozenset(PatientProfile.model_fields)
BODY_KEYS = frozenset({"answers", "profile"})


class PrescreenInputError(ValueError):
    """The body is not something the pre-screener reads; ``field`` names where."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PrescreenInput:
    """Answers by question id and/or a profile.

    ``record`` names what the profile was read from in the reasons: ``"profile"``
    ("Your profile says yes", "(your profile does not say)") or ``"description"``,
    the patient's own words read by the matcher ("Your description says yes"); with a
    description the answers were read from it too.
    """

    answers: dict[str, Any] = field(default_factory=dict)
    profile: PatientProfile | None = None
    record: Record = "profile"


def _profile(data: Any, where: str) -> PatientProfile:
    if not isinstance(data, Mapping):
        raise PrescreenInputError(where, "must be an object (a patient profile or a FHIR Bundle)")
    if data.get("resourceType") == "Bundle":
        try:
            return profile_from_fhir(dict(data))
        except FhirProfileError as exc:
            raise PrescreenInputError(
                f"{where}.{exc.field}" if where != "body" else exc.field, exc.message
            ) from None
    try:
        return PatientProfile.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        name = f"{where}.{loc}" if loc else where
        raise PrescreenInputError(name, error_message(err)) from None


def _answers(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise PrescreenInputError(where, "must be an object mapping question ids to answers")
    if len(data) > MAX_KEYS:  # never read in part: every id sent is checked and counted
        raise PrescreenInputError(where, f"at most {MAX_KEYS:,} answers")
    if any(len(str(k)) > MAX_TEXT for k in data):
        raise PrescreenInputError(where, f"a question id has at most {MAX_TEXT} characters")
    return {str(k): v for k, v in data.items()}


def read_input(body: Any, bare: bool = False) -> PrescreenInput:
    """Read a pre-screening body; raises :class:`PrescreenInputError` naming the field."""
    if not isinstance(body, Mapping):
        raise PrescreenInputError("body", "must be a JSON object")
    if body.get("resourceType") == "Bundle":
        return PrescreenInput(profile=_profile(body, "body"))
    keys = set(body)
    if keys & BODY_KEYS:
        extra = sorted(keys - BODY_KEYS)
        if extra:
            raise PrescreenInputError(extra[0], "unexpected field; send 'answers' and/or 'profile'")
        answers = _answers(body["answers"], "answers") if "answers" in body else {}
        profile = _profile(body["profile"], "profile") if body.get("profile") is not None else None
        return PrescreenInput(answers=answers, profile=profile)
    if not bare:
        raise PrescreenInputError("body", "expected 'answers', 'profile' or a FHIR Bundle")
    if keys and keys <= PROFILE_FIELDS and keys - {"age", "sex"}:
        return PrescreenInput(profile=_profile(body, "profile"))
    return PrescreenInput(answers=_answers(body, "answers"))
