"""The ``fields`` parameter: which parts of each study object to return.

Like the ClinicalTrials.gov API v2, every item is a section or module name
(``ProtocolSection``, ``IdentificationModule`` or ``protocolSection.identificationModule``),
a piece name (``NCTId``, ``BriefTitle``, ``OverallStatus``, ``LocationCity`` …) or a
dotted field path (``protocolSection.statusModule.overallStatus``). A branch returns all
its descendants; inside lists the selection applies to every item
(``LocationCity`` → ``locations: [{"city": …}, …]``). Names are matched case-insensitively.
"""

from __future__ import annotations

import re
from typing import Any

from trialatlas.model.validation_errors import shown_name

Json = dict[str, Any]
Trie = dict[str, Any]  # key → sub-trie; an empty dict means "the whole value"

_PS = "protocolSection"
_RS = "resultsSection"
_DS = "derivedSection"

MODULES: dict[str, tuple[str, ...]] = {
    _PS: (
        "identificationModule",
        "statusModule",
        "sponsorCollaboratorsModule",
        "oversightModule",
        "descriptionModule",
        "conditionsModule",
        "designModule",
        "armsInterventionsModule",
        "outcomesModule",
        "eligibilityModule",
        "contactsLocationsModule",
        "referencesModule",
        "ipdSharingStatementModule",
    ),
    _RS: (
        "participantFlowModule",
        "baselineCharacteristicsModule",
        "outcomeMeasuresModule",
        "adverseEventsModule",
        "moreInfoModule",
    ),
    "annotationSection": ("annotationModule",),
    "documentSection": ("largeDocumentModule",),
    _DS: ("miscInfoModule", "conditionBrowseModule", "interventionBrowseModule"),
}
_TOP_FIELDS = ("hasResults",)

