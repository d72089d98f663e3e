"""ClinicalTrials.gov API v2 study JSON → :class:`~trialatlas.model.study.Study`.

One pure function, :func:`normalize_v2`, over one API v2 study object
(``{"protocolSection": …, "derivedSection": …, "hasResults": …, "resultsSection": …}``).
Codes stay in v2 spelling, text is only stripped (the registry's own wording and
typos are kept), a value the record does not give stays ``None`` or empty. A value
of the wrong type raises :class:`~trialatlas.normalize.values.RecordError` whose
``field`` is the path from the study root, e.g. ``protocolSection.designModule.phases``.

Written for bulk ingest: one pass over each module, no copies of the input.
"""

from __future__ import annotations

from typing import Any

from trialatlas.model.study import (
    Arm,
    Contact,
    Design,
    Eligibility,
    GeoPoint,
    Identification,
    Intervention,
    IpdSharing,
    Link,
    Location,
    MeshTerm,
    Official,
    Organization,
    Outcome,
    Oversight,
    PartialDate,
    Reference,
    ResponsibleParty,
    SecondaryId,
    Sponsors,
    Status,
    Study,
)
from trialatlas.normalize.ctgov_v2_results import (
    dict_list,
    get_float,
    normalize_v2_results,
    require_str,
)
from trialatlas.normalize.values import (
    RecordError,
    check_nct_id,
    get_bool,
    get_dict,
    get_int,
    get_str,
    get_str_list,
    parse_age,
    parse_partial_date,
)

_PS = "protocolSection"
_DATE_TYPES = frozenset({"ACTUAL", "ESTIMATED"})


def _organization(obj: dict[str, Any], key: str, path: str, name_key: str) -> Organization | None:
    org = get_dict(obj, key, path)
    if not org:
        return None
    p = f"{path}.{key}"
    return Organization(name=require_str(org, name_key, p), org_class=get_str(org, "class", p))


def _identification(mod: dict[str, Any], path: str) -> Identification:
    org_id = get_dict(mod, "orgStudyIdInfo", path)
    org_path = f"{path}.orgStudyIdInfo"
    return Identification(
        nct_id=check_nct_id(mod.get("nctId"), f"{path}.nctId"),
        brief_title=get_str(mod, "briefTitle", path),
        official_title=get_str(mod, "officialTitle", path),
        acronym=get_str(mod, "acronym", path),
        org_study_id=get_str(org_id, "id", org_path),
        org_study_id_type=get_str(org_id, "type", org_path),
        organization=_organization(mod, "organization", path, "fullName"),
        secondary_ids=[
            SecondaryId(
                id=require_str(s, "id", p),
                type=get_str(s, "type", p),
                domain=get_str(s, "domain", p),
                link=get_str(s, "link", p),
            )
            for s, p in dict_list(mod, "secondaryIdInfos", path)
        ],
        nct_id_aliases=get_str_list(mod, "nctIdAliases", path),
    )


def _date_struct(mod: dict[str, Any], key: str, path: str) -> PartialDate | None:
    """``{"date": "2023-11", "type": "ESTIMATED"}`` → PartialDate with its type."""
    struct = get_dict(mod, key, path)
    if not struct:
        return None
    p = f"{path}.{key}"
    kind = get_str(struct, "type", p)
    if kind is not None and kind not in _DATE_TYPES:
        raise RecordError(f"{p}.type", f"unknown date type {kind!r} (ACTUAL or ESTIMATED)")
    return parse_partial_date(struct.get("date"), f"{p}.date", kind)


