"""When to try a request again, and how long to wait first.

Retried: HTTP 429 and 5xx answers, timeouts and failed connections. Waits grow
exponentially (``base · 2^n``, capped) with full jitter, so many clients do not
retry in step; a ``Retry-After`` header (seconds or an HTTP date) is honoured, up
to the cap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(slots=True)
class RetryPolicy:
    """How many tries a request gets and the wait before each retry."""

    max_attempts: int = 6
    base_s: float = 1.0
    max_s: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def should_retry(self, attempt: int) -> bool:
        """True while ``attempt`` (1 = the first try, just failed) leaves tries to go."""
        return attempt < self.max_attempts

    def backoff_s(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed try ``attempt`` (1-based).

        Full jitter: uniform in ``[0, min(max_s, base_s · 2^(attempt-1))]``; a server's
        ``Retry-After`` is a floor (never waited past ``max_s``).
        """
        ceiling = min(self.max_s, self.base_s * (2 ** (attempt - 1)))
        wait = self.rng.uniform(0.0, ceiling)
        asked = retry_after_s(retry_after)
        if asked is not None:
            wait = max(wait, min(asked, self.max_s))
        return wait


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds (delta-seconds or an HTTP date); None when
    absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
