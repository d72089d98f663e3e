"""Legacy ClinicalTrials.gov ``clinical_study`` XML (AllPublicXML / TREC) → :class:`Study`.

Yields the same normalized model as the API v2 mapper for the same facts: registry
text becomes API v2 codes (``Phase 1/Phase 2`` → ``["PHASE1", "PHASE2"]``, ``Unknown
status`` → ``UNKNOWN``; text without a known code becomes its upper-snake spelling,
never dropped), dates keep their precision, ages keep their text. A value the record
does not give stays None. Legacy XML has no site coordinates (``geo`` stays None).

The parts are built as plain dicts shaped like the model and validated once by
``Study.model_validate`` (every key and type checked, extras forbidden), which is
cheaper than building each part as a model and matters for bulk loads.

Registry XML is untrusted: :func:`~trialatlas.normalize.ctgov_xml_values.parse_xml`
refuses any DOCTYPE/entity declaration before parsing, so no entity is ever expanded.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from trialatlas.model.study import Study
from trialatlas.normalize.ctgov_xml_results import map_results
from trialatlas.normalize.ctgov_xml_values import (
    AGENCY_CLASS_CODES,
    ALLOCATION_CODES,
    DATE_TYPES,
    HEALTHY_VOLUNTEERS,
    IPD_INFO_CODES,
    PURPOSE_CODES,
    ROOT,
    SEX_CODES,
    STATUS_CODES,
    STUDY_TYPE_CODES,
    Json,
    StudyDoc,
    child_text,
    child_texts,
    clean_text,
    fields,
    masking_codes,
    parse_xml,
    parsed_age,
    phase_codes,
    std_ages,
    study_date,
    textblock,
    to_code,
    yes_no,
)
from trialatlas.normalize.enumerations import check_enumerations
from trialatlas.normalize.values import RecordError, check_nct_id

_OLD_DESIGN_SPLIT_RE = re.compile(r",\s*(?=[A-Z][A-Za-z ]*:)")
_OVERSIGHT = (
    "has_dmc",
    "is_fda_regulated_drug",
    "is_fda_regulated_device",
    "is_unapproved_device",
    "is_us_export",
)
_OLD_DESIGN_KEYS = {  # pre-2017 <study_design> "Key: Value, …" → study_design_info tag
    "Allocation": "allocation",
    "Intervention Model": "intervention_model",
    "Masking": "masking",
    "Primary Purpose": "primary_purpose",
    "Observational Model": "observational_model",
    "Time Perspective": "time_perspective",
}


def _person(f: dict[str, str | None]) -> str | None:
    """``first middle last, degrees`` (the legacy XML keeps most of it in last_name)."""
    name = " ".join(t for k in ("first_name", "middle_name", "last_name") if (t := f.get(k)))
    if degrees := f.get("degrees"):
        name = f"{name}, {degrees}" if name else degrees
    return name or None


def _contact(el: Element, role: str | None) -> Json:
    """A contact (``role`` given) or a site investigator (role read from the element)."""
    f = fields(el)
    return {
        "name": _person(f),
        "role": role or to_code(f.get("role")),
        "phone": f.get("phone"),
        "phone_ext": f.get("phone_ext"),
        "email": f.get("email"),
    }


def _organization(el: Element | None, path: str) -> Json | None:
    if el is None:
        return None
    f = fields(el)
    if not f.get("agency"):
        raise RecordError(f"{path}/agency", "sponsor without a name")
    return {"name": f["agency"], "org_class": to_code(f.get("agency_class"), AGENCY_CLASS_CODES)}


def _identification(doc: StudyDoc, sponsors: Json) -> Json:
    info = doc.el("id_info")
    path = f"{ROOT}/id_info"
    # <source> is the record's organization; its class only when a sponsor has that name.
    source = doc.text("source")
    orgs = [o for o in (sponsors["lead_sponsor"], *sponsors["collaborators"]) if o]
    org_class = next((o["org_class"] for o in orgs if o["name"] == source), None)
    return {
        "nct_id": check_nct_id(child_text(info, "nct_id"), f"{path}/nct_id"),
        "brief_title": doc.text("brief_title"),
        "official_title": doc.text("official_title"),
        "acronym": doc.text("acronym"),
        "org_study_id": child_text(info, "org_study_id"),
        "organization": {"name": source, "org_class": org_class} if source else None,
        "secondary_ids": [{"id": t} for t in child_texts(info, "secondary_id")],
        "nct_id_aliases": [
            check_nct_id(t, f"{path}/nct_alias") for t in child_texts(info, "nct_alias")
        ],
    }


def _sponsors(doc: StudyDoc) -> Json:
    el = doc.el("sponsors")
    path = f"{ROOT}/sponsors"
    party = fields(doc.el("responsible_party"))
    responsible = {
        "type": to_code(party.get("responsible_party_type")),
        "investigator_full_name": party.get("investigator_full_name"),
        "investigator_title": party.get("investigator_title"),
        "investigator_affiliation": party.get("investigator_affiliation"),
        "old_name_title": party.get("name_title"),
        "old_organization": party.get("organization"),
    }
    lead = el.find("lead_sponsor") if el is not None else None
    collaborators = el.findall("collaborator") if el is not None else []
    return {
        "lead_sponsor": _organization(lead, f"{path}/lead_sponsor"),
        "collaborators": [_organization(c, f"{path}/collaborator") for c in collaborators],
        "responsible_party": responsible if any(responsible.values()) else None,
    }


def _status(doc: StudyDoc) -> Json:
    return {
        "overall_status": to_code(doc.text("overall_status"), STATUS_CODES),
        "last_known_status": to_code(doc.text("last_known_status"), STATUS_CODES),
        "why_stopped": doc.text("why_stopped"),
        "status_verified_date": study_date(doc, "verification_date"),
        "start_date": study_date(doc, "start_date"),
        "primary_completion_date": study_date(doc, "primary_completion_date"),
        "completion_date": study_date(doc, "completion_date"),
        # before 2018 the dumps named the submission dates firstreceived/lastchanged
        "first_submitted": study_date(doc, "study_first_submitted", "firstreceived_date"),
        "first_posted": study_date(doc, "study_first_posted"),
        "results_first_posted": study_date(doc, "results_first_posted"),
        "last_update_submitted": study_date(doc, "last_update_submitted", "lastchanged_date"),
        "last_update_posted": study_date(doc, "last_update_posted"),
        "has_expanded_access": yes_no(
            doc.text("has_expanded_access"), f"{ROOT}/has_expanded_access"
        ),
    }


def _design(doc: StudyDoc) -> Json:
    f = fields(doc.el("study_design_info"))
    old = doc.text("study_design")  # pre-2017 "Allocation: Randomized, Masking: …" string
    if not f and old:
        for part in _OLD_DESIGN_SPLIT_RE.split(old):
            key, sep, value = part.partition(":")
            if sep and key.strip() in _OLD_DESIGN_KEYS:
                f[_OLD_DESIGN_KEYS[key.strip()]] = value.strip() or None
    study_type = doc.text("study_type")
    masking, who = masking_codes(f.get("masking"))
    model = f.get("intervention_model")
    enrollment = doc.el("enrollment")
    count = clean_text(enrollment.text) if enrollment is not None else None
    if count is not None and not count.isdigit():
        raise RecordError(f"{ROOT}/enrollment", f"expected a whole number, got {count!r}")
    kind = enrollment.get("type") if enrollment is not None else None
    if kind is not None and kind not in DATE_TYPES:
        raise RecordError(f"{ROOT}/enrollment/@type", f"unknown enrollment type {kind!r}")
    return {
        "study_type": to_code(study_type, STUDY_TYPE_CODES),
        "phases": phase_codes(doc.text("phase")),
        "allocation": to_code(f.get("allocation"), ALLOCATION_CODES),
        "intervention_model": to_code(model.removesuffix(" Assignment") if model else None),
        "intervention_model_description": f.get("intervention_model_description"),
        "primary_purpose": to_code(f.get("primary_purpose"), PURPOSE_CODES),
        "observational_model": to_code(f.get("observational_model")),
        "time_perspective": to_code(f.get("time_perspective")),
        "masking": masking,
        "who_masked": who,
        "masking_description": f.get("masking_description"),
        "enrollment_count": int(count) if count is not None else None,
        "enrollment_type": DATE_TYPES[kind] if kind else None,
        "target_duration": doc.text("target_duration"),
        "patient_registry": True if study_type == "Observational [Patient Registry]" else None,
    }


def _arms_interventions(doc: StudyDoc) -> tuple[list[Json], list[Json]]:
    interventions: list[Json] = []
    names: list[str] = []  # "Type: Name", as API v2 lists an arm's interventions
    for i, el in enumerate(doc.all("intervention")):
        f = fields(el)
        name, kind = f.get("intervention_name"), f.get("intervention_type")
        if name is None:
            raise RecordError(f"{ROOT}/intervention[{i}]/intervention_name", "missing name")
        names.append(f"{kind}: {name}" if kind else name)
        interventions.append(
            {
                "name": name,
                "type": to_code(kind),
                "description": f.get("description"),
                "other_names": child_texts(el, "other_name"),
                "arm_labels": child_texts(el, "arm_group_label"),
            }
        )
    arms: list[Json] = []
    for i, el in enumerate(doc.all("arm_group")):
        f = fields(el)
        label = f.get("arm_group_label")
        if label is None:
            raise RecordError(f"{ROOT}/arm_group[{i}]/arm_group_label", "missing label")
        # The XML links arms and interventions on the intervention side only: the same
        # links, read from the arm, in intervention order.
        linked = [
            n for n, iv in zip(names, interventions, strict=True) if label in iv["arm_labels"]
        ]
        arms.append(
            {
                "label": label,
                "type": to_code(f.get("arm_group_type")),
                "description": f.get("description"),
                "intervention_names": list(dict.fromkeys(linked)),
            }
        )
    return arms, interventions


def _outcomes(doc: StudyDoc) -> list[Json]:
    outcomes: list[Json] = []
    for kind in ("primary", "secondary", "other"):
        for i, el in enumerate(doc.all(f"{kind}_outcome")):
            f = fields(el)
            if f.get("measure") is None:
                raise RecordError(f"{ROOT}/{kind}_outcome[{i}]/measure", "missing measure")
            outcomes.append(
                {
                    "kind": kind,
                    "measure": f["measure"],
                    "description": f.get("description"),
                    "time_frame": f.get("time_frame"),
                }
            )
    return outcomes


def _eligibility(doc: StudyDoc) -> Json:
    el = doc.el("eligibility")
    if el is None:
        return {}
    path = f"{ROOT}/eligibility"
    f = fields(el)
    minimum = parsed_age(f.get("minimum_age"), f"{path}/minimum_age")
    maximum = parsed_age(f.get("maximum_age"), f"{path}/maximum_age")
    return {
        "criteria_text": textblock(el.find("criteria")),
        "sex": to_code(f.get("gender"), SEX_CODES),
        "gender_based": yes_no(f.get("gender_based"), f"{path}/gender_based"),
        "gender_description": f.get("gender_description"),
        "minimum_age": minimum,
        "maximum_age": maximum,
        "std_ages": std_ages(minimum and minimum["text"], maximum and maximum["text"]),
        "healthy_volunteers": yes_no(
            f.get("healthy_volunteers"), f"{path}/healthy_volunteers", HEALTHY_VOLUNTEERS
        ),
        "study_population": textblock(el.find("study_pop")),
        "sampling_method": to_code(f.get("sampling_method")),
    }


def _location(el: Element) -> Json:
    facility = el.find("facility")
    address = fields(facility.find("address") if facility is not None else None)
    contacts = [_contact(c, "CONTACT") for c in el if c.tag in ("contact", "contact_backup")]
    contacts += [_contact(i, None) for i in el.findall("investigator")]
    return {
        "facility": child_text(facility, "name"),
        "status": to_code(child_text(el, "status")),
        "city": address.get("city"),
        "state": address.get("state"),
        "zip": address.get("zip"),
        "country": address.get("country"),
        "contacts": contacts,
    }


def _officials(doc: StudyDoc) -> list[Json]:
    officials: list[Json] = []
    for i, el in enumerate(doc.all("overall_official")):
        f = fields(el)
        name = _person(f)
        if name is None:
            raise RecordError(f"{ROOT}/overall_official[{i}]/last_name", "missing name")
        role = to_code(f.get("role"))
        officials.append({"name": name, "affiliation": f.get("affiliation"), "role": role})
    return officials


def _references(doc: StudyDoc) -> list[Json]:
    return [
        {"citation": f.get("citation"), "pmid": f.get("PMID"), "type": kind}
        for tag, kind in (("reference", "BACKGROUND"), ("results_reference", "RESULT"))
        for f in map(fields, doc.all(tag))
    ]


def _links(doc: StudyDoc) -> list[Json]:
    links: list[Json] = []
    for i, f in enumerate(map(fields, doc.all("link"))):
        if f.get("url") is None:
            raise RecordError(f"{ROOT}/link[{i}]/url", "link without a URL")
        links.append({"url": f["url"], "label": f.get("description")})
    return links


def _ipd_sharing(doc: StudyDoc) -> Json | None:
    el = doc.el("patient_data")
    if el is None:
        return None
    f = fields(el)
    return {
        "plan": to_code(f.get("sharing_ipd")),
        "description": f.get("ipd_description"),
        "info_types": [to_code(t, IPD_INFO_CODES) for t in child_texts(el, "ipd_info_type")],
        "time_frame": f.get("ipd_time_frame"),
        "access_criteria": f.get("ipd_access_criteria"),
        "url": f.get("ipd_url"),
    }


def _mesh(doc: StudyDoc, tag: str) -> list[Json]:
    return [{"term": t} for t in child_texts(doc.el(tag), "mesh_term")]


def normalize_xml(text: str) -> Study:
    """Map one legacy ``clinical_study`` XML document to a :class:`Study`.

    Raises :class:`RecordError` for a DOCTYPE/entity declaration, malformed XML, a root
    other than ``clinical_study`` and any unreadable value (named by element path).
    """
    doc = StudyDoc(parse_xml(text))
    oversight = fields(doc.el("oversight_info"))
    sponsors = _sponsors(doc)
    arms, interventions = _arms_interventions(doc)
    results = doc.el("clinical_results")
    contacts = doc.all("overall_contact") + doc.all("overall_contact_backup")
    study: Json = {
        "source_format": "ctgov_xml",
        "identification": _identification(doc, sponsors),
        "status": _status(doc),
        "sponsors": sponsors,
        "oversight": {
            key: yes_no(oversight.get(key), f"{ROOT}/oversight_info/{key}") for key in _OVERSIGHT
        },
        "brief_summary": textblock(doc.el("brief_summary")),
        "detailed_description": textblock(doc.el("detailed_description")),
        "conditions": doc.texts("condition"),
        "keywords": doc.texts("keyword"),
        "condition_mesh": _mesh(doc, "condition_browse"),
        "intervention_mesh": _mesh(doc, "intervention_browse"),
        "design": _design(doc),
        "arms": arms,
        "interventions": interventions,
        "outcomes": _outcomes(doc),
        "eligibility": _eligibility(doc),
        "central_contacts": [_contact(c, "CONTACT") for c in contacts],
        "overall_officials": _officials(doc),
        "locations": [_location(el) for el in doc.all("location")],
        "references": _references(doc),
        "see_also_links": _links(doc),
        "ipd_sharing": _ipd_sharing(doc),
        "has_results": results is not None,
        "results": map_results(results) if results is not None else None,
    }
    check_enumerations(study)
    try:
        return Study.model_validate(study)
    except ValidationError as exc:  # every value is checked above: a mapper bug if reached
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RecordError(where, f"{first['msg']} (model check on the normalized study)") from exc
