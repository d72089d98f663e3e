"""HL7 FHIR R4: studies as ResearchStudy resources, a read and search API, a CapabilityStatement."""

from __future__ import annotations

from trialatlas.api.fhir.research_study import study_to_research_study

__all__ = ["study_to_research_study"]