# piece name → path below its module (lists are traversed item by item)
_PIECES: dict[str, dict[str, str]] = {
    f"{_PS}.identificationModule": {
        "NCTId": "nctId", "NCTIdAlias": "nctIdAliases", "OrgStudyIdInfo": "orgStudyIdInfo",
        "OrgStudyId": "orgStudyIdInfo.id", "OrgStudyIdType": "orgStudyIdInfo.type",
        "SecondaryIdInfo": "secondaryIdInfos", "SecondaryId": "secondaryIdInfos.id",
        "SecondaryIdType": "secondaryIdInfos.type", "SecondaryIdDomain": "secondaryIdInfos.domain",
        "SecondaryIdLink": "secondaryIdInfos.link", "Organization": "organization",
        "OrgFullName": "organization.fullName", "OrgClass": "organization.class",
        "BriefTitle": "briefTitle", "OfficialTitle": "officialTitle", "Acronym": "acronym",
    },
    f"{_PS}.statusModule": {
        "StatusVerifiedDate": "statusVerifiedDate", "OverallStatus": "overallStatus",
        "LastKnownStatus": "lastKnownStatus", "WhyStopped": "whyStopped",
        "ExpandedAccessInfo": "expandedAccessInfo",
        "HasExpandedAccess": "expandedAccessInfo.hasExpandedAccess",
        "StartDateStruct": "startDateStruct", "StartDate": "startDateStruct.date",
        "StartDateType": "startDateStruct.type",
        "PrimaryCompletionDateStruct": "primaryCompletionDateStruct",
        "PrimaryCompletionDate": "primaryCompletionDateStruct.date",
        "PrimaryCompletionDateType": "primaryCompletionDateStruct.type",
        "CompletionDateStruct": "completionDateStruct", "CompletionDate": "completionDateStruct.date",
        "CompletionDateType": "completionDateStruct.type",
        "StudyFirstSubmitDate": "studyFirstSubmitDate",
        "StudyFirstPostDateStruct": "studyFirstPostDateStruct",
        "StudyFirstPostDate": "studyFirstPostDateStruct.date",
        "StudyFirstPostDateType": "studyFirstPostDateStruct.type",
        "ResultsFirstPostDateStruct": "resultsFirstPostDateStruct",
        "ResultsFirstPostDate": "resultsFirstPostDateStruct.date",
        "LastUpdateSubmitDate": "lastUpdateSubmitDate",
        "LastUpdatePostDateStruct": "lastUpdatePostDateStruct",
        "LastUpdatePostDate": "lastUpdatePostDateStruct.date",
        "LastUpdatePostDateType": "lastUpdatePostDateStruct.type",
    },
    f"{_PS}.sponsorCollaboratorsModule": {
        "ResponsibleParty": "responsibleParty", "ResponsiblePartyType": "responsibleParty.type",
        "ResponsiblePartyInvestigatorFullName": "responsibleParty.investigatorFullName",
        "ResponsiblePartyInvestigatorTitle": "responsibleParty.investigatorTitle",
        "ResponsiblePartyInvestigatorAffiliation": "responsibleParty.investigatorAffiliation",
        "LeadSponsor": "leadSponsor", "LeadSponsorName": "leadSponsor.name",
        "LeadSponsorClass": "leadSponsor.class", "Collaborator": "collaborators",
        "CollaboratorName": "collaborators.name", "CollaboratorClass": "collaborators.class",
    },
    f"{_PS}.oversightModule": {
        "OversightHasDMC": "oversightHasDmc", "IsFDARegulatedDrug": "isFdaRegulatedDrug",
        "IsFDARegulatedDevice": "isFdaRegulatedDevice", "IsUnapprovedDevice": "isUnapprovedDevice",
        "IsUSExport": "isUsExport",
    },
    f"{_PS}.descriptionModule": {
        "BriefSummary": "briefSummary", "DetailedDescription": "detailedDescription",
    },
    f"{_PS}.conditionsModule": {"Condition": "conditions", "Keyword": "keywords"},
    f"{_PS}.designModule": {
        "StudyType": "studyType", "PatientRegistry": "patientRegistry",
        "TargetDuration": "targetDuration", "Phase": "phases", "DesignInfo": "designInfo",
        "DesignAllocation": "designInfo.allocation",
        "DesignInterventionModel": "designInfo.interventionModel",
        "DesignInterventionModelDescription": "designInfo.interventionModelDescription",
        "DesignPrimaryPurpose": "designInfo.primaryPurpose",
        "DesignObservationalModel": "designInfo.observationalModel",
        "DesignTimePerspective": "designInfo.timePerspective",
        "DesignMaskingInfo": "designInfo.maskingInfo",
        "DesignMasking": "designInfo.maskingInfo.masking",
        "DesignMaskingDescription": "designInfo.maskingInfo.maskingDescription",
        "DesignWhoMasked": "designInfo.maskingInfo.whoMasked",
        "EnrollmentInfo": "enrollmentInfo", "EnrollmentCount": "enrollmentInfo.count",
        "EnrollmentType": "enrollmentInfo.type",
    },
    f"{_PS}.armsInterventionsModule": {
        "ArmGroup": "armGroups", "ArmGroupLabel": "armGroups.label",
        "ArmGroupType": "armGroups.type", "ArmGroupDescription": "armGroups.description",
        "ArmGroupInterventionName": "armGroups.interventionNames",
        "Intervention": "interventions", "InterventionType": "interventions.type",
        "InterventionName": "interventions.name",
        "InterventionDescription": "interventions.description",
        "InterventionArmGroupLabel": "interventions.armGroupLabels",
        "InterventionOtherName": "interventions.otherNames",
    },
    f"{_PS}.outcomesModule": {
        f"{kind.title()}Outcome{part}": f"{kind}Outcomes{path}"
        for kind in ("primary", "secondary", "other")
        for part, path in (("", ""), ("Measure", ".measure"), ("Description", ".description"),
                           ("TimeFrame", ".timeFrame"))
    },
    f"{_PS}.eligibilityModule": {
        "EligibilityCriteria": "eligibilityCriteria", "HealthyVolunteers": "healthyVolunteers",
        "Sex": "sex", "GenderBased": "genderBased", "GenderDescription": "genderDescription",
        "MinimumAge": "minimumAge", "MaximumAge": "maximumAge", "StdAge": "stdAges",
        "StudyPopulation": "studyPopulation", "SamplingMethod": "samplingMethod",
    },
    f"{_PS}.contactsLocationsModule": {
        "CentralContact": "centralContacts", "CentralContactName": "centralContacts.name",
        "CentralContactRole": "centralContacts.role", "CentralContactPhone": "centralContacts.phone",
        "CentralContactPhoneExt": "centralContacts.phoneExt",
        "CentralContactEMail": "centralContacts.email", "OverallOfficial": "overallOfficials",
        "OverallOfficialName": "overallOfficials.name",
        "OverallOfficialAffiliation": "overallOfficials.affiliation",
        "OverallOfficialRole": "overallOfficials.role", "Location": "locations",
        "LocationFacility": "locations.facility", "LocationStatus": "locations.status",
        "LocationCity": "locations.city", "LocationState": "locations.state",
        "LocationZip": "locations.zip", "LocationCountry": "locations.country",
        "LocationContact": "locations.contacts", "LocationContactName": "locations.contacts.name",
        "LocationContactRole": "locations.contacts.role",
        "LocationContactPhone": "locations.contacts.phone",
        "LocationContactEMail": "locations.contacts.email", "LocationGeoPoint": "locations.geoPoint",
    },
    f"{_PS}.referencesModule": {
        "Reference": "references", "ReferencePMID": "references.pmid",
        "ReferenceType": "references.type", "ReferenceCitation": "references.citation",
        "SeeAlsoLink": "seeAlsoLinks", "SeeAlsoLinkLabel": "seeAlsoLinks.label",
        "SeeAlsoLinkURL": "seeAlsoLinks.url", "AvailIPD": "availIpds",
    },
    f"{_PS}.ipdSharingStatementModule": {
        "IPDSharing": "ipdSharing", "IPDSharingDescription": "description",
        "IPDSharingInfoType": "infoTypes", "IPDSharingTimeFrame": "timeFrame",
        "IPDSharingAccessCriteria": "accessCriteria", "IPDSharingURL": "url",
    },
    f"{_DS}.miscInfoModule": {"VersionHolder": "versionHolder"},
    f"{_DS}.conditionBrowseModule": {
        "ConditionMesh": "meshes", "ConditionMeshId": "meshes.id",
        "ConditionMeshTerm": "meshes.term", "ConditionAncestor": "ancestors",
        "ConditionBrowseLeaf": "browseLeaves", "ConditionBrowseBranch": "browseBranches",
    },
    f"{_DS}.interventionBrowseModule": {
        "InterventionMesh": "meshes", "InterventionMeshId": "meshes.id",
        "InterventionMeshTerm": "meshes.term", "InterventionAncestor": "ancestors",
        "InterventionBrowseLeaf": "browseLeaves", "InterventionBrowseBranch": "browseBranches",
    },
}  # fmt: skip

