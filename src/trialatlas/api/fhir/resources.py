"""The FHIR resources around ResearchStudy: OperationOutcome, searchset Bundle, CapabilityStatement."""

from __future__ import annotations

from typing import Any

from trialatlas.api.fhir.search import SEARCH_PARAMS

Json = dict[str, Any]
FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"
CAPABILITY_DATE = "2026-11-22"  # when this capability statement last changed


def operation_outcome(code: str, diagnostics: str, severity: str = "error") -> Json:
    """An OperationOutcome with one issue (``code`` from the FHIR issue-type value set)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def searchset(
    base: str, resources: list[Json], total: int, self_url: str, next_url: str | None
) -> Json:
    """A searchset Bundle of ResearchStudy matches with ``self`` and ``next`` links."""
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    bundle: Json = {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
    if resources:  # FHIR JSON has no empty arrays: no matches on the page, no "entry"
        bundle["entry"] = [
            {
                "fullUrl": f"{base}/ResearchStudy/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ]
    return bundle


def capability_statement(base: str, software_version: str) -> Json:
    """What this server supports: read and search of ResearchStudy, JSON only."""
    params = [
        {"name": name, "type": kind, "documentation": doc}
        for name, (kind, doc) in SEARCH_PARAMS.items()
    ]
    return {
        "resourceType": "CapabilityStatement",
        "id": "trialatlas",
        "name": "TrialAtlasFHIR",
        "title": "TrialAtlas FHIR R4 ResearchStudy server",
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "TrialAtlas",
        "description": "ClinicalTrials.gov registry records as FHIR R4 ResearchStudy resources "
        "(HL7's ClinicalTrials.gov to ResearchStudy mapping); read-only.",
        "kind": "instance",
        "software": {"name": "TrialAtlas", "version": software_version},
        "implementation": {"description": "TrialAtlas FHIR endpoint", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["json", FHIR_JSON],
        "rest": [
            {
                "mode": "server",
                "documentation": "Errors are OperationOutcome resources. Unknown search "
                "parameters are ignored unless the request carries 'Prefer: handling=strict'.",
                "resource": [
                    {
                        "type": "ResearchStudy",
                        "profile": "http://hl7.org/fhir/StructureDefinition/ResearchStudy",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "versioning": "no-version",
                        "readHistory": False,
                        "updateCreate": False,
                        "searchParam": params,
                    }
                ],
            }
        ],
    }
