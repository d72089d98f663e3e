"""The one URL builder: every link the web app makes (templates, headers, redirects) comes from here.

Templates never glue paths together; they call ``urls.details_url(nct_id)`` and
friends. ``base`` is the prefix the app is mounted under (empty by default).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

STATIC_DIR = Path(__file__).parent / "static"


@cache
def _static_version(path: str) -> str:
    """Short content hash of a packaged static file, for cache busting."""
    file = STATIC_DIR / path
    if not file.is_file():
        return ""
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


class Urls:
    """Builds the app's paths; one instance per app."""

    def __init__(self, base: str = "") -> None:
        self.base = base.rstrip("/")

    def path(self, path: str) -> str:
        return f"{self.base}{path}"

    def home_url(self) -> str:
        return self.path("/")

    def search_url(self, query: str | None = None) -> str:
        """``/search`` or ``/search?q=…`` (the query is URL-encoded)."""
        suffix = f"?{urlencode({'q': query})}" if query else ""
        return self.path(f"/search{suffix}")

    def trial_url(
        self,
        nct_id: str,
        near: str | None = None,
        radius: str | None = None,
        unit: str | None = None,
    ) -> str:
        """The patient-facing page of a trial; ``near``/``radius``/``unit`` fill its clinic finder."""
        query = {k: v for k, v in (("near", near), ("radius", radius), ("unit", unit)) if v}
        suffix = f"?{urlencode(query)}#clinics" if query else ""
        return self.path(f"/trials/{quote(nct_id, safe='')}{suffix}")

    def api_clinics_url(
        self,
        nct_id: str,
        near: str | None = None,
        radius: str | None = None,
        unit: str | None = None,
    ) -> str:
        """The clinic finder's JSON: a trial's sites nearest first from ``near``."""
        query = {k: v for k, v in (("near", near), ("radius", radius), ("unit", unit)) if v}
        suffix = f"?{urlencode(query)}" if query else ""
        return self.path(f"/api/trials/{quote(nct_id, safe='')}/clinics{suffix}")

    def details_url(self, nct_id: str) -> str:
        """The full registry page of a trial."""
        return self.path(f"/trials/{quote(nct_id, safe='')}/details")

    def prescreen_url(self, nct_id: str) -> str:
        """The pre-screening form of a trial (GET shows it, POST judges the answers)."""
        return self.path(f"/trials/{quote(nct_id, safe='')}/prescreen")

    def api_prescreen_url(self, nct_id: str) -> str:
        """The pre-screening questionnaire (GET) and verdicts (POST) as JSON."""
        return self.path(f"/api/trials/{quote(nct_id, safe='')}/prescreen")

    def match_url(self) -> str:
        """The matching page (GET shows the form, POST matches the patient)."""
        return self.path("/match")

    def api_match_url(self) -> str:
        """Matching as JSON (POST)."""
        return self.path("/api/match")

    def api_trial_url(self, nct_id: str) -> str:
        """The JSON twin of the trial pages."""
        return self.path(f"/api/trials/{quote(nct_id, safe='')}")

    def api_v2_study_url(self, nct_id: str) -> str:
        """The whole registry record as API v2 JSON (every character of every text)."""
        return self.path(f"/api/v2/studies/{nct_id}")

    def static_url(self, path: str) -> str:
        """A packaged static file, with a content hash so browsers refetch it when it changes."""
        version = _static_version(path)
        suffix = f"?v={version}" if version else ""
        return self.path(f"/static/{path}{suffix}")

    def docs_url(self) -> str:
        return self.path("/docs")

    def redoc_url(self) -> str:
        return self.path("/redoc")

    def openapi_url(self) -> str:
        return self.path("/openapi.json")

    def healthz_url(self) -> str:
        return self.path("/healthz")

    def docs_asset_url(self, name: str) -> str:
        """Swagger UI / ReDoc files served from the installed package, never a CDN."""
        return self.path(f"/docs-assets/{name}")

    @staticmethod
    def link_header(json_url: str) -> str:
        """``Link`` header value that advertises a page's JSON twin."""
        return f'<{json_url}>; rel="alternate"; type="application/json"'