_PATH_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*$")


def _names() -> dict[str, str]:
    """Every accepted name (lower case) → its dotted path from the study root."""
    names: dict[str, str] = {}
    for section, modules in MODULES.items():
        names[section.lower()] = section
        for module in modules:
            names[module.lower()] = f"{section}.{module}"
            names[f"{section}.{module}".lower()] = f"{section}.{module}"
    for module, pieces in _PIECES.items():
        for piece, path in pieces.items():
            names.setdefault(piece.lower(), f"{module}.{path}")
    for field in _TOP_FIELDS:
        names[field.lower()] = field
    return names


NAMES = _names()


class FieldsError(ValueError):
    """An item of ``fields`` that names no section, module, piece or field."""

    def __init__(self, name: str) -> None:
        shown = shown_name(name, "")  # a field name is repeated, other text is not
        super().__init__(
            f"Parameter 'fields' contains invalid field name: '{shown}'"
            if shown
            else "Parameter 'fields' contains an invalid field name"
        )
        self.name = name


def _resolve(name: str) -> str:
    known = NAMES.get(name.lower())
    if known is not None:
        return known
    head = name.split(".", 1)[0]
    if "." in name and head in MODULES and _PATH_RE.match(name):
        parts = name.split(".")
        if parts[1] in MODULES[head]:
            return name  # a field path below a known module
    raise FieldsError(name)


def parse_fields(value: str | None) -> Trie | None:
    """``fields`` (comma- or pipe-separated) → a selection trie; None means every field."""
    if value is None:
        return None
    items = [item.strip() for item in re.split(r"[,|]", value) if item.strip()]
    if not items:
        raise FieldsError(value)
    trie: Trie = {}
    for item in items:
        node = trie
        parts = _resolve(item).split(".")
        for i, part in enumerate(parts):
            if part in node and not node[part]:
                break  # an ancestor is already selected whole
            if i == len(parts) - 1:
                node[part] = {}
            else:
                node = node.setdefault(part, {"": None})
    return _clean(trie)


def _clean(trie: Trie) -> Trie:
    """Drop the placeholder that marks inner (partially selected) nodes."""
    return {k: _clean(v) for k, v in trie.items() if k != ""}


def select(value: Any, trie: Trie) -> Any:
    """The parts of ``value`` named by ``trie`` (lists item by item); None when nothing is left."""
    if not trie:
        return value
    if isinstance(value, list):
        items = [select(item, trie) for item in value]
        kept = [item for item in items if item is not None]
        return kept or None
    if not isinstance(value, dict):
        return None
    out: Json = {}
    for key, sub in trie.items():
        if key in value:
            picked = select(value[key], sub)
            if picked is not None:
                out[key] = picked
    return out or None


def project(study: Json, trie: Trie | None) -> Json:
    """``study`` reduced to the selected fields (``{}`` when it has none of them)."""
    if trie is None:
        return study
    return select(study, trie) or {}
