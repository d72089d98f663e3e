"""ClinicalTrials.gov API v2 study JSON → :class:`~trialatlas.model.study.Study`.

One pure function, :func:`normalize_v2`, over one API v2 study object
(``{"protocolSection": …, "derivedSection": …, "hasResults": …, "resultsSection": …}``).
Codes stay in v2 spelling, text is only stripped (the registry's own wording and
typos are kept), a value the record does not give stays ``None`` or empty. A value
of the wrong type raises :class:`~trialatlas.normalize.values.RecordError` whose
``field`` is the path from the study root, e.g. ``protocolSection.designModule.phases``.

Written for bulk ingest: one pass over each registry object, no copies of the input,
and the study is built as a plain dict tree validated by pydantic in a single call
(about a third cheaper than a constructor per part; see ``ctgov_v2_results``).
Dates and ages are memoized by their text, since the same values recur in every study.
The status module and the memoized dates and ages are in :mod:`.ctgov_v2_dates`,
contacts and sites in :mod:`.ctgov_v2_sites`, the results in :mod:`.ctgov_v2_results`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from trialatlas.model.study import Study
from trialatlas.normalize.ctgov_v2_dates import DATE_TYPES, parsed_age, status_tree
from trialatlas.normalize.ctgov_v2_fields import Tree, dict_list, texts
from trialatlas.normalize.ctgov_v2_results import results_tree
from trialatlas.normalize.ctgov_v2_sites import contacts_tree, locations_tree
from trialatlas.normalize.enumerations import check_enumerations
from trialatlas.normalize.values import (
    RecordError,
    check_nct_id,
    get_bool,
    get_dict,
    get_int,
    get_str,
    get_str_list,
)

_PS = "protocolSection"

# registry key → model field, for the text fields of each registry object
_IDENT = {"briefTitle": "brief_title", "officialTitle": "official_title", "acronym": "acronym"}
_SECONDARY_ID = {"id": "id", "type": "type", "domain": "domain", "link": "link"}
_RESPONSIBLE = {
    "type": "type",
    "investigatorFullName": "investigator_full_name",
    "investigatorTitle": "investigator_title",
    "investigatorAffiliation": "investigator_affiliation",
    "oldNameTitle": "old_name_title",
    "oldOrganization": "old_organization",
}
_OVERSIGHT = {
    "oversightHasDmc": "has_dmc",
    "isFdaRegulatedDrug": "is_fda_regulated_drug",
    "isFdaRegulatedDevice": "is_fda_regulated_device",
    "isUnapprovedDevice": "is_unapproved_device",
    "isUsExport": "is_us_export",
}
_DESIGN_INFO = {
    "allocation": "allocation",
    "interventionModel": "intervention_model",
    "interventionModelDescription": "intervention_model_description",
    "primaryPurpose": "primary_purpose",
    "observationalModel": "observational_model",
    "timePerspective": "time_perspective",
}
_MASKING = {"masking": "masking", "maskingDescription": "masking_description"}
_ARM = {"label": "label", "type": "type", "description": "description"}
_INTERVENTION = {"name": "name", "type": "type", "description": "description"}
_OUTCOME = {"measure": "measure", "description": "description", "timeFrame": "time_frame"}
_OUTCOME_KINDS = {
    "primaryOutcomes": "primary",
    "secondaryOutcomes": "secondary",
    "otherOutcomes": "other",
}
_ELIGIBILITY = {
    "eligibilityCriteria": "criteria_text",
    "sex": "sex",
    "genderDescription": "gender_description",
    "studyPopulation": "study_population",
    "samplingMethod": "sampling_method",
}
_OFFICIAL = {"name": "name", "affiliation": "affiliation", "role": "role"}
_REFERENCE = {"citation": "citation", "pmid": "pmid", "type": "type"}
_LINK = {"url": "url", "label": "label"}
_IPD = {
    "ipdSharing": "plan",
    "description": "description",
    "timeFrame": "time_frame",
    "accessCriteria": "access_criteria",
    "url": "url",
}
_MESH = {"term": "term", "id": "id"}


def _bools(obj: dict[str, Any], path: str, fields: dict[str, str]) -> Tree:
    """The true/false fields of ``obj`` (checked by :func:`get_bool`), absent ones left out."""
    return {name: get_bool(obj, key, path) for key, name in fields.items() if key in obj}


def _organization(obj: dict[str, Any], key: str, path: str, name_key: str) -> Tree | None:
    org = get_dict(obj, key, path)
    if not org:
        return None
    return texts(org, {name_key: "name", "class": "org_class"}, f"{path}.{key}", name_key)


def _identification(mod: dict[str, Any], path: str) -> Tree:
    out = texts(mod, _IDENT, path)
    out["nct_id"] = check_nct_id(mod.get("nctId"), f"{path}.nctId")
    org_id = get_dict(mod, "orgStudyIdInfo", path)
    if org_id:
        org_path = f"{path}.orgStudyIdInfo"
        out["org_study_id"] = get_str(org_id, "id", org_path)
        out["org_study_id_type"] = get_str(org_id, "type", org_path)
    out["organization"] = _organization(mod, "organization", path, "fullName")
    out["secondary_ids"] = [
        texts(s, _SECONDARY_ID, p, "id") for s, p in dict_list(mod, "secondaryIdInfos", path)
    ]
    out["nct_id_aliases"] = get_str_list(mod, "nctIdAliases", path)
    return out


def _sponsors(mod: dict[str, Any], path: str) -> Tree:
    rp = get_dict(mod, "responsibleParty", path)
    return {
        "lead_sponsor": _organization(mod, "leadSponsor", path, "name"),
        "collaborators": [
            texts(c, {"name": "name", "class": "org_class"}, p, "name")
            for c, p in dict_list(mod, "collaborators", path)
        ],
        "responsible_party": texts(rp, _RESPONSIBLE, f"{path}.responsibleParty") if rp else None,
    }


def _design(mod: dict[str, Any], path: str) -> Tree:
    info_path = f"{path}.designInfo"
    info = get_dict(mod, "designInfo", path)
    out = texts(info, _DESIGN_INFO, info_path)
    masking = get_dict(info, "maskingInfo", info_path)
    if masking:
        mask_path = f"{info_path}.maskingInfo"
        out.update(texts(masking, _MASKING, mask_path))
        out["who_masked"] = get_str_list(masking, "whoMasked", mask_path)
    enrollment = get_dict(mod, "enrollmentInfo", path)
    if enrollment:
        ep = f"{path}.enrollmentInfo"
        kind = get_str(enrollment, "type", ep)
        if kind is not None and kind not in DATE_TYPES:
            raise RecordError(f"{ep}.type", f"unknown enrollment type {kind!r}")
        out["enrollment_type"] = kind
        out["enrollment_count"] = get_int(enrollment, "count", ep)
    out["study_type"] = get_str(mod, "studyType", path)
    out["phases"] = get_str_list(mod, "phases", path)
    out["target_duration"] = get_str(mod, "targetDuration", path)
    out["patient_registry"] = get_bool(mod, "patientRegistry", path)
    return out


def _arms(mod: dict[str, Any], path: str) -> list[Tree]:
    arms = []
    for a, p in dict_list(mod, "armGroups", path):
        arm = texts(a, _ARM, p, "label")
        arm["intervention_names"] = get_str_list(a, "interventionNames", p)
        arms.append(arm)
    return arms


def _interventions(mod: dict[str, Any], path: str) -> list[Tree]:
    interventions = []
    for i, p in dict_list(mod, "interventions", path):
        intervention = texts(i, _INTERVENTION, p, "name")
        intervention["other_names"] = get_str_list(i, "otherNames", p)
        intervention["arm_labels"] = get_str_list(i, "armGroupLabels", p)
        interventions.append(intervention)
    return interventions


def _outcomes(mod: dict[str, Any], path: str) -> list[Tree]:
    outcomes = []
    for key, kind in _OUTCOME_KINDS.items():
        for o, p in dict_list(mod, key, path):
            outcome = texts(o, _OUTCOME, p, "measure")
            outcome["kind"] = kind
            outcomes.append(outcome)
    return outcomes


def _eligibility(mod: dict[str, Any], path: str) -> Tree:
    out = texts(mod, _ELIGIBILITY, path)
    out["gender_based"] = get_bool(mod, "genderBased", path)
    out["minimum_age"] = parsed_age(mod.get("minimumAge"), f"{path}.minimumAge")
    out["maximum_age"] = parsed_age(mod.get("maximumAge"), f"{path}.maximumAge")
    out["std_ages"] = get_str_list(mod, "stdAges", path)
    out["healthy_volunteers"] = get_bool(mod, "healthyVolunteers", path)
    return out


def _ipd(mod: dict[str, Any], path: str) -> Tree | None:
    if not mod:
        return None
    out = texts(mod, _IPD, path)
    out["info_types"] = get_str_list(mod, "infoTypes", path)
    return out


def _mesh(derived: dict[str, Any], key: str) -> list[Tree]:
    browse = get_dict(derived, key, "derivedSection")
    if not browse:
        return []
    path = f"derivedSection.{key}"
    return [texts(m, _MESH, p, "term") for m, p in dict_list(browse, "meshes", path)]


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    """A top-level section of the study object (its field path is just ``key``)."""
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
    return validate_study(v2_tree(data))


def validate_study(tree: Tree) -> Study:
    """The study of a :func:`v2_tree` (validated by the model in one call)."""
    try:
        return Study.model_validate(tree)
    except ValidationError as exc:  # every value is checked by the mapper: a mapper bug
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RecordError(where, f"{first['msg']} (model check on the normalized study)") from exc


def v2_tree(data: dict[str, Any]) -> Tree:
    """One API v2 study object → the :class:`Study` fields as plain dicts and lists.

    Every value is already checked and in the model's type, so the tree serializes
    (``orjson``) to a document equal in meaning to the validated study's; ingest
    uses that to skip a second serialization. Raises :class:`RecordError` like
    :func:`normalize_v2`.
    """
    if not isinstance(data, dict):
        raise RecordError("study", f"expected an object, got {type(data).__name__}")
    ps = _section(data, _PS)

    def module(name: str) -> tuple[dict[str, Any], str]:
        return get_dict(ps, name, _PS), f"{_PS}.{name}"

    ident = _identification(*module("identificationModule"))
    description, description_path = module("descriptionModule")
    conditions, conditions_path = module("conditionsModule")
    arms, arms_path = module("armsInterventionsModule")
    contacts, contacts_path = module("contactsLocationsModule")
    refs, refs_path = module("referencesModule")
    derived = _section(data, "derivedSection")
    results = _section(data, "resultsSection")
    has_results = data.get("hasResults")
    if has_results is not None and not isinstance(has_results, bool):
        raise RecordError("hasResults", f"expected true/false, got {type(has_results).__name__}")

    tree: Tree = {
        "source_format": "ctgov_v2",
        "identification": ident,
        "status": status_tree(*module("statusModule")),
        "sponsors": _sponsors(*module("sponsorCollaboratorsModule")),
        "oversight": _bools(*module("oversightModule"), _OVERSIGHT),
        "brief_summary": get_str(description, "briefSummary", description_path),
        "detailed_description": get_str(description, "detailedDescription", description_path),
        "conditions": get_str_list(conditions, "conditions", conditions_path),
        "keywords": get_str_list(conditions, "keywords", conditions_path),
        "condition_mesh": _mesh(derived, "conditionBrowseModule"),
        "intervention_mesh": _mesh(derived, "interventionBrowseModule"),
        "design": _design(*module("designModule")),
        "arms": _arms(arms, arms_path),
        "interventions": _interventions(arms, arms_path),
        "outcomes": _outcomes(*module("outcomesModule")),
        "eligibility": _eligibility(*module("eligibilityModule")),
        "central_contacts": contacts_tree(contacts, "centralContacts", contacts_path),
        "overall_officials": [
            texts(o, _OFFICIAL, p, "name")
            for o, p in dict_list(contacts, "overallOfficials", contacts_path)
        ],
        "locations": locations_tree(contacts, contacts_path),
        "references": [
            texts(r, _REFERENCE, p) for r, p in dict_list(refs, "references", refs_path)
        ],
        "see_also_links": [
            texts(link, _LINK, p, "url") for link, p in dict_list(refs, "seeAlsoLinks", refs_path)
        ],
        "ipd_sharing": _ipd(*module("ipdSharingStatementModule")),
        "has_results": has_results if has_results is not None else bool(results),
        "results": results_tree(results),
    }
    check_enumerations(tree)
    return tree
