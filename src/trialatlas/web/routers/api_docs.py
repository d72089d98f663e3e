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
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

from trialatlas.web.deps import UrlsDep

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
def swagger_ui(request: Request, urls: UrlsDep) -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, all assets local."""
    if docs_assets_dir() is None:
        return _missing(urls.openapi_url())
    return get_swagger_ui_html(
        openapi_url=urls.openapi_url(),
        title=f"{request.app.title} API",
        oauth2_redirect_url=urls.path("/docs/oauth2-redirect"),
        swagger_js_url=urls.docs_asset_url("swagger-ui-bundle.js"),
        swagger_css_url=urls.docs_asset_url("swagger-ui.css"),
        swagger_favicon_url=urls.static_url("favicon.svg"),
        swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
    )


@router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


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
