"""``/fhir/metadata``, ``/fhir/ResearchStudy/{id}``, ``/fhir/ResearchStudy?…``: HL7 FHIR R4, JSON.

Every answer is ``application/fhir+json``; errors are OperationOutcome resources with a
proper status (400 bad search, 404 unknown study or resource type, 406 other formats).
The CapabilityStatement is checked against the fhir.resources R4B model when served;
ResearchStudy and Bundle resources are checked by the tests (for every fixture record),
not per request: validating a study with a thousand sites takes seconds.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from trialatlas.api.fhir.research_study import study_to_research_study, validated
from trialatlas.api.fhir.resources import (
    FHIR_JSON,
    capability_statement,
    operation_outcome,
    searchset,
)
from trialatlas.api.fhir.search import SearchParamError, parse_search
from trialatlas.features.search import search_trials
from trialatlas.model.nct_id import is_nct_id
from trialatlas.model.search import SearchError
from trialatlas.model.validation_errors import shown_name
from trialatlas.web.deps import StoreDep

router = APIRouter(prefix="/fhir", tags=["FHIR R4"])
_JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json", FHIR_JSON})
_OUTCOME: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {FHIR_JSON: {}}}
    for code, text in (
        (400, "Bad search (OperationOutcome)"),
        (404, "Not found (OperationOutcome)"),
    )
}


def _fhir(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=FHIR_JSON)


def _outcome(status: int, code: str, message: str) -> Response:
    return _fhir(operation_outcome(code, message), status)


def _base(request: Request) -> str:
    return str(request.url_for("fhir_metadata")).removesuffix("/metadata")


def _bad_format(request: Request) -> Response | None:
    fmt = request.query_params.get("_format")
    if fmt is not None and fmt.split(";")[0].strip().lower() not in _JSON_FORMATS:
        return _outcome(406, "not-supported", "_format: only json is supported")
    return None


def _software_version() -> str:
    try:
        return version("trialatlas")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


@router.get("/metadata", name="fhir_metadata", summary="CapabilityStatement (FHIR R4 4.0.1)")
def metadata(request: Request) -> Response:
    """What this FHIR endpoint supports."""
    return _bad_format(request) or _fhir(
        validated(capability_statement(_base(request), _software_version()))
    )


@router.get("/ResearchStudy/{nct_id}", responses=_OUTCOME, summary="One study as a ResearchStudy")
def read_research_study(nct_id: str, request: Request, store: StoreDep) -> Response:
    """The ResearchStudy whose id is the NCT number (404 OperationOutcome when unknown)."""
    bad = _bad_format(request)
    if bad is not None:
        return bad
    study = store.get_study(nct_id.strip().upper()) if len(nct_id) <= 64 else None
    if study is None:
        shown = nct_id.strip().upper() if is_nct_id(nct_id.strip().upper()) else "(this id)"
        return _outcome(404, "not-found", f"ResearchStudy/{shown} is not known")
    return _fhir(study_to_research_study(study))


@router.get("/ResearchStudy", responses=_OUTCOME, summary="Search ResearchStudy (searchset Bundle)")
def search_research_study(request: Request, store: StoreDep) -> Response:
    """Search by ``condition``, ``status``, ``near`` and more (see the CapabilityStatement),
    with the same engine as ``/api/search``. Every word asked for must match."""
    bad = _bad_format(request)
    if bad is not None:
        return bad
    strict = "handling=strict" in request.headers.get("prefer", "").replace(" ", "")
    try:
        search = parse_search(request.query_params.multi_items(), strict)
        results = search_trials(store, search.query) if search.query is not None else None
    except (SearchParamError, SearchError) as exc:
        return _outcome(400, "invalid", str(exc))
    if results is not None and results.words == "any":
        results = None  # no study has every word: FHIR search does not fall back to any word
    hits = [h.nct_id for h in results.results] if results and search.count else []
    studies = store.get_studies(hits)
    resources = [study_to_research_study(studies[n]) for n in hits if n in studies]
    base = _base(request)
    params = [*search.used, ("_count", str(search.count))]
    cursor = search.query.cursor if search.query else None
    self_url = (
        f"{base}/ResearchStudy?{urlencode(params + ([('_cursor', cursor)] if cursor else []))}"
    )
    next_url = None
    if results is not None and results.next and search.count:
        next_url = f"{base}/ResearchStudy?{urlencode([*params, ('_cursor', results.next)])}"
    total = results.total if results else 0
    return _fhir(searchset(base, resources, total, self_url, next_url))


@router.get("/{resource_path:path}", include_in_schema=False)
def unsupported(resource_path: str) -> Response:
    """Any other FHIR resource type or interaction: 404 with an OperationOutcome."""
    kind = shown_name(resource_path.split("/", 1)[0], "(this type)")
    return _outcome(404, "not-supported", f"Resource type {kind!r} is not supported here")
