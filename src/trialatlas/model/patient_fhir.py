"""HL7 FHIR R4 Bundle → :class:`~trialatlas.model.patient.PatientProfile`.

The bundle is validated with ``fhir.resources`` (its R4B models, which read R4
resources), then mapped:

- ``Patient``: ``gender`` → sex, ``birthDate`` → birth date;
- ``Condition``: ``code`` → name (text, else the first coding's display), its
  ICD-10 / SNOMED code, ``onset[x]`` → onset, ``clinicalStatus`` → active;
  an active pregnancy condition sets ``pregnant``;
- ``MedicationStatement``: ``medicationCodeableConcept`` or a referenced
  ``Medication`` → name, ``effective[x]`` → start/end, the first dose → dose/unit;
- ``Observation`` with ``valueQuantity`` → a lab/measurement (value, unit,
  ``effective[x]`` date), and each ``component`` with a ``valueQuantity`` one more
  (a blood pressure panel: LOINC 8480-6 → "Systolic blood pressure", 8462-4 →
  "Diastolic blood pressure"); the smoking-status (LOINC 72166-2) and pregnancy-status
  (LOINC 82810-3) observations set ``smoking`` / ``pregnant``;
- ``Procedure``: ``code`` → name, ``performed[x]`` → date.

Other resource types are accepted and ignored. Nothing is logged. No I/O.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trialatlas.model.patient import (
    PatientProfile,
    ProfileCondition,
    ProfileLab,
    ProfileMedication,
    ProfileProcedure,
)
from trialatlas.model.validation_errors import error_message

ICD10_SYSTEMS = ("icd-10", "icd10", "2.16.840.1.113883.6.90", "2.16.840.1.113883.6.3")
SMOKING_STATUS = "72166-2"
# Blood pressure sent as one Observation (LOINC panel 85354-9 or 55284-4) whose
# components are the systolic and diastolic pressures.
COMPONENT_NAMES = {
    "8480-6": "Systolic blood pressure",
    "8462-4": "Diastolic blood pressure",
}
PREGNANCY_STATUS = "82810-3"
PREGNANCY_CODES = frozenset({"77386006", "Z33", "Z33.1", "O09", "Z34"})
SMOKING_CODES = {
    "449868002": "current",
    "428041000124106": "current",
    "77176002": "current",
    "428071000124103": "current",
    "428061000124105": "current",
    "8517006": "former",
    "266919005": "never",
}
INACTIVE_STATUSES = frozenset({"inactive", "remission", "resolved"})
# Records that say nothing happened: a refuted or mistaken diagnosis, a medicine not
# taken (or only intended), a cancelled observation, a procedure not done.
VOID_VERIFICATION = frozenset({"refuted", "entered-in-error"})
VOID_MEDICATION = frozenset({"not-taken", "entered-in-error", "intended", "unknown"})
VOID_OBSERVATION = frozenset({"entered-in-error", "cancelled"})
VOID_PROCEDURE = frozenset({"not-done", "entered-in-error", "preparation"})


class FhirProfileError(ValueError):
    """The bundle is not a valid FHIR R4 Bundle; ``field`` names where."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _validate(bundle: dict[str, Any]) -> Any:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirProfileError("resourceType", "expected a FHIR Bundle (resourceType 'Bundle')")
    try:
        return Bundle.model_validate(bundle)
    except ValidationError as exc:
        err = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in err.get("loc", ())) or "bundle"
        raise FhirProfileError(where, error_message(err)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise FhirProfileError(
            "entry", f"unsupported or invalid resource ({type(exc).__name__})"
        ) from None


def _concept_name(concept: Any) -> str | None:
    if concept is None:
        return None
    if getattr(concept, "text", None):
        return str(concept.text)
    for coding in concept.coding or []:
        if coding.display:
            return str(coding.display)
    for coding in concept.coding or []:
        if coding.code:
            return str(coding.code)
    return None


def _codes(concept: Any) -> list[tuple[str | None, str]]:
    if concept is None:
        return []
    return [(c.system, str(c.code)) for c in concept.coding or [] if c.code]


def _preferred_code(concept: Any) -> tuple[str | None, str | None]:
    codes = _codes(concept)
    for system, code in codes:
        if system and any(s in system.lower() for s in ICD10_SYSTEMS):
            return code, "ICD-10"
    if codes:
        return codes[0][1], codes[0][0]
    return None, None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        parts = value[:10].split("-")
        try:
            return dt.date(
                int(parts[0]),
                int(parts[1]) if len(parts) > 1 else 1,
                int(parts[2]) if len(parts) > 2 else 1,
            )
        except ValueError:
            return None
    return None


def _period(resource: Any, prefix: str) -> tuple[dt.date | None, dt.date | None]:
    instant = getattr(resource, f"{prefix}DateTime", None)
    if instant is not None:
        day = _as_date(instant)
        return day, day
    period = getattr(resource, f"{prefix}Period", None)
    if period is not None:
        return _as_date(period.start), _as_date(period.end)
    return None, None


def _condition(res: Any, profile: dict[str, Any]) -> None:
    name = _concept_name(res.code)
    verification = {
        c.code for c in (res.verificationStatus.coding if res.verificationStatus else []) or []
    }
    if not name or verification & VOID_VERIFICATION:
        return
    code, system = _preferred_code(res.code)
    status = {c.code for c in (res.clinicalStatus.coding if res.clinicalStatus else []) or []}
    active = None if not status else not bool(status & INACTIVE_STATUSES)
    onset, _ = _period(res, "onset")
    profile["conditions"].append(
        ProfileCondition(name=name, code=code, system=system, onset=onset, active=active)
    )
    if active is not False and any(c in PREGNANCY_CODES for _, c in _codes(res.code)):
        profile["pregnant"] = True


def _medication(res: Any, profile: dict[str, Any], medicines: dict[str, Any]) -> None:
    if str(res.status) in VOID_MEDICATION:
        return
    concept = res.medicationCodeableConcept
    if concept is None and res.medicationReference is not None:
        ref = str(res.medicationReference.reference or "")
        concept = getattr(medicines.get(ref) or medicines.get(ref.split("/")[-1]), "code", None)
    name = _concept_name(concept)
    if not name:
        return
    start, end = _period(res, "effective")
    current = {"active": True, "completed": False, "stopped": False}.get(str(res.status))
    dose = unit = None
    for dosage in res.dosage or []:
        for dar in dosage.doseAndRate or []:
            if dar.doseQuantity is not None and dar.doseQuantity.value is not None:
                dose = float(dar.doseQuantity.value)
                unit = dar.doseQuantity.unit or dar.doseQuantity.code
                break
        if dose is not None:
            break
    code, _ = _preferred_code(concept)
    profile["medications"].append(
        ProfileMedication(
            name=name, code=code, start=start, end=end, current=current, dose=dose, unit=unit
        )
    )


def _observation(res: Any, profile: dict[str, Any]) -> None:
    if str(res.status) in VOID_OBSERVATION:
        return
    codes = {c for _, c in _codes(res.code)}
    if SMOKING_STATUS in codes and res.valueCodeableConcept is not None:
        for _, code in _codes(res.valueCodeableConcept):
            if code in SMOKING_CODES:
                profile["smoking"] = SMOKING_CODES[code]
        return
    if PREGNANCY_STATUS in codes and res.valueCodeableConcept is not None:
        values = {c for _, c in _codes(res.valueCodeableConcept)}
        if "77386006" in values:
            profile["pregnant"] = True
        elif values & {"60001007", "102874004"}:  # not pregnant; possible pregnancy stays unknown
            profile["pregnant"] = profile.get("pregnant") or False
        return
    day, _ = _period(res, "effective")
    _lab(res.code, res.valueQuantity, day, profile)
    for component in res.component or []:
        # a blood pressure panel: each component is a lab of its own, named by its LOINC
        # code (8480-6 systolic, 8462-4 diastolic) or else by its own code text
        _lab(component.code, component.valueQuantity, day, profile)


def _lab(concept: Any, quantity: Any, day: dt.date | None, profile: dict[str, Any]) -> None:
    if quantity is None or quantity.value is None or concept is None:
        return
    codes = {c for _, c in _codes(concept)}
    known = next((COMPONENT_NAMES[c] for c in codes if c in COMPONENT_NAMES), None)
    name = known or _concept_name(concept)
    if not name:
        return
    code, _ = _preferred_code(concept)
    profile["labs"].append(
        ProfileLab(
            name=name,
            value=float(quantity.value),
            unit=quantity.unit or quantity.code,
            date=day,
            code=code,
        )
    )


def _procedure(res: Any, profile: dict[str, Any]) -> None:
    name = _concept_name(res.code)
    if not name or str(res.status) in VOID_PROCEDURE:
        return
    day, _ = _period(res, "performed")
    code, _ = _preferred_code(res.code)
    profile["procedures"].append(ProfileProcedure(name=name, date=day, code=code))


_FIELD_SOURCES = {
    # profile field -> where it comes from in a resource (for error messages)
    "name": "code",
    "code": "code",
    "system": "code",
    "onset": "onset[x]",
    "start": "effective[x]",
    "end": "effective[x]",
    "dose": "dosage",
    "unit": "valueQuantity.unit",
    "value": "valueQuantity.value",
    "date": "effective[x]",
}


def _mapping_error(index: int, kind: str, exc: Any) -> FhirProfileError:
    """A resource that validates as FHIR but not as a profile item (a 400-character
    name, an infinite value): the error names the entry and the FHIR field, never the value."""
    errors = exc.errors() if hasattr(exc, "errors") else []
    err = errors[0] if errors else {}
    loc = [str(p) for p in err.get("loc", ())]
    source = _FIELD_SOURCES.get(loc[-1], loc[-1]) if loc else "resource"
    if kind == "MedicationStatement" and source == "code":
        source = "medicationCodeableConcept"
    if kind == "Procedure" and source == "effective[x]":
        source = "performed[x]"
    message = error_message(err)
    return FhirProfileError(f"entry.{index}.resource.{source}", f"{message} ({kind})")


def _birth_date(value: Any, index: int) -> dt.date | None:
    day = _as_date(value)
    if day is not None and day > dt.date.today():
        raise FhirProfileError(f"entry.{index}.resource.birthDate", "is in the future")
    return day


def bundle_to_profile(bundle: dict[str, Any]) -> PatientProfile:
    """Validate ``bundle`` as FHIR R4 and map its resources into a profile."""
    from pydantic import ValidationError

    parsed = _validate(bundle)
    resources = [
        (n, e.resource) for n, e in enumerate(parsed.entry or []) if e.resource is not None
    ]
    medicines = {}
    for _, res in resources:
        if res.get_resource_type() == "Medication" and res.id:
            medicines[str(res.id)] = res
            medicines[f"Medication/{res.id}"] = res
    profile: dict[str, Any] = {"conditions": [], "medications": [], "labs": [], "procedures": []}
    for index, res in resources:
        kind = res.get_resource_type()
        try:
            if kind == "Patient":
                if res.gender:
                    profile["sex"] = (
                        res.gender if res.gender in ("female", "male", "other") else "unknown"
                    )
                if res.birthDate:
                    profile["birth_date"] = _birth_date(res.birthDate, index)
            elif kind == "Condition" and res.code is not None:
                _condition(res, profile)
            elif kind == "MedicationStatement":
                _medication(res, profile, medicines)
            elif kind == "Observation" and res.code is not None:
                _observation(res, profile)
            elif kind == "Procedure" and res.code is not None:
                _procedure(res, profile)
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, FhirProfileError):
                raise
            raise _mapping_error(index, kind, exc) from None
    try:
        return PatientProfile.model_validate(profile)
    except ValidationError as exc:
        err = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in err.get("loc", ())) or "bundle"
        raise FhirProfileError(where, error_message(err)) from None