def _status(mod: dict[str, Any], path: str) -> Status:
    access = get_dict(mod, "expandedAccessInfo", path)
    return Status(
        overall_status=get_str(mod, "overallStatus", path),
        last_known_status=get_str(mod, "lastKnownStatus", path),
        why_stopped=get_str(mod, "whyStopped", path),
        status_verified_date=parse_partial_date(
            mod.get("statusVerifiedDate"), f"{path}.statusVerifiedDate"
        ),
        start_date=_date_struct(mod, "startDateStruct", path),
        primary_completion_date=_date_struct(mod, "primaryCompletionDateStruct", path),
        completion_date=_date_struct(mod, "completionDateStruct", path),
        first_submitted=parse_partial_date(
            mod.get("studyFirstSubmitDate"), f"{path}.studyFirstSubmitDate"
        ),
        first_posted=_date_struct(mod, "studyFirstPostDateStruct", path),
        results_first_posted=_date_struct(mod, "resultsFirstPostDateStruct", path),
        last_update_submitted=parse_partial_date(
            mod.get("lastUpdateSubmitDate"), f"{path}.lastUpdateSubmitDate"
        ),
        last_update_posted=_date_struct(mod, "lastUpdatePostDateStruct", path),
        has_expanded_access=get_bool(access, "hasExpandedAccess", f"{path}.expandedAccessInfo"),
    )


def _sponsors(mod: dict[str, Any], path: str) -> Sponsors:
    rp = get_dict(mod, "responsibleParty", path)
    rpp = f"{path}.responsibleParty"
    return Sponsors(
        lead_sponsor=_organization(mod, "leadSponsor", path, "name"),
        collaborators=[
            Organization(name=require_str(c, "name", p), org_class=get_str(c, "class", p))
            for c, p in dict_list(mod, "collaborators", path)
        ],
        responsible_party=ResponsibleParty(
            type=get_str(rp, "type", rpp),
            investigator_full_name=get_str(rp, "investigatorFullName", rpp),
            investigator_title=get_str(rp, "investigatorTitle", rpp),
            investigator_affiliation=get_str(rp, "investigatorAffiliation", rpp),
            old_name_title=get_str(rp, "oldNameTitle", rpp),
            old_organization=get_str(rp, "oldOrganization", rpp),
        )
        if rp
        else None,
    )


def _oversight(mod: dict[str, Any], path: str) -> Oversight:
    return Oversight(
        has_dmc=get_bool(mod, "oversightHasDmc", path),
        is_fda_regulated_drug=get_bool(mod, "isFdaRegulatedDrug", path),
        is_fda_regulated_device=get_bool(mod, "isFdaRegulatedDevice", path),
        is_unapproved_device=get_bool(mod, "isUnapprovedDevice", path),
        is_us_export=get_bool(mod, "isUsExport", path),
    )


def _design(mod: dict[str, Any], path: str) -> Design:
    info = get_dict(mod, "designInfo", path)
    ip = f"{path}.designInfo"
    masking = get_dict(info, "maskingInfo", ip)
    mp = f"{ip}.maskingInfo"
    enrollment = get_dict(mod, "enrollmentInfo", path)
    ep = f"{path}.enrollmentInfo"
    enrollment_type = get_str(enrollment, "type", ep)
    if enrollment_type is not None and enrollment_type not in _DATE_TYPES:
        raise RecordError(f"{ep}.type", f"unknown enrollment type {enrollment_type!r}")
    return Design(
        study_type=get_str(mod, "studyType", path),
        phases=get_str_list(mod, "phases", path),
        allocation=get_str(info, "allocation", ip),
        intervention_model=get_str(info, "interventionModel", ip),
        intervention_model_description=get_str(info, "interventionModelDescription", ip),
        primary_purpose=get_str(info, "primaryPurpose", ip),
        observational_model=get_str(info, "observationalModel", ip),
        time_perspective=get_str(info, "timePerspective", ip),
        masking=get_str(masking, "masking", mp),
        who_masked=get_str_list(masking, "whoMasked", mp),
        masking_description=get_str(masking, "maskingDescription", mp),
        enrollment_count=get_int(enrollment, "count", ep),
        enrollment_type=enrollment_type,  # type: ignore[arg-type]  # checked above
        target_duration=get_str(mod, "targetDuration", path),
        patient_registry=get_bool(mod, "patientRegistry", path),
    )


def _arms(mod: dict[str, Any], path: str) -> list[Arm]:
    return [
        Arm(
            label=require_str(a, "label", p),
            type=get_str(a, "type", p),
            description=get_str(a, "description", p),
            intervention_names=get_str_list(a, "interventionNames", p),
        )
        for a, p in dict_list(mod, "armGroups", path)
    ]


