"""Normalized :class:`~trialatlas.model.study.Study` → ClinicalTrials.gov API v2 study JSON.

The inverse of :func:`trialatlas.normalize.ctgov_v2.normalize_v2` for every field the
model keeps, so ``normalize_v2(study_to_v2(s))`` gives ``s`` back for a study that came
from API v2 JSON. Used to serve records that came from the legacy XML in the shape
API v2 clients expect (records that came from API v2 are served as stored).

Pure functions, no I/O. A value the model does not hold is left out (API v2 omits
absent fields too); nothing is invented. Dates are written in ISO form with the
precision the record gave (``2023-11`` stays a month).
"""

from __future__ import annotations

from typing import Any

from trialatlas.api.ctgov_v2.convert_results import results_section
from trialatlas.model.study import (
    Arm,
    Contact,
    Intervention,
    Location,
    MeshTerm,
    Organization,
    PartialDate,
    Study,
)

Json = dict[str, Any]


def compact(pairs: dict[str, Any]) -> Json:
    """``pairs`` without the absent values (None, empty text, lists and objects)."""
    return {k: v for k, v in pairs.items() if v is not None and v != [] and v != {} and v != ""}


def _date(value: PartialDate | None) -> str | None:
    return value.value if value else None


def _date_struct(value: PartialDate | None) -> Json | None:
    if value is None:
        return None
    return compact({"date": value.value, "type": value.type})


def _org(org: Organization | None, name_key: str = "name") -> Json | None:
    return compact({name_key: org.name, "class": org.org_class}) if org else None


def _identification(study: Study) -> Json:
    ident = study.identification
    org_id = compact({"id": ident.org_study_id, "type": ident.org_study_id_type})
    return compact(
        {
            "nctId": ident.nct_id,
            "nctIdAliases": ident.nct_id_aliases,
            "orgStudyIdInfo": org_id,
            "secondaryIdInfos": [
                compact({"id": s.id, "type": s.type, "domain": s.domain, "link": s.link})
                for s in ident.secondary_ids
            ],
            "organization": _org(ident.organization, "fullName"),
            "briefTitle": ident.brief_title,
            "officialTitle": ident.official_title,
            "acronym": ident.acronym,
        }
    )


def _status(study: Study) -> Json:
    s = study.status
    access = compact({"hasExpandedAccess": s.has_expanded_access})
    return compact(
        {
            "statusVerifiedDate": _date(s.status_verified_date),
            "overallStatus": s.overall_status,
            "lastKnownStatus": s.last_known_status,
            "whyStopped": s.why_stopped,
            "expandedAccessInfo": access,
            "startDateStruct": _date_struct(s.start_date),
            "primaryCompletionDateStruct": _date_struct(s.primary_completion_date),
            "completionDateStruct": _date_struct(s.completion_date),
            "studyFirstSubmitDate": _date(s.first_submitted),
            "studyFirstPostDateStruct": _date_struct(s.first_posted),
            "resultsFirstPostDateStruct": _date_struct(s.results_first_posted),
            "lastUpdateSubmitDate": _date(s.last_update_submitted),
            "lastUpdatePostDateStruct": _date_struct(s.last_update_posted),
        }
    )


def _sponsors(study: Study) -> Json:
    sp = study.sponsors
    rp = sp.responsible_party
    party = (
        compact(
            {
                "type": rp.type,
                "investigatorFullName": rp.investigator_full_name,
                "investigatorTitle": rp.investigator_title,
                "investigatorAffiliation": rp.investigator_affiliation,
                "oldNameTitle": rp.old_name_title,
                "oldOrganization": rp.old_organization,
            }
        )
        if rp
        else None
    )
    return compact(
        {
            "responsibleParty": party,
            "leadSponsor": _org(sp.lead_sponsor),
            "collaborators": [_org(c) for c in sp.collaborators],
        }
    )


def _oversight(study: Study) -> Json:
    o = study.oversight
    return compact(
        {
            "oversightHasDmc": o.has_dmc,
            "isFdaRegulatedDrug": o.is_fda_regulated_drug,
            "isFdaRegulatedDevice": o.is_fda_regulated_device,
            "isUnapprovedDevice": o.is_unapproved_device,
            "isUsExport": o.is_us_export,
        }
    )


def _design(study: Study) -> Json:
    d = study.design
    masking = compact(
        {
            "masking": d.masking,
            "maskingDescription": d.masking_description,
            "whoMasked": d.who_masked,
        }
    )
    info = compact(
        {
            "allocation": d.allocation,
            "interventionModel": d.intervention_model,
            "interventionModelDescription": d.intervention_model_description,
            "primaryPurpose": d.primary_purpose,
            "observationalModel": d.observational_model,
            "timePerspective": d.time_perspective,
            "maskingInfo": masking,
        }
    )
    return compact(
        {
            "studyType": d.study_type,
            "patientRegistry": d.patient_registry,
            "targetDuration": d.target_duration,
            "phases": d.phases,
            "designInfo": info,
            "enrollmentInfo": compact({"count": d.enrollment_count, "type": d.enrollment_type}),
        }
    )


