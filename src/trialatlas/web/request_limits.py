"""Request size limits, checked before anything is read or parsed (pure ASGI).

- A body longer than ``max_body_bytes`` gets a 413 without being read: at once when
  ``Content-Length`` says so, otherwise as soon as the streamed body passes the limit
  (the bytes read so far are dropped; nothing is parsed).
- A query string longer than ``max_query_chars`` gets a 414.

Free-text lengths and page sizes are checked by each endpoint's parameters (422).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trialatlas.web.errors import error_response

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024  # a patient description is 20,000 characters at most
DEFAULT_MAX_QUERY_CHARS = 8 * 1024


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the limit of {limit:,} bytes.")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestLimitsMiddleware:
    """Refuses over-long bodies (413) and query strings (414) before the app reads them."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_query_chars: int = DEFAULT_MAX_QUERY_CHARS,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_query_chars = max_query_chars

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query_chars:
            message = (
                f"The query string is longer than the limit of {self.max_query_chars:,} characters."
            )
            await self._refuse(scope, receive, send, HTTPException(414, message))
            return
        length = _content_length(scope)
        if length is not None and length > self.max_body_bytes:
            await self._refuse(scope, receive, send, BodyTooLarge(self.max_body_bytes))
            return
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        limit = self.max_body_bytes
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        return counted

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, exc: HTTPException) -> None:
        """Answer with the app's own error shape (JSON for programs, a page for people)."""
        response = error_response(Request(scope), exc.status_code, str(exc.detail))
        await response(scope, receive, send)