def _interventions(mod: dict[str, Any], path: str) -> list[Intervention]:
    return [
        Intervention(
            name=require_str(i, "name", p),
            type=get_str(i, "type", p),
            description=get_str(i, "description", p),
            other_names=get_str_list(i, "otherNames", p),
            arm_labels=get_str_list(i, "armGroupLabels", p),
        )
        for i, p in dict_list(mod, "interventions", path)
    ]


_OUTCOME_KINDS = (
    ("primaryOutcomes", "primary"),
    ("secondaryOutcomes", "secondary"),
    ("otherOutcomes", "other"),
)


def _outcomes(mod: dict[str, Any], path: str) -> list[Outcome]:
    return [
        Outcome(
            kind=kind,  # type: ignore[arg-type]  # one of the literals above
            measure=require_str(o, "measure", p),
            description=get_str(o, "description", p),
            time_frame=get_str(o, "timeFrame", p),
        )
        for key, kind in _OUTCOME_KINDS
        for o, p in dict_list(mod, key, path)
    ]


def _eligibility(mod: dict[str, Any], path: str) -> Eligibility:
    return Eligibility(
        criteria_text=get_str(mod, "eligibilityCriteria", path),
        sex=get_str(mod, "sex", path),
        gender_based=get_bool(mod, "genderBased", path),
        gender_description=get_str(mod, "genderDescription", path),
        minimum_age=parse_age(mod.get("minimumAge"), f"{path}.minimumAge"),
        maximum_age=parse_age(mod.get("maximumAge"), f"{path}.maximumAge"),
        std_ages=get_str_list(mod, "stdAges", path),
        healthy_volunteers=get_bool(mod, "healthyVolunteers", path),
        study_population=get_str(mod, "studyPopulation", path),
        sampling_method=get_str(mod, "samplingMethod", path),
    )


def _contacts(obj: dict[str, Any], key: str, path: str) -> list[Contact]:
    return [
        Contact(
            name=get_str(c, "name", p),
            role=get_str(c, "role", p),
            phone=get_str(c, "phone", p),
            phone_ext=get_str(c, "phoneExt", p),
            email=get_str(c, "email", p),
        )
        for c, p in dict_list(obj, key, path)
    ]


def _geo(loc: dict[str, Any], path: str) -> GeoPoint | None:
    point = get_dict(loc, "geoPoint", path)
    if not point:
        return None
    p = f"{path}.geoPoint"
    lat = get_float(point, "lat", p)
    lon = get_float(point, "lon", p)
    if lat is None or lon is None:
        raise RecordError(p, "geoPoint needs both lat and lon")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise RecordError(p, f"coordinates out of range: lat {lat}, lon {lon}")
    return GeoPoint(lat=lat, lon=lon, precision="site")


def _locations(mod: dict[str, Any], path: str) -> list[Location]:
    return [
        Location(
            facility=get_str(loc, "facility", p),
            status=get_str(loc, "status", p),
            city=get_str(loc, "city", p),
            state=get_str(loc, "state", p),
            zip=get_str(loc, "zip", p),
            country=get_str(loc, "country", p),
            geo=_geo(loc, p),
            contacts=_contacts(loc, "contacts", p),
        )
        for loc, p in dict_list(mod, "locations", path)
    ]


def _officials(mod: dict[str, Any], path: str) -> list[Official]:
    return [
        Official(
            name=require_str(o, "name", p),
            affiliation=get_str(o, "affiliation", p),
            role=get_str(o, "role", p),
        )
        for o, p in dict_list(mod, "overallOfficials", path)
    ]


def _references(mod: dict[str, Any], path: str) -> list[Reference]:
    return [
        Reference(
            citation=get_str(r, "citation", p),
            pmid=get_str(r, "pmid", p),
            type=get_str(r, "type", p),
        )
        for r, p in dict_list(mod, "references", path)
    ]


