"""Pre-screening: ``/trials/{nct_id}/prescreen`` (a form that works without JavaScript)
and its JSON twin ``/api/trials/{nct_id}/prescreen``.

GET gives the questionnaire, POST the verdicts; both come from the same feature
results. Answers arrive in the request body only (never in the URL, so they never
reach access logs), are not logged or stored, and every response carries
``Cache-Control: no-store`` — errors too (malformed JSON, an unknown trial), as the
routes' own class puts it on whatever the handler or the app's error handlers give.
"""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from trialatlas.features.prescreen import (
    AnswerProblem,
    PrescreenInputError,
    PrescreenResult,
    Questionnaire,
    answer_problems,
    problems_message,
    questionnaire,
    read_input,
    screen,
    unknown_answer_ids,
)
from trialatlas.features.text_bounds import MAX_CRITERIA_LINES
from trialatlas.features.trial_page import canonical_nct_id
from trialatlas.features.trial_sections import registry_url
from trialatlas.model.study import Study
from trialatlas.model.validation_errors import shown_name
from trialatlas.store.base import Store
from trialatlas.web.deps import StoreDep, TemplatesDep, UrlsDep
from trialatlas.web.errors import error_response, json_error, unknown_trial
from trialatlas.web.rendering import render_page

log = logging.getLogger(__name__)

NO_STORE = "no-store"
MAX_FORM_VALUE = 200
MAX_NAMED_IDS = 10
NOT_FOUND = {
    "description": "No trial with this NCT ID",
    "content": {
        "application/json": {
            "example": {"error": {"code": "not_found", "message": "No trial NCT00000000"}}
        }
    },
}
BAD_BODY = {
    "description": (
        "The body is not answers, a profile or a FHIR Bundle, an answer id names no "
        "question, or an answer is impossible (an age of 200, 150 on a 0 to 100 mm scale, a "
        "date in the future: code invalid_answer); the message names the field or the ids, "
        "never the value sent"
    ),
    "content": {
        "application/json": {
            "example": {
                "error": {
                    "code": "invalid_request",
                    "message": "profile.labs.0.value: Input should be a valid number",
                }
            }
        }
    },
}
BODY_EXAMPLES = {
    "answers": {
        "summary": "Answers by question id",
        "value": {"answers": {"age": 52, "c7a": {"value": 6, "unit": "cm"}, "c12": "no"}},
    },
    "profile": {
        "summary": "A patient profile (docs/patient-profile.md)",
        "value": {
            "profile": {
                "age": 52,
                "sex": "female",
                "labs": [{"name": "low back pain VAS", "value": 60, "unit": "mm"}],
            }
        },
    },
    "fhir": {
        "summary": "A FHIR R4 Bundle",
        "value": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {
                    "resource": {
                        "resourceType": "Patient",
                        "gender": "female",
                        "birthDate": "1972-03-04",
                    }
                }
            ],
        },
    },
}


def _error_handler(request: Request, exc: Exception) -> Callable[..., Any] | None:
    """The app's handler for ``exc`` (as Starlette would pick it), or None."""
    handlers = getattr(request.app, "exception_handlers", {})
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None  # unexpected: answered by _unexpected, never the generic handler
        if cls in handlers:
            return handlers[cls]
    return None


