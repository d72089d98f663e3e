"""One page of studies from the ClinicalTrials.gov API v2 ``/studies`` endpoint.

``GET {base}/studies?format=json&pageSize=N&sort=LastUpdatePostDate:asc
&query.term=AREA[LastUpdatePostDate]RANGE[since,MAX]&pageToken=…`` (``countTotal=true``
on the first page). Oldest update first, so a study updated while a sync runs moves
behind the pages still to come and is read there. Requests are paced by a
:class:`RateLimiter` and retried by a :class:`RetryPolicy`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from trialatlas.ingest import IngestSummary
from trialatlas.sync.rate import RateLimiter
from trialatlas.sync.retry import RETRIED_STATUSES, RetryPolicy
from trialatlas.sync.settings import SyncSettings

SORT = "LastUpdatePostDate:asc"


class SyncError(Exception):
    """The registry cannot be read as asked (the message says which request and why)."""


class SyncStopped(SyncError):
    """A sync stopped before its last page; ``summary``: what it stored until then."""

    def __init__(self, message: str, summary: IngestSummary) -> None:
        super().__init__(message)
        self.summary = summary


class PageTokenRejected(SyncError):
    """The server refused a page token (expired, or from another query)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page as served: its body (the JSON text, read again record by record), how
    many studies it holds, the next page's token (None on the last page), the total
    the server counted (first page only) and the newest last-update date on it."""

    body: bytes
    study_count: int
    next_token: str | None
    total: int | None
    newest_update: str | None


def studies_query(
    since: str | None, page_token: str | None, page_size: int, count_total: bool
) -> dict[str, str]:
    """The query parameters of one page request."""
    params = {"format": "json", "pageSize": str(page_size), "sort": SORT}
    if since:
        params["query.term"] = f"AREA[LastUpdatePostDate]RANGE[{since},MAX]"
    if count_total:
        params["countTotal"] = "true"
    if page_token:
        params["pageToken"] = page_token
    return params


class StudiesClient:
    """Reads pages of studies over HTTP, paced and retried (use as a context manager).

    ``on_retry(reason, wait_s)`` is told of every failed try that will be retried.
    """

    def __init__(
        self,
        settings: SyncSettings,
        *,
        rate: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        on_retry: Callable[[str, float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.rate = rate or RateLimiter(settings.rate_per_s)
        self.retry = retry or RetryPolicy(
            settings.max_attempts, settings.backoff_base_s, settings.backoff_max_s
        )
        self.on_retry = on_retry
        self._http = httpx.Client(
            timeout=settings.timeout_s,
            follow_redirects=True,
            headers={"User-Agent": "TrialAtlas sync", "Accept": "application/json"},
            transport=transport,
        )

    def __enter__(self) -> StudiesClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def get_page(
        self, since: str | None, page_token: str | None, *, count_total: bool = False
    ) -> Page:
        """The page at ``page_token`` (None: the first) of the studies updated on or
        after ``since`` (None: all). Raises :class:`SyncError` when it cannot be had."""
        url = self.settings.studies_url
        params = studies_query(since, page_token, self.settings.page_size, count_total)
        attempt = 0
        while True:
            attempt += 1
            self.rate.wait()
            retry_after = None
            try:
                response = self._http.get(url, params=params)
            except httpx.TimeoutException as exc:
                failure = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                failure = f"connection failed ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if status == 200:
                    page = _read_page(response.content, url)
                    if isinstance(page, Page):
                        return page
                    failure = page  # an unreadable body: maybe cut short, try again
                elif status in RETRIED_STATUSES:
                    failure = f"HTTP {status}"
                    retry_after = response.headers.get("Retry-After")
                else:
                    raise _refused(url, response, page_token)
            if not self.retry.should_retry(attempt):
                raise SyncError(f"GET {url}: gave up after {attempt} tries: {failure}")
            wait_s = self.retry.backoff_s(attempt, retry_after)
            if self.on_retry is not None:
                self.on_retry(failure, wait_s)
            self.rate.hold_off(wait_s)


def _read_page(body: bytes, url: str) -> Page | str:
    """The page in ``body``; why not, when it may be a cut-short answer (tried again).
    Raises :class:`SyncError` for JSON that is not a studies page (not the API)."""
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return f"the answer is not JSON ({exc})"
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise SyncError(f"GET {url}: the answer is not an API v2 studies page (no 'studies' list)")
    token = data.get("nextPageToken")
    total = data.get("totalCount")
    return Page(
        body=body,
        study_count=len(data["studies"]),
        next_token=token if isinstance(token, str) and token else None,
        total=total if isinstance(total, int) else None,
        newest_update=_newest_update(data["studies"]),
    )


def _newest_update(studies: list[Any]) -> str | None:
    dates = []
    for study in studies:
        try:
            date = study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
        except (KeyError, TypeError):
            continue
        if isinstance(date, str):
            dates.append(date)
    return max(dates, default=None)


def _refused(url: str, response: httpx.Response, page_token: str | None) -> SyncError:
    said = response.text.strip().replace("\n", " ")[:300]
    message = f"GET {url}: HTTP {response.status_code}" + (f": {said}" if said else "")
    if response.status_code == 400 and page_token:
        return PageTokenRejected(message)
    return SyncError(message)