def _arm(arm: Arm) -> Json:
    return compact(
        {
            "label": arm.label,
            "type": arm.type,
            "description": arm.description,
            "interventionNames": arm.intervention_names,
        }
    )


def _intervention(iv: Intervention) -> Json:
    return compact(
        {
            "type": iv.type,
            "name": iv.name,
            "description": iv.description,
            "armGroupLabels": iv.arm_labels,
            "otherNames": iv.other_names,
        }
    )


_OUTCOME_KEYS = {
    "primary": "primaryOutcomes",
    "secondary": "secondaryOutcomes",
    "other": "otherOutcomes",
}


def _outcomes(study: Study) -> Json:
    out: dict[str, list[Json]] = {}
    for o in study.outcomes:
        item = compact(
            {"measure": o.measure, "description": o.description, "timeFrame": o.time_frame}
        )
        out.setdefault(_OUTCOME_KEYS[o.kind], []).append(item)
    return {key: out[key] for key in _OUTCOME_KEYS.values() if key in out}


def _eligibility(study: Study) -> Json:
    e = study.eligibility
    return compact(
        {
            "eligibilityCriteria": e.criteria_text,
            "healthyVolunteers": e.healthy_volunteers,
            "sex": e.sex,
            "genderBased": e.gender_based,
            "genderDescription": e.gender_description,
            "minimumAge": e.minimum_age.text if e.minimum_age else None,
            "maximumAge": e.maximum_age.text if e.maximum_age else None,
            "stdAges": e.std_ages,
            "studyPopulation": e.study_population,
            "samplingMethod": e.sampling_method,
        }
    )


def _contact(c: Contact) -> Json:
    return compact(
        {
            "name": c.name,
            "role": c.role,
            "phone": c.phone,
            "phoneExt": c.phone_ext,
            "email": c.email,
        }
    )


def _location(loc: Location) -> Json:
    geo = {"lat": loc.geo.lat, "lon": loc.geo.lon} if loc.geo else None
    return compact(
        {
            "facility": loc.facility,
            "status": loc.status,
            "city": loc.city,
            "state": loc.state,
            "zip": loc.zip,
            "country": loc.country,
            "contacts": [_contact(c) for c in loc.contacts],
            "geoPoint": geo,
        }
    )


def _contacts_locations(study: Study) -> Json:
    return compact(
        {
            "centralContacts": [_contact(c) for c in study.central_contacts],
            "overallOfficials": [
                compact({"name": o.name, "affiliation": o.affiliation, "role": o.role})
                for o in study.overall_officials
            ],
            "locations": [_location(loc) for loc in study.locations],
        }
    )


def _references(study: Study) -> Json:
    return compact(
        {
            "references": [
                compact({"pmid": r.pmid, "type": r.type, "citation": r.citation})
                for r in study.references
            ],
            "seeAlsoLinks": [
                compact({"label": x.label, "url": x.url}) for x in study.see_also_links
            ],
        }
    )


def _ipd(study: Study) -> Json:
    ipd = study.ipd_sharing
    if ipd is None:
        return {}
    return compact(
        {
            "ipdSharing": ipd.plan,
            "description": ipd.description,
            "infoTypes": ipd.info_types,
            "timeFrame": ipd.time_frame,
            "accessCriteria": ipd.access_criteria,
            "url": ipd.url,
        }
    )


def _meshes(terms: list[MeshTerm]) -> Json:
    return compact({"meshes": [compact({"id": m.id, "term": m.term}) for m in terms]})


def protocol_section(study: Study) -> Json:
    """The ``protocolSection`` of the study: one object per registry module."""
    return compact(
        {
            "identificationModule": _identification(study),
            "statusModule": _status(study),
            "sponsorCollaboratorsModule": _sponsors(study),
            "oversightModule": _oversight(study),
            "descriptionModule": compact(
                {
                    "briefSummary": study.brief_summary,
                    "detailedDescription": study.detailed_description,
                }
            ),
            "conditionsModule": compact(
                {"conditions": study.conditions, "keywords": study.keywords}
            ),
            "designModule": _design(study),
            "armsInterventionsModule": compact(
                {
                    "armGroups": [_arm(a) for a in study.arms],
                    "interventions": [_intervention(i) for i in study.interventions],
                }
            ),
            "outcomesModule": _outcomes(study),
            "eligibilityModule": _eligibility(study),
            "contactsLocationsModule": _contacts_locations(study),
            "referencesModule": _references(study),
            "ipdSharingStatementModule": _ipd(study),
        }
    )


def study_to_v2(study: Study) -> Json:
    """The API v2 study object for ``study``: ``protocolSection``, ``resultsSection``
    (when results are posted), ``derivedSection`` (MeSH terms) and ``hasResults``."""
    out: Json = {"protocolSection": protocol_section(study)}
    results = results_section(study.results) if study.results else {}
    if results:
        out["resultsSection"] = results
    derived = compact(
        {
            "conditionBrowseModule": _meshes(study.condition_mesh),
            "interventionBrowseModule": _meshes(study.intervention_mesh),
        }
    )
    if derived:
        out["derivedSection"] = derived
    out["hasResults"] = study.has_results
    return out
