"""Registry codes (API v2 spelling) → FHIR R4 codes for ResearchStudy, in one place.

``ResearchStudy.status`` (required, http://hl7.org/fhir/research-study-status) has no
"unknown" or "withheld"; those registry statuses map to ``in-review`` (the study's
state is not established) and the registry's own status is kept in a note.
"""

from __future__ import annotations

from collections.abc import Iterable

CTGOV_SYSTEM = "https://clinicaltrials.gov"
MESH_SYSTEM = "https://www.nlm.nih.gov/mesh"
ISO_COUNTRY_SYSTEM = "urn:iso:std:iso:3166"
PHASE_SYSTEM = "http://terminology.hl7.org/CodeSystem/research-study-phase"
PURPOSE_SYSTEM = "http://terminology.hl7.org/CodeSystem/research-study-prim-purp-type"
OBJECTIVE_SYSTEM = "http://terminology.hl7.org/CodeSystem/research-study-objective-type"

STATUS = {
    "RECRUITING": "active",
    "ENROLLING_BY_INVITATION": "active",
    "NOT_YET_RECRUITING": "approved",
    "ACTIVE_NOT_RECRUITING": "closed-to-accrual",
    "SUSPENDED": "temporarily-closed-to-accrual",
    "TERMINATED": "administratively-completed",
    "COMPLETED": "completed",
    "WITHDRAWN": "withdrawn",
    "AVAILABLE": "active",
    "NO_LONGER_AVAILABLE": "closed-to-accrual",
    "TEMPORARILY_NOT_AVAILABLE": "temporarily-closed-to-accrual",
    "APPROVED_FOR_MARKETING": "completed",
    "WITHHELD": "in-review",
    "UNKNOWN": "in-review",
}
FHIR_STATUSES = (
    "active",
    "administratively-completed",
    "approved",
    "closed-to-accrual",
    "closed-to-accrual-and-intervention",
    "completed",
    "disapproved",
    "in-review",
    "temporarily-closed-to-accrual",
    "temporarily-closed-to-accrual-and-intervention",
    "withdrawn",
)
UNMAPPED_STATUS = "in-review"  # a study without any registry status

# one phase, or the two combinations the registry uses (Phase 1/Phase 2, Phase 2/Phase 3)
PHASES: dict[tuple[str, ...], tuple[str, str]] = {
    ("NA",): ("n-a", "N/A"),
    ("EARLY_PHASE1",): ("early-phase-1", "Early Phase 1"),
    ("PHASE1",): ("phase-1", "Phase 1"),
    ("PHASE1", "PHASE2"): ("phase-1-phase-2", "Phase 1/Phase 2"),
    ("PHASE2",): ("phase-2", "Phase 2"),
    ("PHASE2", "PHASE3"): ("phase-2-phase-3", "Phase 2/Phase 3"),
    ("PHASE3",): ("phase-3", "Phase 3"),
    ("PHASE4",): ("phase-4", "Phase 4"),
}
PURPOSES = {
    "TREATMENT": ("treatment", "Treatment"),
    "PREVENTION": ("prevention", "Prevention"),
    "DIAGNOSTIC": ("diagnostic", "Diagnostic"),
    "SUPPORTIVE_CARE": ("supportive-care", "Supportive Care"),
    "SCREENING": ("screening", "Screening"),
    "HEALTH_SERVICES_RESEARCH": ("health-services-research", "Health Services Research"),
    "BASIC_SCIENCE": ("basic-science", "Basic Science"),
    "DEVICE_FEASIBILITY": ("device-feasibility", "Device Feasibility"),
}
OBJECTIVE_TYPES = {
    "primary": ("primary", "Primary"),
    "secondary": ("secondary", "Secondary"),
    "other": ("exploratory", "Exploratory"),
}


def fhir_status(overall_status: str | None) -> str:
    """The ResearchStudy.status of a registry overall status."""
    return STATUS.get(overall_status or "", UNMAPPED_STATUS)


def registry_statuses(fhir_codes: Iterable[str]) -> tuple[str, ...]:
    """Every registry overall status that maps to one of ``fhir_codes`` (for searching)."""
    wanted = set(fhir_codes)
    return tuple(code for code, status in STATUS.items() if status in wanted)


def phase_code(phases: list[str]) -> tuple[str, str] | None:
    """(code, display) of the study's phase(s), None for an unusual combination."""
    order = ("NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4")
    key = tuple(sorted(set(phases), key=lambda p: order.index(p) if p in order else 99))
    return PHASES.get(key)
