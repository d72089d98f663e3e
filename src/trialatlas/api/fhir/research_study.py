"""Normalized :class:`~trialatlas.model.study.Study` → HL7 FHIR R4 ``ResearchStudy`` (JSON).

Follows the ClinicalTrials.gov column of HL7's ResearchStudy mappings: NCT number and
other IDs → ``identifier``; Brief Title → ``title``; Overall Recruitment Status →
``status``; Study Phase → ``phase``; Study Type and design → ``category``; Primary
Purpose → ``primaryPurposeType``; Interventions → ``focus``; Conditions (+ MeSH) →
``condition``; Central Contact → ``contact``; References and links → ``relatedArtifact``;
Keywords → ``keyword``; site countries → ``location``; Brief Summary and Detailed
Description → ``description``; Enrollment and eligibility → ``enrollment`` (a contained
``Group``); Start/Completion Date → ``period``; Sponsor → ``sponsor`` (contained
``Organization``); Overall Official (PI) → ``principalInvestigator`` (contained
``Practitioner``); Facilities → ``site`` (contained ``Location`` with address and
position); Why Stopped → ``reasonStopped``; Arms → ``arm``; Outcomes → ``objective``.

Pure; :func:`validated` checks a resource with the ``fhir.resources`` R4B models.
"""

from __future__ import annotations

import re
from typing import Any

from trialatlas.api.fhir import codes
from trialatlas.model.codes import label, masking_label
from trialatlas.model.study import Age, Contact, Location, MeshTerm, Study

Json = dict[str, Any]
_AGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]+?)s?$")
_UCUM_AGE = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}
_GENDER = {"FEMALE": "female", "MALE": "male"}


def _drop_empty(pairs: Json) -> Json:
    return {k: v for k, v in pairs.items() if v is not None and v != [] and v != {} and v != ""}


def _text(text: str | None) -> Json | None:
    return {"text": text} if text else None


def _coded(system: str, code: str, display: str) -> Json:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _concepts(texts: list[str], mesh: list[MeshTerm]) -> list[Json]:
    """One concept per text, with the MeSH coding whose term is the same words; MeSH
    terms matching no text follow as concepts of their own."""
    by_term = {m.term.casefold(): m for m in mesh}
    used: set[str] = set()
    out = []
    for text in dict.fromkeys(texts):
        concept: Json = {"text": text}
        m = by_term.get(text.casefold())
        if m is not None and m.id:
            concept["coding"] = [{"system": codes.MESH_SYSTEM, "code": m.id, "display": m.term}]
            used.add(m.term.casefold())
        out.append(concept)
    for m in mesh:
        if m.term.casefold() not in used and m.id:
            used.add(m.term.casefold())
            coding = {"system": codes.MESH_SYSTEM, "code": m.id, "display": m.term}
            out.append({"coding": [coding], "text": m.term})
    return out


def _country(name: str) -> Json:
    """A site country as text, with its ISO 3166 code when the gazetteer knows the country."""
    from trialatlas.index.geo import GeoError, geocode

    try:
        place = geocode(name)
    except GeoError:
        place = None
    if place is None or place.kind != "country" or not place.country_code:
        return {"text": name}
    coding = {"system": codes.ISO_COUNTRY_SYSTEM, "code": place.country_code, "display": place.name}
    return {"coding": [coding], "text": name}


def _telecom(contacts: list[Contact]) -> list[Json]:
    out: list[Json] = []
    for c in contacts:
        if c.phone:
            phone = f"{c.phone} ext. {c.phone_ext}" if c.phone_ext else c.phone
            out.append({"system": "phone", "value": phone, "use": "work"})
        if c.email:
            out.append({"system": "email", "value": c.email, "use": "work"})
    return [dict(t) for t in {tuple(t.items()): t for t in out}.values()]


def _identifiers(study: Study) -> list[Json]:
    ident = study.identification
    out = [{"use": "official", "system": codes.CTGOV_SYSTEM, "value": ident.nct_id}]
    out += [{"use": "old", "system": codes.CTGOV_SYSTEM, "value": a} for a in ident.nct_id_aliases]
    if ident.org_study_id:
        org = ident.organization.name if ident.organization else None
        out.append(
            _drop_empty(
                {
                    "use": "secondary",
                    "type": {"text": "Organization's Unique Protocol ID"},
                    "value": ident.org_study_id,
                    "assigner": _drop_empty({"display": org}),
                }
            )
        )
    for sid in ident.secondary_ids:
        out.append(
            _drop_empty(
                {
                    "use": "secondary",
                    "type": {"text": label("secondary_id_type", sid.type) or "Secondary ID"},
                    "value": sid.id,
                    "assigner": _drop_empty({"display": sid.domain}),
                }
            )
        )
    return out


