"""``/search`` (HTML) and ``/api/search`` (JSON): the same :func:`search_trials` result.

The page works without JavaScript: a GET form with every filter, facet values and
filter chips as plain links, and a next-page link carrying the cursor. A place that
cannot be found gets a 400 with close suggestions (JSON error, or a friendly notice
above the form); so does any unreadable parameter.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from trialatlas.features.search import describe_error, search_trials
from trialatlas.index.geo import GeoError
from trialatlas.model.search import SearchError, SearchResults
from trialatlas.web.deps import StoreDep, TemplatesDep, UrlsDep
from trialatlas.web.rendering import render_page
from trialatlas.web.search_params import SearchParamError, SearchParams, to_query
from trialatlas.web.search_view import (
    api_href,
    chips,
    facet_groups,
    next_href,
    order_note,
    search_form,
    suggestion_href,
)

router = APIRouter(tags=["search"])
ParamsDep = Annotated[SearchParams, Depends()]
_USER_ERRORS = (SearchParamError, SearchError, GeoError)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "An unreadable parameter, an unknown place (with suggestions) or a stale cursor",
        "content": {
            "application/json": {
                "example": {
                    "error": {
                        "code": "unknown_place",
                        "message": "unknown place; did you mean Jacksonville, Florida, United States?",
                        "suggestions": ["Jacksonville, Florida, United States"],
                    }
                }
            }
        },
    }
}


def _error_body(exc: Exception) -> dict[str, Any]:
    code, message, suggestions = describe_error(exc)
    if isinstance(exc, SearchParamError):
        code = "bad_parameter"
    body: dict[str, Any] = {"code": code, "message": message}
    if suggestions:
        body["suggestions"] = suggestions
    return {"error": body}


@router.get(
    "/api/search",
    response_model=SearchResults,
    responses=ERROR_RESPONSES,
    summary="Search trials: words, filters, a place and radius; facets; cursor paging",
)
def api_search(
    request: Request, params: ParamsDep, store: StoreDep, urls: UrlsDep
) -> SearchResults | JSONResponse:
    """``{"total", "results": [...], "facets", "next"}`` (and what the search understood:
    ``sort``, ``words``, ``place``, ``country_facet_top``; in a very large store,
    ``total_estimated``, ``facets_sample`` and ``rank_pool`` say when counts are
    estimates and how relevance was ranked).

    Pass ``next`` back as ``cursor`` with the same parameters for the following page;
    pages never repeat or skip a trial.
    """
    try:
        results = search_trials(store, to_query(params.values))
    except _USER_ERRORS as exc:
        return JSONResponse(_error_body(exc), status_code=400)
    query = request.url.query
    link = urls.search_url() + (f"?{query}" if query else "")
    return JSONResponse(
        results.model_dump(mode="json"),
        headers={"Link": f'<{link}>; rel="alternate"; type="text/html"'},
    )


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request, params: ParamsDep, store: StoreDep, templates: TemplatesDep, urls: UrlsDep
) -> Response:
    """The search page: the form, facets, hits and the next-page link."""
    form = search_form(params.values)
    context: dict[str, Any] = {
        "form": form,
        "query": form.value("q"),
        "results": None,
        "error": None,
    }
    status = 200
    try:
        results = search_trials(store, to_query(params.values))
    except _USER_ERRORS as exc:
        code, message, suggestions = describe_error(exc)
        context["error"] = {
            "code": code,
            "message": _friendly(exc, message),
            "suggestions": [(s, suggestion_href(urls, form, s)) for s in suggestions],
        }
        status = 400
    else:
        context.update(
            results=results,
            facets=facet_groups(urls, form, results),
            chips=chips(urls, form),
            order=order_note(urls, form, results),
            next_url=next_href(urls, form, results.next),
        )
    return render_page(
        request,
        templates,
        "search.html",
        context,
        json_url=api_href(urls, params.values),
        status_code=status,
    )


def _friendly(exc: Exception, message: str) -> str:
    from trialatlas.index.geo import UnknownPlace

    if isinstance(exc, UnknownPlace):
        return "We could not find the place you gave."  # never repeated: it may be a home
    if isinstance(exc, SearchParamError):
        return f"Please check the search form: {message}"
    return message
