"""Render a feature result as an HTML page that advertises its JSON twin."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from trialatlas.web.urls import Urls


def render_page(
    request: Request,
    templates: Jinja2Templates,
    name: str,
    context: dict[str, Any],
    *,
    json_url: str | None = None,
    status_code: int = 200,
) -> Response:
    """The template filled with ``context``; ``Link: <json_url>; rel="alternate"`` when given."""
    response = templates.TemplateResponse(
        request, name, {"json_url": json_url, **context}, status_code=status_code
    )
    if json_url:
        response.headers["Link"] = Urls.link_header(json_url)
    return response
