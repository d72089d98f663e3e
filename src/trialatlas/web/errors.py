"""Errors: JSON ``{"error": {"code", "message"}}`` for programs, a friendly page for people.

Paths under ``/api/`` and ``/fhir/`` (and ``/healthz``, ``/openapi.json``) always get
JSON; everything else gets an HTML page. A stack trace is logged, never shown.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from trialatlas.model.nct_id import is_nct_id
from trialatlas.model.validation_errors import error_location, error_message
from trialatlas.web.security_headers import security_headers

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/fhir/")
JSON_PATHS = frozenset({"/api", "/fhir", "/healthz", "/openapi.json"})

ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class NotFoundError(Exception):
    """A thing a person or program asked for does not exist (unknown NCT ID, …)."""

    def __init__(self, message: str, *, nct_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.nct_id = nct_id


def unknown_trial(nct_id: str) -> NotFoundError:
    """404 for a trial ID the store does not hold: a well-formed NCT ID is repeated,
    anything else typed into its place is not."""
    canonical = nct_id.strip().upper()
    if not is_nct_id(canonical):
        return NotFoundError("We could not find a trial with this ID.", nct_id="?")
    return NotFoundError(f"We could not find a trial with the ID “{canonical}”.", nct_id=canonical)


def wants_json(request: Request) -> bool:
    """Programs' paths get JSON errors; people's pages get HTML."""
    path = request.url.path
    root = request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    return path in JSON_PATHS or path.startswith(JSON_PREFIXES)


def json_error(status: int, message: str, code: str | None = None) -> JSONResponse:
    """The API's error body with a proper status."""
    body = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": message}}
    return JSONResponse(body, status_code=status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def html_error(request: Request, status: int, message: str, nct_id: str | None = None) -> Response:
    """The people's error page (404 page for unknown things, a general one otherwise)."""
    state = getattr(request.app.state, "trialatlas", None)
    if state is None:  # pragma: no cover - only before create_app finished
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)
    name = "404.html" if status == 404 else "error.html"
    title = _phrase(status)
    context = {"status": status, "title": title, "message": message, "nct_id": nct_id}
    return state.templates.TemplateResponse(request, name, context, status_code=status)


def error_response(
    request: Request,
    status: int,
    message: str,
    *,
    code: str | None = None,
    nct_id: str | None = None,
) -> Response:
    if wants_json(request):
        return json_error(status, message, code)
    return html_error(request, status, message, nct_id)


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotFoundError)
    return error_response(request, 404, exc.message, nct_id=exc.nct_id)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404 and exc.detail in (None, "Not Found"):
        message = "There is nothing at this address."
    elif isinstance(exc.detail, str):
        message = exc.detail
    else:
        message = _phrase(status)
    response = error_response(request, status, message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        if err.get("type") == "json_invalid":  # loc is ("body", character offset)
            at = [p for p in err.get("loc", ()) if isinstance(p, int)]
            parts.append(
                f"body: not valid JSON (at character {at[0]})" if at else "body: not valid JSON"
            )
            continue
        where = error_location(err, skip=("body",))  # the rule, never the value sent
        parts.append(f"{where}: {error_message(err)}" if where else error_message(err))
    return "; ".join(parts) or "The request is not valid."


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    message = _describe_validation(exc)
    if wants_json(request):
        return json_error(422, message, "invalid_request")
    return html_error(request, 400, message)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = "Something went wrong on our side. Please try again later."
    response = error_response(request, 500, message)
    # answered outside the app's middleware (by Starlette's outermost one): headers here
    for name, value in security_headers(request.url.path):
        response.headers[name] = value
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Register every error handler on ``app``."""
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
