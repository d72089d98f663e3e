"""Request pacing: requests start at most ``rate_per_s`` times a second."""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    """Spaces request starts ``1 / rate_per_s`` seconds apart (retries included).

    ``clock`` and ``sleep`` are the monotonic clock and the sleep to use (a test may
    pass its own to run without waiting).
    """

    def __init__(
        self,
        rate_per_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate_per_s > 0:
            raise ValueError(f"rate must be above 0 requests per second, not {rate_per_s}")
        self.interval_s = 1.0 / rate_per_s
        self._clock, self._sleep = clock, sleep
        self._next_start: float | None = None

    def wait(self) -> float:
        """Block until the next request may start; the seconds waited."""
        now = self._clock()
        waited = 0.0
        if self._next_start is not None and now < self._next_start:
            waited = self._next_start - now
            self._sleep(waited)
            now = self._next_start
        self._next_start = now + self.interval_s
        return waited

    def hold_off(self, seconds: float) -> None:
        """No request starts for ``seconds`` from now (a server's Retry-After)."""
        until = self._clock() + seconds
        if self._next_start is None or until > self._next_start:
            self._next_start = until
