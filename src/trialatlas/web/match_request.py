"""What ``POST /api/match`` and the ``/match`` form send → the matcher's arguments.

The API body is JSON: ``{"text": …}``, ``{"profile": …}`` or ``{"fhir": …}`` (a FHIR
R4 Bundle, also accepted as the whole body), plus ``near``, ``radius``,
``open_only`` and ``limit``. The page posts a plain HTML form: a description and/or a
short profile (age, sex, conditions and medicines one per line), a place, a radius,
the distance unit (``unit=mi|km``) and the "open to enrollment only" box.

Errors name the field and the rule, never the values sent (they are the patient's).
Bodies are read with a size cap; nothing here logs or keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trialatlas.model.validation_errors import error_message

MAX_BODY_BYTES = 200_000
MAX_TEXT_CHARS = 20_000
MAX_LIMIT = 50
DEFAULT_LIMIT = 20
MAX_PLACE_CHARS = 200
MAX_RADIUS_CHARS = 20
MAX_LINES = 100
MAX_LINE_CHARS = 300
FORM_FIELDS = 20
PATIENT_KEYS = ("text", "profile", "fhir")


class MatchRequestError(ValueError):
    """The request is not something the matcher reads; ``field`` names where."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class BodyTooLargeError(ValueError):
    """The body is over :data:`MAX_BODY_BYTES`."""


EXAMPLE_TEXT = (
    "55-year-old man from Jacksonville, FL with chronic facet-mediated low back pain for "
    "3 years despite physical therapy and NSAIDs. No history of diabetes."
)


class MatchRequest(BaseModel):
    """The body of ``POST /api/match``: one of ``text``, ``profile`` or ``fhir``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"text": EXAMPLE_TEXT, "near": "Jacksonville, FL", "radius": "50mi"},
                {
                    "profile": {
                        "age": 55,
                        "sex": "male",
                        "conditions": [{"name": "Chronic low back pain"}],
                        "medications": [{"name": "Ibuprofen"}],
                    },
                    "open_only": True,
                    "limit": 10,
                },
            ]
        },
    )

    text: str | None = Field(
        default=None,
        max_length=MAX_TEXT_CHARS,
        description="The patient in free text: a clinical note or a person's own words.",
    )
    profile: dict[str, Any] | None = Field(
        default=None,
        description="A patient profile (docs/patient-profile.md), or a FHIR R4 Bundle.",
    )
    fhir: dict[str, Any] | None = Field(
        default=None,
        description=(
            'A FHIR R4 Bundle ("resourceType": "Bundle"); it may also be sent as the whole body.'
        ),
    )
    near: str | None = Field(
        default=None,
        max_length=MAX_PLACE_CHARS,
        description="A place: city, ZIP code or 'lat, lon' (as search's near).",
        examples=["Jacksonville, FL"],
    )
    radius: str | None = Field(
        default=None,
        max_length=MAX_RADIUS_CHARS,
        description="How far from near: '50mi', '80km'.",
        examples=["50mi"],
    )
    open_only: bool = Field(default=False, description="Only trials open to enrollment.")
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many trials.")


@dataclass(frozen=True)
class MatchCall:
    """The matcher's arguments: the patient (text or a profile/FHIR dict) and the options."""

    patient: str | dict[str, Any]
    near: str | None = None
    radius: str | None = None
    open_only: bool = False
    limit: int = DEFAULT_LIMIT


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _validation_error(exc: ValidationError) -> MatchRequestError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or "body"
    if err.get("type") == "extra_forbidden":
        return MatchRequestError(
            loc,
            "unexpected field; send 'text', 'profile' or 'fhir' with near, radius, "
            "open_only, limit",
        )
    return MatchRequestError(loc, error_message(err))


def read_match_body(body: Any) -> MatchCall:
    """The API's JSON body → a :class:`MatchCall`; raises :class:`MatchRequestError`."""
    if not isinstance(body, Mapping):
        raise MatchRequestError("body", "must be a JSON object")
    if body.get("resourceType") == "Bundle":
        body = {"fhir": dict(body)}
    try:
        request = MatchRequest.model_validate(dict(body))
    except ValidationError as exc:
        raise _validation_error(exc) from None
    given = [key for key in PATIENT_KEYS if getattr(request, key) is not None]
    if not given:
        raise MatchRequestError(
            "body", "send one of 'text', 'profile' or 'fhir' (or a FHIR Bundle as the body)"
        )
    if len(given) > 1:
        raise MatchRequestError(
            given[1], f"send only one of 'text', 'profile' or 'fhir' ({' and '.join(given)} sent)"
        )
    patient: str | dict[str, Any]
    if request.text is not None:
        if not request.text.strip():
            raise MatchRequestError("text", "must not be empty")
        patient = request.text
    elif request.fhir is not None:
        if request.fhir.get("resourceType") != "Bundle":
            raise MatchRequestError("fhir", "must be a FHIR R4 Bundle (resourceType 'Bundle')")
        patient = request.fhir
    else:
        assert request.profile is not None
        patient = request.profile
    return MatchCall(
        patient=patient,
        near=_blank_to_none(request.near),
        radius=_blank_to_none(request.radius),
        open_only=request.open_only,
        limit=request.limit,
    )


