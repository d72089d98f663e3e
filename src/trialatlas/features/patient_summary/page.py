"""The patient page as one result: the summary plus the clinic finder's answer for a place.

``patient_page(store, nct_id, near, radius)`` is what ``/trials/{nct_id}`` renders. With
no place the clinics are the summary's own list (registry order); with a place they are
sorted nearest first, or, when the place cannot be used, ``place_problem`` says why
and suggests close names. The summary is the same result ``/api/trials/{nct_id}`` carries.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from trialatlas.features.clinics import ClinicList, PlaceProblem, find_clinics, place_problem
from trialatlas.features.distance_text import DistanceUnit, choose_unit, radius_menu
from trialatlas.features.patient_summary.builder import AnswerWriter, patient_summary
from trialatlas.features.patient_summary.model import PatientSummary
from trialatlas.features.trial_page import canonical_nct_id
from trialatlas.index.geo import GeoError
from trialatlas.store.base import Store

# The clinic finder's distance choices (value sent in ?radius=, label shown).
RADIUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("", "Any distance"),
    ("10mi", "10 miles"),
    ("25mi", "25 miles"),
    ("50mi", "50 miles"),
    ("100mi", "100 miles"),
    ("250mi", "250 miles"),
)
MAX_PLACE_CHARS = 120


class PatientPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: PatientSummary
    clinics: ClinicList
    place_problem: PlaceProblem | None = None
    near: str | None = None
    radius: str | None = None
    unit: DistanceUnit = "mi"  # every distance of the page leads with it
    unit_chosen: bool = False  # the visitor chose the unit (links keep it)

    @property
    def radius_options(self) -> list[tuple[str, str, bool]]:
        """The clinic finder's distance menu in the page's unit: ``(value, label, selected)``."""
        return radius_menu(self.unit, self.radius, any_distance=True)


def patient_page(
    store: Store,
    nct_id: str,
    near: str | None = None,
    radius: str | None = None,
    writer: AnswerWriter | None = None,
    unit: str | None = None,
) -> PatientPage | None:
    """The patient page of ``nct_id`` (None when the store has no such trial)."""
    canonical = canonical_nct_id(nct_id)
    study = store.get_study(canonical) if canonical else None
    if study is None:
        return None
    summary = patient_summary(store, study, writer)
    near = (near or "").strip()[:MAX_PLACE_CHARS] or None
    radius = (radius or "").strip() or None
    clinics, problem = summary.clinics, None
    if near:
        try:
            clinics = find_clinics(study, near, radius, unit)
        except GeoError as exc:
            problem = place_problem(exc)
    return PatientPage(
        summary=summary, clinics=clinics, place_problem=problem, near=near, radius=radius,
        unit=choose_unit(radius, unit), unit_chosen=bool(unit),
    )  # fmt: skip
