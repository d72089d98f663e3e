"""Back-off with jitter, Retry-After and request pacing, on a clock of the test's own."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from trialatlas.sync.rate import RateLimiter
from trialatlas.sync.retry import RetryPolicy, retry_after_s
from trialatlas.sync.settings import SettingsError, sync_settings


def test_backoff_grows_exponentially_with_full_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, base_s=1.0, max_s=10.0, rng=random.Random(3))
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (7, 10.0)]:
        waits = [policy.backoff_s(attempt) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8 and min(waits) < ceiling * 0.2  # spread: jitter
    assert policy.should_retry(7) and not policy.should_retry(8)


def test_retry_after_is_a_floor_never_past_the_cap() -> None:
    policy = RetryPolicy(base_s=0.1, max_s=30.0, rng=random.Random(1))
    assert 5.0 <= policy.backoff_s(1, "5") <= 5.0
    assert policy.backoff_s(1, "3600") == 30.0
    assert policy.backoff_s(1, "soon") <= 0.1  # unreadable: ignored


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
    assert retry_after_s("120", now) == 120.0
    assert retry_after_s("Mon, 05 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_s("Mon, 05 Jan 2026 11:00:00 GMT", now) == 0.0  # already past
    assert retry_after_s(None) is None and retry_after_s("later") is None


def test_requests_start_at_most_rate_per_second() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(5):
        limiter.wait()
        starts.append(now[0])
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)] == [0.25] * 4
    now[0] += 10.0  # idle a while: no wait
    assert limiter.wait() == 0.0
    limiter.hold_off(3.0)  # the server said wait 3 s
    assert limiter.wait() == pytest.approx(3.0)


def test_settings_are_checked_and_the_default_page_is_1000(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIALATLAS_SYNC_PAGE_SIZE", raising=False)
    settings = sync_settings()
    assert settings.page_size == 1000
    assert settings.studies_url == "https://clinicaltrials.gov/api/v2/studies"
    monkeypatch.setenv("TRIALATLAS_SYNC_RATE", "fast")
    with pytest.raises(SettingsError, match="TRIALATLAS_SYNC_RATE: not a number"):
        sync_settings()
    with pytest.raises(SettingsError, match="page size: must be 1 to 1000"):
        sync_settings(rate_per_s=1.0, page_size=5000)
