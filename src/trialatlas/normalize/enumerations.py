"""The registry's enumerated fields: a value outside the enumeration rejects the record.

ClinicalTrials.gov defines a closed set of codes for fields such as the overall
status, the study type or the phase (API v2 data model, "Enums"). A record whose
value is outside that set (``"overallStatus": 7``, ``"phases": ["PHASE9"]``) is
rejected, naming the field and the value, rather than stored and shown as if the
registry had said it (docs/ingest.md, "Enumerated fields"). Legacy XML values are
first mapped to the same codes by the XML mapper, then checked here.

The check runs on the normalized tree (model field names, shared by both formats);
the error names the field as the source format spells it.
"""

from __future__ import annotations

from typing import Any

from trialatlas.normalize.values import RecordError

_STATUSES = frozenset(
    {
        "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
        "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE",
        "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING",
        "WITHHELD", "UNKNOWN",
    }
)  # fmt: skip
_SITE_STATUSES = _STATUSES
_STUDY_TYPES = frozenset({"INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS", "NA"})
_PHASES = frozenset({"NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"})
_ALLOCATIONS = frozenset({"RANDOMIZED", "NON_RANDOMIZED", "NA"})
_MODELS = frozenset({"SINGLE_GROUP", "PARALLEL", "CROSSOVER", "FACTORIAL", "SEQUENTIAL"})
_PURPOSES = frozenset(
    {
        "TREATMENT", "PREVENTION", "DIAGNOSTIC", "ECT", "SUPPORTIVE_CARE", "SCREENING",
        "HEALTH_SERVICES_RESEARCH", "BASIC_SCIENCE", "DEVICE_FEASIBILITY", "OTHER",
    }
)  # fmt: skip
_MASKINGS = frozenset({"NONE", "SINGLE", "DOUBLE", "TRIPLE", "QUADRUPLE"})
_SEXES = frozenset({"ALL", "FEMALE", "MALE"})
_STD_AGES = frozenset({"CHILD", "ADULT", "OLDER_ADULT"})
_ARM_TYPES = frozenset(
    {
        "EXPERIMENTAL", "ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR",
        "NO_INTERVENTION", "OTHER",
    }
)  # fmt: skip
_INTERVENTION_TYPES = frozenset(
    {
        "BEHAVIORAL", "BIOLOGICAL", "COMBINATION_PRODUCT", "DEVICE", "DIAGNOSTIC_TEST",
        "DIETARY_SUPPLEMENT", "DRUG", "GENETIC", "PROCEDURE", "RADIATION", "OTHER",
    }
)  # fmt: skip
_AGENCY_CLASSES = frozenset(
    {"NIH", "FED", "OTHER_GOV", "INDIV", "INDUSTRY", "NETWORK", "AMBIG", "OTHER", "UNKNOWN"}
)

# (tree path, API v2 field, legacy XML element, allowed codes); ``[]`` marks a list
_V2 = "protocolSection"
_ENUMERATED: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("status.overall_status", f"{_V2}.statusModule.overallStatus", "overall_status", _STATUSES),
    (
        "status.last_known_status",
        f"{_V2}.statusModule.lastKnownStatus",
        "last_known_status",
        _STATUSES,
    ),
    ("design.study_type", f"{_V2}.designModule.studyType", "study_type", _STUDY_TYPES),
    ("design.phases[]", f"{_V2}.designModule.phases", "phase", _PHASES),
    (
        "design.allocation",
        f"{_V2}.designModule.designInfo.allocation",
        "study_design_info/allocation",
        _ALLOCATIONS,
    ),
    (
        "design.intervention_model",
        f"{_V2}.designModule.designInfo.interventionModel",
        "study_design_info/intervention_model",
        _MODELS,
    ),
    (
        "design.primary_purpose",
        f"{_V2}.designModule.designInfo.primaryPurpose",
        "study_design_info/primary_purpose",
        _PURPOSES,
    ),
    (
        "design.masking",
        f"{_V2}.designModule.designInfo.maskingInfo.masking",
        "study_design_info/masking",
        _MASKINGS,
    ),
    ("eligibility.sex", f"{_V2}.eligibilityModule.sex", "eligibility/gender", _SEXES),
    ("eligibility.std_ages[]", f"{_V2}.eligibilityModule.stdAges", "eligibility", _STD_AGES),
    (
        "arms[].type",
        f"{_V2}.armsInterventionsModule.armGroups.type",
        "arm_group/arm_group_type",
        _ARM_TYPES,
    ),
    (
        "interventions[].type",
        f"{_V2}.armsInterventionsModule.interventions.type",
        "intervention/intervention_type",
        _INTERVENTION_TYPES,
    ),
    (
        "locations[].status",
        f"{_V2}.contactsLocationsModule.locations.status",
        "location/status",
        _SITE_STATUSES,
    ),
    (
        "sponsors.lead_sponsor.org_class",
        f"{_V2}.sponsorCollaboratorsModule.leadSponsor.class",
        "sponsors/lead_sponsor/agency_class",
        _AGENCY_CLASSES,
    ),
)


_CHECKS = tuple(
    (tuple(path.split(".")), v2_field, xml_field, allowed)
    for path, v2_field, xml_field, allowed in _ENUMERATED
)


def check_enumerations(tree: dict[str, Any]) -> None:
    """Raise :class:`RecordError` naming the first enumerated field whose value is not
    one of the registry's codes (absent values are fine)."""
    for steps, v2_field, xml_field, allowed in _CHECKS:
        for value in _values(tree, steps):
            if value is not None and value not in allowed:
                legacy = tree.get("source_format") == "ctgov_xml"
                field = f"clinical_study/{xml_field}" if legacy else v2_field
                codes = ", ".join(sorted(allowed))
                raise RecordError(
                    field, f"{repr(value)[:80]} is not one of the registry's values ({codes})"
                )


def _values(node: Any, steps: tuple[str, ...]) -> list[Any]:
    """The values at ``steps`` below ``node`` (``name[]`` steps into every list item)."""
    for i, step in enumerate(steps):
        if not isinstance(node, dict):
            return []
        if step[-1] == "]":
            items = node.get(step[:-2]) or ()
            rest = steps[i + 1 :]
            if not rest:
                return list(items)
            return [v for item in items for v in _values(item, rest)]
        node = node.get(step)
        if node is None:
            return []
    return [node]