def _categories(study: Study) -> list[Json]:
    d = study.design
    parts = [
        ("Study Type", label("study_type", d.study_type)),
        ("Allocation", label("allocation", d.allocation)),
        ("Intervention Model", label("intervention_model", d.intervention_model)),
        ("Observational Model", label("observational_model", d.observational_model)),
        ("Time Perspective", label("time_perspective", d.time_perspective)),
        ("Masking", masking_label(d.masking, d.who_masked)),
    ]
    return [{"text": f"{name}: {value}"} for name, value in parts if value]


def _age_quantity(age: Age) -> Json:
    m = _AGE_RE.match(age.text)
    unit = m.group(2).lower() if m else ""
    if m and unit in _UCUM_AGE:
        value = float(m.group(1))
        return {
            "value": int(value) if value.is_integer() else value,
            "unit": age.text.split()[-1].lower(),
            "system": "http://unitsofmeasure.org",
            "code": _UCUM_AGE[unit],
        }
    return {"value": age.days, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}


def _enrollment_group(study: Study) -> Json | None:
    d, e = study.design, study.eligibility
    traits: list[Json] = []
    if e.sex in _GENDER:
        gender = {"system": "http://hl7.org/fhir/administrative-gender", "code": _GENDER[e.sex]}
        traits.append(
            {
                "code": {"text": "Sex"},
                "valueCodeableConcept": {"coding": [gender], "text": label("sex", e.sex)},
                "exclude": False,
            }
        )
    if e.minimum_age or e.maximum_age:
        age_range = _drop_empty(
            {
                "low": _age_quantity(e.minimum_age) if e.minimum_age else None,
                "high": _age_quantity(e.maximum_age) if e.maximum_age else None,
            }
        )
        traits.append({"code": {"text": "Age"}, "valueRange": age_range, "exclude": False})
    if e.healthy_volunteers is not None:
        traits.append(
            {
                "code": {"text": "Accepts healthy volunteers"},
                "valueBoolean": e.healthy_volunteers,
                "exclude": False,
            }
        )
    if e.criteria_text:
        traits.append(
            {
                "code": {"text": "Eligibility criteria"},
                "valueCodeableConcept": {"text": e.criteria_text},
                "exclude": False,
            }
        )
    if d.enrollment_count is None and not traits:
        return None
    return _drop_empty(
        {
            "resourceType": "Group",
            "id": "enrollment",
            "type": "person",
            "actual": d.enrollment_type == "ACTUAL",
            "quantity": d.enrollment_count,
            "characteristic": traits,
        }
    )


def _enrollment_display(study: Study) -> str:
    d = study.design
    if d.enrollment_count is None:
        return "Eligible participants"
    kind = f" ({label('enrollment_type', d.enrollment_type).lower()})" if d.enrollment_type else ""
    return f"{d.enrollment_count} participants{kind}"


def _site(index: int, loc: Location) -> Json:
    address = _drop_empty(
        {
            "use": "work",
            "city": loc.city,
            "state": loc.state,
            "postalCode": loc.zip,
            "country": loc.country,
        }
    )
    position = {"latitude": loc.geo.lat, "longitude": loc.geo.lon} if loc.geo else None
    return _drop_empty(
        {
            "resourceType": "Location",
            "id": f"site-{index}",
            "name": loc.facility,
            "mode": "instance",
            "telecom": _telecom(loc.contacts),
            "address": address if len(address) > 1 else None,
            "position": position,
        }
    )


def _principal_investigator(study: Study) -> str | None:
    for official in study.overall_officials:
        if official.role == "PRINCIPAL_INVESTIGATOR":
            return official.name
    party = study.sponsors.responsible_party
    if party and party.type in ("PRINCIPAL_INVESTIGATOR", "SPONSOR_INVESTIGATOR"):
        return party.investigator_full_name
    return None


def _related(study: Study) -> list[Json]:
    out = []
    for ref in study.references:
        url = f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/" if ref.pmid else None
        out.append(_drop_empty({"type": "citation", "citation": ref.citation, "url": url}))
    for link in study.see_also_links:
        out.append(_drop_empty({"type": "documentation", "label": link.label, "url": link.url}))
    return [r for r in out if len(r) > 1]


