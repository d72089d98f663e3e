"""Security headers on every response (issue 14, item 8): a CSP with no inline script and
no third-party origin, nosniff, no framing, no referrer, a Permissions-Policy, no server
banner; and every page runs under that CSP in a real browser (no violation reported)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from browser_support import free_port

from trialatlas.web.security_headers import DOCS_POLICY, PAGE_POLICY

SEED = "NCT06001853"
TEMPLATES = Path(__file__).parents[2] / "src" / "trialatlas" / "web" / "templates"
PATHS = [
    "/",
    "/search?q=back+pain",
    f"/trials/{SEED}",
    f"/trials/{SEED}/details",
    f"/trials/{SEED}/prescreen",
    "/match",
    "/docs",
    "/redoc",
    "/healthz",
    "/openapi.json",
    "/api/search?q=back",
    f"/api/trials/{SEED}",
    "/api/v2/studies",
    f"/fhir/ResearchStudy/{SEED}",
    "/static/app.css",
    "/no/such/page",  # 404 page
    "/api/trials/NCT00000000",  # JSON 404
]


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in policy.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _assert_secure(headers: httpx.Headers, path: str) -> None:
    policy = headers.get("content-security-policy")
    assert policy, path
    directives = _directives(policy)
    assert directives["frame-ancestors"] == ["'none'"], path
    assert directives["script-src"] == ["'self'"], path  # no inline script, no other origin
    assert directives["object-src"] == ["'none'"], path
    assert directives["default-src"] == ["'none'"], path
    for sources in directives.values():
        for source in sources:
            assert source.startswith("'") or source in ("data:", "blob:"), (path, source)
    if path.split("?")[0] not in ("/docs", "/redoc"):
        assert directives["style-src"] == ["'self'"], path
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("referrer-policy") == "no-referrer", path
    assert "geolocation=()" in headers.get("permissions-policy", ""), path
    assert headers.get("x-frame-options") == "DENY", path
    assert "server" not in headers, path


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404), (path, response.status_code)
    _assert_secure(response.headers, path)


def test_errors_and_refusals_carry_them_too(client) -> None:
    for response in (
        client.post(f"/api/trials/{SEED}/prescreen", content=b"{not json"),  # 422
        client.post("/api/match", content=b"x" * (3 * 1024 * 1024)),  # 413
        client.get("/api/search?q=" + "a" * 20_000),  # 414
        client.post("/search"),  # 405
    ):
        assert response.status_code >= 400
        _assert_secure(response.headers, "error")


def test_only_the_docs_viewers_get_inline_styles() -> None:
    assert "'unsafe-inline'" not in PAGE_POLICY
    assert "'unsafe-inline'" in _directives(DOCS_POLICY)["style-src"]
    assert "'unsafe-inline'" not in _directives(DOCS_POLICY)["script-src"]


def test_no_template_has_inline_script_style_or_handler() -> None:
    """What the CSP would block: inline <script>, <style>, style= and on…= attributes."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.I)
    for template in TEMPLATES.rglob("*.html"):
        found = inline.search(template.read_text())
        assert found is None, (template.name, found and found.group(0))


def test_trialatlas_serve_sends_no_server_banner(seed_store_path: str) -> None:
    """The real ``trialatlas serve`` command (uvicorn), not the in-process client."""
    port = free_port()
    command = [sys.executable, "-m", "trialatlas", "serve", "--db", seed_store_path]
    command += ["--port", str(port), "--no-sample"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        response = None
        for _ in range(300):
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode() if server.stderr else "exited")
                time.sleep(0.1)
        assert response is not None and response.status_code == 200
        assert "server" not in response.headers
        _assert_secure(response.headers, "/healthz")
    finally:
        server.terminate()
        server.wait(timeout=20)


# ReDoc always shows its vendor's logo from a CDN: the policy blocks that request (the
# viewer hides the broken image), which is the point of "no third-party origin".
BLOCKED_ON_PURPOSE = {"img-src https://cdn.redoc.ly/redoc/logo-mini.svg"}
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "h1"),
        (f"/trials/{SEED}", "h1"),
        (f"/trials/{SEED}/details", "h1"),
        (f"/trials/{SEED}/prescreen", "h1"),
        ("/match", "h1"),
        ("/search?q=back+pain", "h1"),
        ("/docs", ".swagger-ui .info .title"),
        ("/redoc", "h1"),
    ],
)
def test_pages_run_under_the_policy_in_chromium(
    chromium, seed_server: str, path: str, ready: str
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.add_init_script(CSP_WATCH)
    try:
        response = page.goto(f"{seed_server}{path}")
        assert response is not None and response.status == 200
        assert response.headers.get("content-security-policy")
        page.wait_for_selector(ready, timeout=15_000)
        assert "TrialAtlas" in page.locator(ready).first.inner_text() or path not in (
            "/docs",
            "/redoc",
        )
        page.wait_for_timeout(300)  # late violations (workers, fonts) are reported too
        violations = [v for v in page.evaluate("window.__csp") if v not in BLOCKED_ON_PURPOSE]
        assert violations == [], violations
        blocked = [m for m in console if "Content Security Policy" in m]
        assert not [m for m in blocked if "cdn.redoc.ly/redoc/logo-mini.svg" not in m], blocked
    finally:
        context.close()
