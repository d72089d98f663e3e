"""Matching: ``/match`` (a page that works without JavaScript) and ``POST /api/match``.

Both call :func:`match_patient` once and render its :class:`MatchResult`: the page
as HTML, the API as JSON. The patient's description arrives in the request body only
(never in the URL), is read with a size cap, never logged or stored, and every
response carries ``Cache-Control: no-store`` (errors too: see ``NoStoreRoute``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from trialatlas.features.distance_text import UNIT_CHOICES, choose_unit, radius_menu
from trialatlas.features.matching import MatchInputError, MatchResult, match_patient
from trialatlas.model.codes import label
from trialatlas.store.base import Store
from trialatlas.web.deps import StoreDep, TemplatesDep, app_state
from trialatlas.web.errors import error_response, json_error
from trialatlas.web.match_request import (
    MAX_BODY_BYTES,
    MAX_TEXT_CHARS,
    BodyTooLargeError,
    MatchCall,
    MatchForm,
    MatchRequest,
    MatchRequestError,
    form_call,
    parse_form_body,
    parse_json_body,
    read_capped_body,
    read_match_body,
)
from trialatlas.web.match_view import distance_in_unit, understood_sections
from trialatlas.web.rendering import render_page
from trialatlas.web.routers.prescreen import NO_STORE, NoStoreRoute

router = APIRouter(tags=["match"], route_class=NoStoreRoute)

DISCLAIMER: str = MatchResult.model_fields["disclaimer"].default
FORM_TYPE = "application/x-www-form-urlencoded"

BAD_BODY: dict[str, Any] = {
    "description": (
        "The body is not text, a profile or a FHIR Bundle, or a field breaks a rule; the "
        "message names the field and the rule, never the values sent"
    ),
    "content": {
        "application/json": {
            "example": {
                "error": {
                    "code": "invalid_request",
                    "message": "limit: Input should be less than or equal to 50",
                }
            }
        }
    },
}
TOO_LARGE: dict[str, Any] = {
    "description": f"The body is over {MAX_BODY_BYTES // 1000} KB",
    "content": {
        "application/json": {
            "example": {
                "error": {"code": "payload_too_large", "message": "the body is over 200 KB"}
            }
        }
    },
}
FHIR_EXAMPLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "gender": "male",
                "birthDate": "1970-03-04",
            }
        },
        {
            "resource": {
                "resourceType": "Condition",
                "code": {"text": "Low back pain"},
                "subject": {"reference": "Patient/p1"},
                "clinicalStatus": {"coding": [{"code": "active"}]},
            }
        },
    ],
}
REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "The patient as `text`, `profile` or `fhir` (a FHIR R4 Bundle may also be the "
            f"whole body), with `near`, `radius`, `open_only`, `limit`. At most "
            f"{MAX_BODY_BYTES // 1000} KB. Nothing sent here is stored or logged."
        ),
        "content": {
            "application/json": {
                "schema": MatchRequest.model_json_schema(),
                "examples": {
                    "text": {
                        "summary": "A description in free text",
                        "value": MatchRequest.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
                    },
                    "profile": {
                        "summary": "A patient profile (docs/patient-profile.md)",
                        "value": MatchRequest.model_config["json_schema_extra"]["examples"][1],  # type: ignore[index]
                    },
                    "fhir": {"summary": "A FHIR R4 Bundle as the body", "value": FHIR_EXAMPLE},
                },
            }
        },
    }
}


def _status_label(code: str | None) -> str:
    return label("overall_status", code)


def _run(request: Request, store: Store, call: MatchCall) -> MatchResult:
    """The match, with the app's vector index (loaded once, on first use)."""
    return match_patient(
        store,
        call.patient,
        near=call.near,
        radius=call.radius,
        open_only=call.open_only,
        limit=call.limit,
        index=app_state(request).vector_index(),
    )


def _invalid(exc: MatchRequestError | MatchInputError) -> JSONResponse:
    return json_error(422, f"{exc.field}: {exc.message}", "invalid_request")


@router.post(
    "/api/match",
    response_model=MatchResult,
    responses={413: TOO_LARGE, 422: BAD_BODY},
    summary="Match a patient (a description, a profile or a FHIR Bundle) to trials",
    openapi_extra=REQUEST_BODY,
)
async def api_match(request: Request, store: StoreDep) -> Response:
    """The trials the patient probably qualifies for, best first: each with its score,
    ``eligibility`` (likely / unlikely / unknown), why, its criteria judged one by one
    (met / not met / unknown, with the sentence of the description that decided it) and
    the nearest site when ``near`` is given; plus ``patient``, what was understood."""
    try:
        call = read_match_body(parse_json_body(await read_capped_body(request)))
    except BodyTooLargeError as exc:
        return json_error(413, str(exc), "payload_too_large")
    except MatchRequestError as exc:
        return _invalid(exc)
    try:
        result = await run_in_threadpool(_run, request, store, call)
    except MatchInputError as exc:
        return _invalid(exc)
    return await run_in_threadpool(_json, result)  # a large result: serialized off the loop


def _json(result: MatchResult) -> Response:
    return JSONResponse(result.model_dump(mode="json"), headers={"Cache-Control": NO_STORE})


def _page(
    request: Request,
    templates: TemplatesDep,
    form: MatchForm,
    result: MatchResult | None,
    status: int = 200,
) -> Response:
    unit = choose_unit(form.radius, form.unit if form.unit in ("mi", "km") else None)
    context = {
        "form": form,
        "result": result,
        "understood": understood_sections(result.patient) if result else [],
        "radius_options": radius_menu(unit, form.radius, any_distance=True),
        "unit": unit,
        "unit_choices": UNIT_CHOICES,
        "distance_words": lambda text: distance_in_unit(text, unit),
        "disclaimer": result.disclaimer if result else DISCLAIMER,
        "status_label": _status_label,
        "max_text": MAX_TEXT_CHARS,
    }
    response = render_page(request, templates, "match.html", context, status_code=status)
    response.headers["Cache-Control"] = NO_STORE
    return response


@router.get("/match", include_in_schema=False)
async def match_form(request: Request, templates: TemplatesDep) -> Response:
    """The form: a description, or a short profile; a place and radius."""
    return _page(request, templates, MatchForm(), None)


@router.post("/match", include_in_schema=False)
async def match_submit(request: Request, store: StoreDep, templates: TemplatesDep) -> Response:
    """The matches for the submitted form, under the form filled in again."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPE):
        return error_response(request, 415, "Please use the form on the matching page.")
    try:
        form = parse_form_body(await read_capped_body(request))
    except BodyTooLargeError:
        return error_response(request, 413, "The description is too long for one request.")
    except MatchRequestError as exc:
        return error_response(request, 400, f"{exc.field}: {exc.message}")
    try:
        result = await run_in_threadpool(_run, request, store, form_call(form))
    except (MatchRequestError, MatchInputError) as exc:
        form.errors.append(f"{exc.field}: {exc.message}")
        return _page(request, templates, form, None, status=422)
    # the results page is a large render: off the event loop, like the matching itself
    return await run_in_threadpool(_page, request, templates, form, result)