def _notes(study: Study) -> list[Json]:
    notes = []
    ident = study.identification
    if ident.official_title and ident.official_title != ident.brief_title:
        notes.append(f"Official title: {ident.official_title}")
    if ident.acronym:
        notes.append(f"Acronym: {ident.acronym}")
    if study.sponsors.collaborators:
        names = ", ".join(c.name for c in study.sponsors.collaborators)
        notes.append(f"Collaborators: {names}")
    status = study.status
    if codes.fhir_status(status.overall_status) == codes.UNMAPPED_STATUS:
        text = (
            f"ClinicalTrials.gov status: {label('overall_status', status.overall_status) or 'none'}"
        )
        if status.last_known_status:
            text += f" (last known: {label('overall_status', status.last_known_status)})"
        notes.append(text)
    return [{"text": n} for n in notes]


def _contained(study: Study) -> tuple[list[Json], Json]:
    """The contained resources and the ResearchStudy elements that reference them."""
    contained: list[Json] = []
    refs: Json = {}
    group = _enrollment_group(study)
    if group is not None:
        contained.append(group)
        refs["enrollment"] = [{"reference": "#enrollment", "display": _enrollment_display(study)}]
    lead = study.sponsors.lead_sponsor
    if lead is not None:
        org = {"resourceType": "Organization", "id": "sponsor", "name": lead.name}
        if lead.org_class:
            org["type"] = [{"text": label("agency_class", lead.org_class)}]
        contained.append(org)
        refs["sponsor"] = {"reference": "#sponsor", "display": lead.name}
    pi = _principal_investigator(study)
    if pi:
        contained.append({"resourceType": "Practitioner", "id": "pi", "name": [{"text": pi}]})
        refs["principalInvestigator"] = {"reference": "#pi", "display": pi}
    sites = []
    for i, loc in enumerate(study.locations, start=1):
        contained.append(_site(i, loc))
        sites.append(_drop_empty({"reference": f"#site-{i}", "display": loc.facility or loc.city}))
    refs["site"] = sites
    return contained, refs


def study_to_research_study(study: Study) -> Json:
    """The FHIR R4 ResearchStudy of ``study`` as JSON (``id`` is the NCT number)."""
    d = study.design
    phase = codes.phase_code(d.phases)
    purpose = codes.PURPOSES.get(d.primary_purpose or "")
    contained, refs = _contained(study)
    countries = list(dict.fromkeys(loc.country for loc in study.locations if loc.country))
    description = "\n\n".join(t for t in (study.brief_summary, study.detailed_description) if t)
    start, end = study.status.start_date, study.status.completion_date
    return _drop_empty(
        {
            "resourceType": "ResearchStudy",
            "id": study.nct_id,
            "contained": contained,
            "identifier": _identifiers(study),
            "title": study.title,
            "status": codes.fhir_status(study.status.overall_status),
            "primaryPurposeType": _coded(codes.PURPOSE_SYSTEM, *purpose)
            if purpose
            else _text(label("primary_purpose", d.primary_purpose)),
            "phase": _coded(codes.PHASE_SYSTEM, *phase)
            if phase
            else _text(label("phase", "/".join(d.phases)) if d.phases else None),
            "category": _categories(study),
            "focus": _concepts([iv.name for iv in study.interventions], study.intervention_mesh),
            "condition": _concepts(study.conditions, study.condition_mesh),
            "contact": [
                _drop_empty({"name": c.name, "telecom": _telecom([c])})
                for c in study.central_contacts
            ],
            "relatedArtifact": _related(study),
            "keyword": [{"text": k} for k in dict.fromkeys(study.keywords)],
            "location": [_country(c) for c in countries],
            "description": description,
            "enrollment": refs.get("enrollment"),
            "period": _drop_empty(
                {"start": start.value if start else None, "end": end.value if end else None}
            ),
            "sponsor": refs.get("sponsor"),
            "principalInvestigator": refs.get("principalInvestigator"),
            "site": refs["site"],
            "reasonStopped": _text(study.status.why_stopped),
            "note": _notes(study),
            "arm": [
                _drop_empty(
                    {
                        "name": a.label,
                        "type": _text(label("arm_type", a.type)),
                        "description": a.description,
                    }
                )
                for a in study.arms
            ],
            "objective": [
                {
                    "name": o.measure,
                    "type": _coded(codes.OBJECTIVE_SYSTEM, *codes.OBJECTIVE_TYPES[o.kind]),
                }
                for o in study.outcomes
            ],
        }
    )


def validated(resource: Json) -> Json:
    """``resource`` after checking it against the fhir.resources R4B model of its type.

    Raises ``pydantic.ValidationError`` when it is not a valid resource (a mapping bug).
    """
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resource
