"""Security headers on every response (pure ASGI, so streamed and error responses too).

- ``Content-Security-Policy``: scripts, styles, images, fonts and connections from this
  site only; no inline script, no inline style, no third-party origin; no framing
  (``frame-ancestors 'none'``), no plugins, forms post only here.
- The two API documentation viewers (``/docs``, ``/redoc``) load their bundles from
  this site too (``/docs-assets``), but their renderers set styles at run time and
  ReDoc runs its search in a ``blob:`` worker, so those two pages get a policy that
  allows inline *styles* (never inline script) and ``blob:`` workers.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` (a patient's
  search never leaks to another site through the Referer), ``X-Frame-Options: DENY``
  for browsers without CSP level 2, ``Permissions-Policy`` turning off every powerful
  feature, ``Cross-Origin-Opener-Policy: same-origin``.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/redoc"})
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
COMMON_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("cross-origin-opener-policy", "same-origin"),
)
SERVER_BANNERS = frozenset({b"server", b"x-powered-by"})


def policy_for(path: str) -> str:
    """The Content-Security-Policy for a path (relative to the app's root)."""
    return DOCS_POLICY if path.rstrip("/") in DOCS_PATHS else PAGE_POLICY


def security_headers(path: str) -> list[tuple[str, str]]:
    """Every security header a response to ``path`` carries, as (name, value) pairs."""
    return [("content-security-policy", policy_for(path)), *COMMON_HEADERS]


def _app_path(scope: Scope) -> str:
    path = str(scope.get("path", "/"))
    root = str(scope.get("root_path", ""))
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    return path


def _merged(
    raw: Iterable[tuple[bytes, bytes]], extra: list[tuple[str, str]]
) -> list[tuple[bytes, bytes]]:
    names = {name.encode("latin-1") for name, _ in extra}
    kept = [(k, v) for k, v in raw if k.lower() not in names and k.lower() not in SERVER_BANNERS]
    return kept + [(k.encode("latin-1"), v.encode("latin-1")) for k, v in extra]


class SecurityHeadersMiddleware:
    """Adds :func:`security_headers` to every HTTP response (replacing any the app set)
    and drops a ``server`` / ``x-powered-by`` banner set by the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(_app_path(scope))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _merged(message.get("headers", []), extra)}
            await send(message)

        await self.app(scope, receive, send_with_headers)