async def read_capped_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, at most ``limit`` bytes; raises :class:`BodyTooLargeError`."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise BodyTooLargeError(f"the body is over {limit // 1000} KB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(f"the body is over {limit // 1000} KB")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json_body(data: bytes) -> Any:
    """JSON → Python; raises :class:`MatchRequestError` naming where it broke."""
    if not data.strip():
        raise MatchRequestError("body", "is empty; send a JSON object")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise MatchRequestError("body", f"not valid JSON (at character {exc.pos})") from None


# ---- the HTML form ----------------------------------------------------------------------


@dataclass
class MatchForm:
    """What the ``/match`` form holds, to fill it in again after a submit."""

    text: str = ""
    age: str = ""
    sex: str = ""
    conditions: str = ""
    medications: str = ""
    near: str = ""
    radius: str = ""
    unit: str = ""  # "mi" or "km": the unit of the distance menu and of every distance shown
    open_only: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def has_profile(self) -> bool:
        return any(v.strip() for v in (self.age, self.sex, self.conditions, self.medications))


def parse_form_body(data: bytes) -> MatchForm:
    """An ``application/x-www-form-urlencoded`` body → :class:`MatchForm`."""
    try:
        pairs = parse_qsl(
            data.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=FORM_FIELDS
        )
    except ValueError:
        raise MatchRequestError("form", f"more than {FORM_FIELDS} fields") from None
    values = {key: value for key, value in pairs}
    return MatchForm(
        text=values.get("text", ""),
        age=values.get("age", "").strip(),
        sex=values.get("sex", "").strip(),
        conditions=values.get("conditions", ""),
        medications=values.get("medications", ""),
        near=values.get("near", "").strip(),
        radius=values.get("radius", "").strip(),
        unit=values.get("unit", "").strip().lower(),
        open_only=values.get("open", "") not in ("", "no", "0", "false"),
    )


def _lines(value: str, name: str) -> list[dict[str, str]]:
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise MatchRequestError(name, f"at most {MAX_LINES} lines")
    if any(len(line) > MAX_LINE_CHARS for line in lines):
        raise MatchRequestError(name, f"each line at most {MAX_LINE_CHARS} characters")
    return [{"name": line} for line in lines]


def _age(value: str) -> float | None:
    if not value:
        return None
    try:
        age = float(value.replace(",", "."))
    except ValueError:
        raise MatchRequestError("age", "must be a number of years") from None
    if not 0 <= age <= 130:
        raise MatchRequestError("age", "must be between 0 and 130 years")
    return age


def form_call(form: MatchForm, limit: int = DEFAULT_LIMIT) -> MatchCall:
    """The form → a :class:`MatchCall`: the description as text, or a profile when any
    profile field is filled (the description then goes in as its ``free_text``)."""
    if len(form.text) > MAX_TEXT_CHARS:
        raise MatchRequestError("text", f"at most {MAX_TEXT_CHARS:,} characters")
    if len(form.near) > MAX_PLACE_CHARS:
        raise MatchRequestError("near", f"at most {MAX_PLACE_CHARS} characters")
    if len(form.radius) > MAX_RADIUS_CHARS:
        raise MatchRequestError("radius", f"at most {MAX_RADIUS_CHARS} characters")
    if form.unit not in ("", "mi", "km"):
        raise MatchRequestError("unit", "must be mi or km")
    patient: str | dict[str, Any]
    if form.has_profile:
        profile: dict[str, Any] = {}
        age = _age(form.age)
        if age is not None:
            profile["age"] = age
        if form.sex:
            if form.sex not in ("female", "male"):
                raise MatchRequestError("sex", "must be female or male")
            profile["sex"] = form.sex
        if conditions := _lines(form.conditions, "conditions"):
            profile["conditions"] = conditions
        if medications := _lines(form.medications, "medications"):
            profile["medications"] = medications
        if form.text.strip():
            profile["free_text"] = form.text
        patient = profile
    elif form.text.strip():
        patient = form.text
    else:
        raise MatchRequestError(
            "text", "describe the patient, or fill in age, sex, conditions or medicines"
        )
    return MatchCall(
        patient=patient,
        near=form.near or None,
        radius=form.radius or None,
        open_only=form.open_only,
        limit=limit,
    )
