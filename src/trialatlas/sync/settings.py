"""What a sync is told: the API root, the request rate, page size and retry limits.

Built at start-up by :func:`sync_settings` (options, then ``TRIALATLAS_SYNC_*``
environment, then defaults), never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
MAX_PAGE_SIZE = 1000  # the API's largest page


@dataclass(frozen=True, slots=True)
class SyncSettings:
    """One sync's settings. ``rate_per_s``: requests started per second at most."""

    base_url: str = DEFAULT_BASE_URL
    rate_per_s: float = 1.0
    page_size: int = MAX_PAGE_SIZE
    timeout_s: float = 60.0  # connect/read timeout of one request
    max_attempts: int = 6  # tries of one request (the first included)
    backoff_base_s: float = 1.0  # first back-off; doubles after every failed try
    backoff_max_s: float = 60.0  # no single wait is longer (Retry-After included)

    @property
    def studies_url(self) -> str:
        """The endpoint: ``{base_url}/studies``."""
        return f"{self.base_url}/studies"


class SettingsError(ValueError):
    """A sync setting is out of range (the message names it)."""


def sync_settings(
    base_url: str | None = None, rate_per_s: float | None = None, **overrides: object
) -> SyncSettings:
    """Settings from explicit values, then ``TRIALATLAS_SYNC_BASE_URL`` /
    ``TRIALATLAS_SYNC_RATE`` / ``TRIALATLAS_SYNC_PAGE_SIZE``, then the defaults."""
    env = os.environ
    values: dict[str, object] = {
        "base_url": (base_url or env.get("TRIALATLAS_SYNC_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        ),
    }
    rate = rate_per_s if rate_per_s is not None else _number(env, "TRIALATLAS_SYNC_RATE")
    if rate is not None:
        values["rate_per_s"] = rate
    page_size = _number(env, "TRIALATLAS_SYNC_PAGE_SIZE")
    if page_size is not None:
        values["page_size"] = int(page_size)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = SyncSettings(**values)  # type: ignore[arg-type]
    _check(settings)
    return settings


def _number(env: Mapping[str, str], name: str) -> float | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise SettingsError(f"{name}: not a number: {text!r}") from None


def _check(settings: SyncSettings) -> None:
    if not settings.base_url.startswith(("http://", "https://")):
        raise SettingsError(f"base URL: not an http(s) URL: {settings.base_url!r}")
    if not settings.rate_per_s > 0:
        raise SettingsError(f"rate: must be above 0 requests per second, not {settings.rate_per_s}")
    if not 1 <= settings.page_size <= MAX_PAGE_SIZE:
        raise SettingsError(f"page size: must be 1 to {MAX_PAGE_SIZE}, not {settings.page_size}")
    if settings.max_attempts < 1:
        raise SettingsError(f"attempts: at least 1, not {settings.max_attempts}")
