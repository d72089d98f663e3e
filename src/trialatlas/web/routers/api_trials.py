"""``/api/trials/{nct_id}``: the JSON twin of the trial pages (same feature result)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from trialatlas.features.patient_summary.llm_writer import summary_writer
from trialatlas.features.related import RelatedTrials, related_trials
from trialatlas.features.trial_page import TrialPage, trial_page
from trialatlas.web.deps import SettingsDep, StoreDep, UrlsDep, VectorIndexDep
from trialatlas.web.errors import unknown_trial

router = APIRouter(prefix="/api/trials", tags=["trials"])

ERROR_SCHEMA = {
    "description": "No trial with this NCT ID",
    "content": {
        "application/json": {
            "example": {"error": {"code": "not_found", "message": "No trial NCT00000000"}}
        }
    },
}


@router.get(
    "/{nct_id}",
    response_model=TrialPage,
    responses={404: ERROR_SCHEMA},
    summary="One trial: normalized record, labelled registry page, patient summary, related",
)
def get_trial(
    nct_id: str,
    store: StoreDep,
    urls: UrlsDep,
    settings: SettingsDep,
    vectors: VectorIndexDep,
    response: Response,
) -> TrialPage:
    """The full registry page of a trial as JSON.

    ``study`` is the normalized record (registry codes verbatim); the other fields
    are the page's sections already labelled for people, in page order.
    ``patient_summary`` is the patient page's content (same feature result);
    ``related`` and ``more_related`` are the trials most like it (as ``/related`` gives them).
    """
    page = trial_page(store, nct_id, writer=summary_writer(settings), vectors=vectors)
    if page is None:
        raise unknown_trial(nct_id)
    response.headers["Link"] = (
        f'<{urls.details_url(page.nct_id)}>; rel="alternate"; type="text/html"'
    )
    return page


@router.get(
    "/{nct_id}/related",
    response_model=RelatedTrials,
    responses={404: ERROR_SCHEMA},
    summary="The trials most like this one, each with a score (0–1) and its reasons",
)
def get_related(
    nct_id: str, store: StoreDep, urls: UrlsDep, vectors: VectorIndexDep, response: Response
) -> RelatedTrials:
    """``related``: the 5 closest trials; ``more_related``: the next 10 (best first).

    Each carries ``score`` (0–1), ``reasons`` (short phrases, strongest first: "same
    treatment: …", "same condition: …", "also phase 2", "similar topic"),
    ``overall_status`` (registry code) and ``open`` (recruiting, not yet recruiting,
    enrolling by invitation or available).
    """
    found = related_trials(store, nct_id, vectors)
    if found is None:
        raise unknown_trial(nct_id)
    response.headers["Link"] = (
        f'<{urls.details_url(found.nct_id)}#related>; rel="alternate"; type="text/html"'
    )
    return found