def _links(mod: dict[str, Any], path: str) -> list[Link]:
    return [
        Link(url=require_str(link, "url", p), label=get_str(link, "label", p))
        for link, p in dict_list(mod, "seeAlsoLinks", path)
    ]


def _ipd(mod: dict[str, Any], path: str) -> IpdSharing | None:
    if not mod:
        return None
    return IpdSharing(
        plan=get_str(mod, "ipdSharing", path),
        description=get_str(mod, "description", path),
        info_types=get_str_list(mod, "infoTypes", path),
        time_frame=get_str(mod, "timeFrame", path),
        access_criteria=get_str(mod, "accessCriteria", path),
        url=get_str(mod, "url", path),
    )


def _mesh(derived: dict[str, Any], key: str) -> list[MeshTerm]:
    path = f"derivedSection.{key}"
    return [
        MeshTerm(term=require_str(m, "term", p), id=get_str(m, "id", p))
        for m, p in dict_list(get_dict(derived, key, "derivedSection"), "meshes", path)
    ]


def _top(data: dict[str, Any], key: str) -> dict[str, Any]:
    """A top-level section of the study object (its path is just ``key``)."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(key, f"expected an object, got {type(value).__name__}")
    return value


def normalize_v2(data: dict[str, Any]) -> Study:
    """Map one ClinicalTrials.gov API v2 study object onto :class:`Study`.

    Raises :class:`RecordError` naming the field (path from the study root) when
    ``nctId`` is missing or malformed or a value has the wrong type or form.
    """
    if not isinstance(data, dict):
        raise RecordError("study", f"expected an object, got {type(data).__name__}")
    ps = _top(data, _PS)

    def module(name: str) -> tuple[dict[str, Any], str]:
        return get_dict(ps, name, _PS), f"{_PS}.{name}"

    ident, ident_path = module("identificationModule")
    status, status_path = module("statusModule")
    sponsors, sponsors_path = module("sponsorCollaboratorsModule")
    oversight, oversight_path = module("oversightModule")
    description, description_path = module("descriptionModule")
    conditions, conditions_path = module("conditionsModule")
    design, design_path = module("designModule")
    arms, arms_path = module("armsInterventionsModule")
    outcomes, outcomes_path = module("outcomesModule")
    eligibility, eligibility_path = module("eligibilityModule")
    contacts, contacts_path = module("contactsLocationsModule")
    refs, refs_path = module("referencesModule")
    ipd, ipd_path = module("ipdSharingStatementModule")
    derived = _top(data, "derivedSection")
    results_section = _top(data, "resultsSection")
    has_results = data.get("hasResults")
    if has_results is not None and not isinstance(has_results, bool):
        raise RecordError("hasResults", f"expected true/false, got {type(has_results).__name__}")

    return Study(
        source_format="ctgov_v2",
        identification=_identification(ident, ident_path),
        status=_status(status, status_path),
        sponsors=_sponsors(sponsors, sponsors_path),
        oversight=_oversight(oversight, oversight_path),
        brief_summary=get_str(description, "briefSummary", description_path),
        detailed_description=get_str(description, "detailedDescription", description_path),
        conditions=get_str_list(conditions, "conditions", conditions_path),
        keywords=get_str_list(conditions, "keywords", conditions_path),
        condition_mesh=_mesh(derived, "conditionBrowseModule"),
        intervention_mesh=_mesh(derived, "interventionBrowseModule"),
        design=_design(design, design_path),
        arms=_arms(arms, arms_path),
        interventions=_interventions(arms, arms_path),
        outcomes=_outcomes(outcomes, outcomes_path),
        eligibility=_eligibility(eligibility, eligibility_path),
        central_contacts=_contacts(contacts, "centralContacts", contacts_path),
        overall_officials=_officials(contacts, contacts_path),
        locations=_locations(contacts, contacts_path),
        references=_references(refs, refs_path),
        see_also_links=_links(refs, refs_path),
        ipd_sharing=_ipd(ipd, ipd_path),
        has_results=has_results if has_results is not None else bool(results_section),
        results=normalize_v2_results(results_section),
    )
