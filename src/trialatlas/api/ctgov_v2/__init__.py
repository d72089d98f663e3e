"""A ClinicalTrials.gov API v2-compatible subset: the study JSON shape and ``/api/v2/…`` routes."""

from __future__ import annotations

from trialatlas.api.ctgov_v2.convert import study_to_v2

__all__ = ["study_to_v2"]
