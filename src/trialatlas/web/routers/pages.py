"""HTML pages for people: home with search, the trial pages.

Each handler calls one feature and renders its typed result; the JSON twin of a
page is advertised with a ``Link: <…>; rel="alternate"`` header.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from trialatlas.features.quick_search import MAX_QUERY_CHARS, quick_search
from trialatlas.features.trial_page import canonical_nct_id, trial_page
from trialatlas.web.deps import StoreDep, TemplatesDep, UrlsDep, VectorIndexDep
from trialatlas.web.errors import unknown_trial
from trialatlas.web.rendering import render_page

router = APIRouter(include_in_schema=False)

QueryParam = Annotated[str | None, Query(max_length=MAX_QUERY_CHARS * 5)]


@router.get("/")
def home(
    request: Request, store: StoreDep, templates: TemplatesDep, q: QueryParam = None
) -> Response:
    """Home: a search box; with ``?q=`` the ranked hits under it."""
    result = quick_search(store, q)
    return render_page(request, templates, "home.html", {"search": result, "query": result.query})


@router.get("/search")
def search(
    request: Request, store: StoreDep, templates: TemplatesDep, q: QueryParam = None
) -> Response:
    """Minimal search page (the search issue adds filters and facets)."""
    result = quick_search(store, q)
    return render_page(request, templates, "home.html", {"search": result, "query": result.query})


@router.get("/trials/{nct_id}/details")
def trial_details(
    request: Request,
    nct_id: str,
    store: StoreDep,
    templates: TemplatesDep,
    urls: UrlsDep,
    vectors: VectorIndexDep,
) -> Response:
    """The full registry page (seed 001 layout)."""
    canonical = canonical_nct_id(nct_id)
    if canonical is not None and canonical != nct_id:
        return RedirectResponse(urls.details_url(canonical), status_code=301)
    page = trial_page(store, nct_id, with_patient_summary=False, vectors=vectors)
    if page is None:
        raise unknown_trial(nct_id)
    return render_page(
        request,
        templates,
        "details.html",
        {"page": page},
        json_url=urls.api_trial_url(page.nct_id),
    )


# /trials/{nct_id} (the patient page) lives in routers/patient.py.
