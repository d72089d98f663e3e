"""``/api/trials/{nct_id}``: the JSON twin of the trial pages (same feature result)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from trialatlas.features.patient_summary.llm_writer import summary_writer
from trialatlas.features.trial_page import TrialPage, trial_page
from trialatlas.web.deps import SettingsDep, StoreDep, UrlsDep
from trialatlas.web.errors import NotFoundError

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
    nct_id: str, store: StoreDep, urls: UrlsDep, settings: SettingsDep, response: Response
) -> TrialPage:
    """The full registry page of a trial as JSON.

    ``study`` is the normalized record (registry codes verbatim); the other fields
    are the page's sections already labelled for people, in page order.
    ``patient_summary`` is the patient page's content (same feature result);
    ``related`` stays empty until the related-trials feature exists.
    """
    page = trial_page(store, nct_id, writer=summary_writer(settings))
    if page is None:
        raise NotFoundError(f"No trial with NCT ID {nct_id[:40]!r} in this catalogue.")
    response.headers["Link"] = (
        f'<{urls.details_url(page.nct_id)}>; rel="alternate"; type="text/html"'
    )
    return page
