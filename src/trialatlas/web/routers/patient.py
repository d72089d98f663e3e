"""The patient page ``/trials/{nct_id}`` and the clinic finder API ``/api/trials/{nct_id}/clinics``.

Handlers call one feature each (:func:`patient_page`, :func:`find_clinics`) and render
its result; the clinic finder works without JavaScript (a GET form: ``?near=…&radius=…``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from trialatlas.features.clinics import ClinicList, find_clinics, place_problem
from trialatlas.features.distance_text import UNIT_CHOICES
from trialatlas.features.patient_summary.llm_writer import summary_writer
from trialatlas.features.patient_summary.page import MAX_PLACE_CHARS, patient_page
from trialatlas.features.related import related_trials
from trialatlas.features.trial_page import canonical_nct_id
from trialatlas.index.geo import GeoError
from trialatlas.web.deps import SettingsDep, StoreDep, TemplatesDep, UrlsDep, VectorIndexDep
from trialatlas.web.errors import unknown_trial
from trialatlas.web.rendering import render_page

router = APIRouter()

SIMILAR_TRIALS = 5  # the patient page's short "Similar trials" list (the closest related)

PlaceParam = Annotated[
    str | None,
    Query(max_length=MAX_PLACE_CHARS * 2, description="City, “City, State”, US ZIP or “lat, lon”"),
]
RadiusParam = Annotated[
    str | None,
    Query(max_length=20, description="Distance limit: “25mi”, “40km” or a number of miles"),
]
UnitParam = Annotated[
    Literal["mi", "km"] | None,
    Query(
        description="mi or km: the unit every distance leads with (default: the radius's, else mi)"
    ),
]
CLINICS_ERRORS = {
    400: {
        "description": "The place or radius cannot be used",
        "content": {
            "application/json": {
                "example": {
                    "error": {
                        "code": "unknown_place",
                        "message": "We could not find “Jaksonvile, FL”.",
                        "suggestions": ["Jacksonville, Florida, United States"],
                    }
                }
            }
        },
    },
    404: {"description": "No trial with this NCT ID"},
}


@router.get("/trials/{nct_id}", include_in_schema=False)
def patient_trial_page(
    request: Request,
    nct_id: str,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
    settings: SettingsDep,
    vectors: VectorIndexDep,
    near: PlaceParam = None,
    radius: RadiusParam = None,
    unit: UnitParam = None,
) -> Response:
    """The patient-facing page of one trial (seed 000 layout) with the clinic finder."""
    canonical = canonical_nct_id(nct_id)
    if canonical is not None and canonical != nct_id:
        target = urls.trial_url(canonical, near=near, radius=radius, unit=unit)
        return RedirectResponse(target, status_code=301)
    page = patient_page(store, nct_id, near, radius, summary_writer(settings), unit)
    if page is None:
        raise unknown_trial(nct_id)
    related = related_trials(store, page.summary.nct_id, vectors)
    similar = related.related[:SIMILAR_TRIALS] if related else []
    context = {
        "page": page,
        "s": page.summary,
        "unit_choices": UNIT_CHOICES,
        "similar": similar,
    }
    return render_page(
        request,
        templates,
        "patient.html",
        context,
        json_url=urls.api_trial_url(page.summary.nct_id),
    )


@router.get(
    "/api/trials/{nct_id}/clinics",
    tags=["trials"],
    response_model=ClinicList,
    responses=CLINICS_ERRORS,
    summary="A trial's sites, nearest first from a place, with distance, status and contacts",
)
def trial_clinics(
    nct_id: str,
    store: StoreDep,
    urls: UrlsDep,
    near: PlaceParam = None,
    radius: RadiusParam = None,
    unit: UnitParam = None,
) -> Response:
    """Sites nearest first from ``near`` (within ``radius``); registry order without a place.

    Sites without coordinates are placed at their city (``location_precision: "city"``).
    An unknown place is a 400 error with close place names in ``error.suggestions``.
    """
    canonical = canonical_nct_id(nct_id)
    study = store.get_study(canonical) if canonical else None
    if study is None:
        raise unknown_trial(nct_id)
    try:
        clinics = find_clinics(study, near, radius, unit)
    except GeoError as exc:
        problem = place_problem(exc)
        error = {
            "code": problem.code,
            "message": problem.message,
            "suggestions": problem.suggestions,
        }
        return JSONResponse({"error": error}, status_code=400)
    response = JSONResponse(clinics.model_dump(mode="json"))
    html = urls.trial_url(study.nct_id, near=near, radius=radius, unit=unit)
    response.headers["Link"] = f'<{html}>; rel="alternate"; type="text/html"'
    return response
