"""``/api/v2/studies``, ``/api/v2/studies/{nctId}``, ``/api/v2/version``: a ClinicalTrials.gov
API v2-compatible subset, so existing clients can use TrialAtlas as their base URL.

Errors are what the registry's API answers: status 400 or 404 with a plain-text
message, e.g. "`query.foo` is unknown parameter". See ``docs/api-v2.md``.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from trialatlas.api.ctgov_v2.params import (
    LIST_PARAMS,
    STUDY_PARAMS,
    ParamError,
    check_format,
    check_names,
    fields_param,
    parse_studies_request,
)
from trialatlas.api.ctgov_v2.studies import single_study, studies_page, version_info
from trialatlas.normalize.values import NCT_ID_RE
from trialatlas.web.deps import StoreDep

router = APIRouter(prefix="/api/v2", tags=["ClinicalTrials.gov API v2 (subset)"])

_TEXT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A bad parameter (plain-text message)", "content": {"text/plain": {}}},
    404: {"description": "No such study (plain-text message)", "content": {"text/plain": {}}},
}


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


def _error(status: int, message: str) -> PlainTextResponse:
    return PlainTextResponse(message, status_code=status)


def _params(request: Request, allowed: frozenset[str]) -> dict[str, str]:
    items = request.query_params.multi_items()
    check_names((name for name, _ in items), allowed)
    return dict(items)


@router.get(
    "/studies",
    responses=_TEXT_ERRORS,
    summary="Studies matching query and filter parameters, page by page",
)
def list_studies(request: Request, store: StoreDep) -> Response:
    """Search with ``query.*``, restrict with ``filter.*``/``aggFilters``, page with
    ``pageSize``/``pageToken`` (``nextPageToken`` is absent on the last page), count with
    ``countTotal=true``, order with ``sort``, select with ``fields``. Supported values
    are listed in ``docs/api-v2.md``."""
    try:
        parsed = parse_studies_request(_params(request, LIST_PARAMS))
        return _json(studies_page(store, parsed))
    except ParamError as exc:
        return _error(400, exc.message)


@router.get(
    "/studies/{nct_id}",
    responses=_TEXT_ERRORS,
    summary="One study: the stored API v2 JSON, or the faithful conversion of a legacy XML record",
)
def get_study(nct_id: str, request: Request, store: StoreDep) -> Response:
    """The study object (``protocolSection``, ``resultsSection``, ``derivedSection``,
    ``hasResults``), reduced to ``fields`` when given."""
    try:
        params = _params(request, STUDY_PARAMS)
        check_format(params)
        fields = fields_param(params)
    except ParamError as exc:
        return _error(400, exc.message)
    nct = nct_id.strip().upper()
    if not NCT_ID_RE.match(nct):
        return _error(400, "nctId has incorrect format (NCT and 8 digits)")
    doc = single_study(store, nct, fields)
    if doc is None:
        return _error(404, f"Study {nct} not found")
    return _json(doc)


@router.get("/version", summary="API version and data timestamp")
def get_version(store: StoreDep) -> Response:
    """``{"apiVersion": "2.0.5", "dataTimestamp": "yyyy-MM-ddTHH:mm:ss"}``: the timestamp is
    the latest last-update date among the stored studies."""
    return _json(version_info(store))