def _unexpected(request: Request, exc: Exception) -> Response:
    """A 500 whose log line never carries the exception's message: a message can quote
    what the patient sent (a validation error repeats the input), and answers and
    profiles are never logged. The stack frames and the exception's type are kept."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "unhandled error on %s %s: %s (message withheld)\n%s",
        request.method,
        request.url.path,
        type(exc).__name__,
        frames,
    )
    return error_response(request, 500, "Something went wrong on our side. Please try again later.")


class NoStoreRoute(APIRoute):
    """A route whose every response, errors included, carries ``Cache-Control: no-store``.

    Errors raised before or inside the endpoint (malformed JSON, a trial that does
    not exist) are answered here by the app's own handlers, so the header is set on
    them too.
    """

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def no_store(request: Request) -> Response:
            try:
                response = await handler(request)
            except Exception as exc:
                respond = _error_handler(request, exc)
                if respond is None:
                    response = _unexpected(request, exc)
                elif inspect.iscoroutinefunction(respond):
                    response = await respond(request, exc)
                else:
                    response = await run_in_threadpool(respond, request, exc)
            response.headers["Cache-Control"] = NO_STORE
            return response

        return no_store


router = APIRouter(tags=["prescreen"], route_class=NoStoreRoute)


def _unknown_ids_error(unknown: list[str], nct_id: str) -> Response:
    # question ids are names; free text sent in their place is not repeated
    named = ", ".join(
        f"'{i}'" if shown_name(i, "") else "a key that is not an id"
        for i in unknown[:MAX_NAMED_IDS]
    )
    more = f" and {len(unknown) - MAX_NAMED_IDS} more" if len(unknown) > MAX_NAMED_IDS else ""
    message = (
        f"answers: no question has the id {named}{more}; "
        f"GET /api/trials/{nct_id}/prescreen lists the question ids"
    )
    return json_error(422, message, "invalid_request")


def _study(store: Store, nct_id: str) -> Study:
    canonical = canonical_nct_id(nct_id)
    study = store.get_study(canonical) if canonical else None
    if study is None:
        raise unknown_trial(nct_id)
    return study


def _page(
    request: Request,
    templates: TemplatesDep,
    urls: UrlsDep,
    form: Questionnaire,
    result: PrescreenResult | None,
    values: dict[str, str],
    problems: list[AnswerProblem] | None = None,
) -> Response:
    context = {
        "form": form,
        "result": result,
        "values": values,
        "problems": {p.question_id: p.message for p in problems or []},
        "registry_url": registry_url(form.nct_id),  # the full criteria when they were cut
        "criteria_lines": MAX_CRITERIA_LINES,
    }
    response = render_page(
        request,
        templates,
        "prescreen.html",
        context,
        json_url=urls.api_prescreen_url(form.nct_id),
        status_code=422 if problems else 200,
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


@router.get("/trials/{nct_id}/prescreen", include_in_schema=False)
async def prescreen_form(
    request: Request, nct_id: str, store: StoreDep, templates: TemplatesDep, urls: UrlsDep
) -> Response:
    """The questionnaire as a form (no JavaScript needed)."""
    canonical = canonical_nct_id(nct_id)
    if canonical is not None and canonical != nct_id:
        return RedirectResponse(urls.prescreen_url(canonical), status_code=301)
    study = await run_in_threadpool(_study, store, nct_id)
    form = await run_in_threadpool(questionnaire, study)
    return await run_in_threadpool(_page, request, templates, urls, form, None, {})


@router.post("/trials/{nct_id}/prescreen", include_in_schema=False)
async def prescreen_submit(
    request: Request, nct_id: str, store: StoreDep, templates: TemplatesDep, urls: UrlsDep
) -> Response:
    """The verdicts for the submitted form, above the form filled in again."""
    study = await run_in_threadpool(_study, store, nct_id)
    data = await request.form(max_fields=500)
    values = {str(k): v[:MAX_FORM_VALUE] for k, v in data.multi_items() if isinstance(v, str)}
    form = await run_in_threadpool(questionnaire, study)
    # screening and the page render are CPU work: off the event loop
    return await run_in_threadpool(_submitted_page, request, templates, urls, form, values)


def _submitted_page(
    request: Request,
    templates: TemplatesDep,
    urls: UrlsDep,
    form: Questionnaire,
    values: dict[str, str],
) -> Response:
    problems = answer_problems(form, values)
    if problems:  # no verdict on an impossible answer: say what to fix beside the field
        return _page(request, templates, urls, form, None, values, problems)
    result = screen(form, values)
    return _page(request, templates, urls, form, result, values)


@router.get(
    "/api/trials/{nct_id}/prescreen",
    response_model=Questionnaire,
    responses={404: NOT_FOUND},
    summary="The pre-screening questionnaire of a trial",
)
async def api_questionnaire(
    nct_id: str, store: StoreDep, urls: UrlsDep, response: Response
) -> Questionnaire:
    """One plain question per checkable criterion, grouped; each says which criterion it
    checks and which answer goes against it. Criteria only the study team can check
    are listed in ``team_checks``."""
    study = await run_in_threadpool(_study, store, nct_id)
    response.headers["Link"] = (
        f'<{urls.prescreen_url(study.nct_id)}>; rel="alternate"; type="text/html"'
    )
    return await run_in_threadpool(questionnaire, study)


@router.post(
    "/api/trials/{nct_id}/prescreen",
    response_model=PrescreenResult,
    responses={404: NOT_FOUND, 422: BAD_BODY},
    summary="Pre-screen answers, a patient profile or a FHIR Bundle against a trial",
)
async def api_prescreen(
    nct_id: str,
    store: StoreDep,
    body: Annotated[Any, Body(openapi_examples=BODY_EXAMPLES)],
) -> Response:
    """A verdict per criterion (met / not met / unknown, with the reason) and overall
    (likely eligible / likely not eligible / needs the study team). An unknown never
    counts as met. Nothing sent here is stored or logged."""
    study = await run_in_threadpool(_study, store, nct_id)
    try:
        given = read_input(body)
    except PrescreenInputError as exc:
        return json_error(422, f"{exc.field}: {exc.message}", "invalid_request")
    form = await run_in_threadpool(questionnaire, study)
    unknown = unknown_answer_ids(form, given.answers)
    if unknown:  # like an unknown profile field: a typo must not turn into "no answer"
        return _unknown_ids_error(unknown, study.nct_id)
    problems = answer_problems(form, given.answers)
    if problems:  # an impossible answer never gets a verdict; the message names the field
        return json_error(422, problems_message(problems), "invalid_answer")
    result = await run_in_threadpool(screen, form, given)
    return JSONResponse(result.model_dump(mode="json"), headers={"Cache-Control": NO_STORE})
