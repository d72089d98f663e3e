"""``/docs`` (Swagger UI) and ``/redoc`` served offline from the ``fastapi-offline`` package.

FastAPI's own doc pages load Swagger UI and ReDoc from a CDN; TrialAtlas serves no
CDN URL. The ``fastapi-offline`` distribution ships ``swagger-ui-bundle.js``,
``swagger-ui.css`` and ``redoc.standalone.js``; :func:`docs_assets_dir` finds them and
``create_app`` mounts them at ``/docs-assets``. When the package is missing the
pages say so and point to ``/openapi.json``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

from trialatlas.web.deps import TemplatesDep, UrlsDep

router = APIRouter(include_in_schema=False)

ASSETS_PACKAGE = "fastapi_offline"
REQUIRED_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")


def docs_assets_dir() -> Path | None:
    """Folder holding the Swagger UI and ReDoc files, or None when not installed."""
    spec = importlib.util.find_spec(ASSETS_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if all((folder / name).is_file() for name in REQUIRED_ASSETS) else None


def _missing(urls_openapi: str) -> HTMLResponse:
    body = (
        "<!doctype html><meta charset='utf-8'><title>API documentation</title>"
        "<h1>API documentation</h1><p>The offline documentation viewer is not installed "
        "(package <code>fastapi-offline</code>). The API description is at "
        f"<a href='{urls_openapi}'>{urls_openapi}</a>.</p>"
    )
    return HTMLResponse(body, status_code=503)


@router.get("/docs")
def swagger_ui(request: Request, urls: UrlsDep, templates: TemplatesDep) -> Response:
    """Swagger UI over ``/openapi.json``, all assets local, started by a static script
    (no inline script: the page runs under the Content-Security-Policy). The API has
    no OAuth, so there is no OAuth redirect page."""
    if docs_assets_dir() is None:
        return _missing(urls.openapi_url())
    context = {
        "title": f"{request.app.title} API",
        "js_url": urls.docs_asset_url("swagger-ui-bundle.js"),
        "css_url": urls.docs_asset_url("swagger-ui.css"),
    }
    return templates.TemplateResponse(request, "swagger.html", context)


@router.get("/redoc")
def redoc(request: Request, urls: UrlsDep) -> HTMLResponse:
    """ReDoc over ``/openapi.json``, no web fonts, all assets local."""
    if docs_assets_dir() is None:
        return _missing(urls.openapi_url())
    return get_redoc_html(
        openapi_url=urls.openapi_url(),
        title=f"{request.app.title} API",
        redoc_js_url=urls.docs_asset_url("redoc.standalone.js"),
        redoc_favicon_url=urls.static_url("favicon.svg"),
        with_google_fonts=False,
    )
