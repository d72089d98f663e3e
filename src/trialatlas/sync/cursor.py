"""Where a sync stands, kept in the store after every stored page so a stopped sync
resumes there (:meth:`Store.save_sync_cursor`, one row per API root)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import orjson

from trialatlas.ingest import IngestSummary


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """A sync's query (``since``: studies updated on or after it; None: all), the token
    of the next page to read (None: the first), what is done so far, and the newest
    last-update date stored (the restart point if the server forgets the token)."""

    since: str | None
    page_token: str | None = None
    pages: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    total: int | None = None
    newest_update: str | None = None

    @property
    def done(self) -> int:
        """Studies read so far (every outcome counted)."""
        return self.loaded + self.updated + self.unchanged + self.rejected

    def summary(self) -> IngestSummary:
        """The counts so far, as a summary that goes on counting."""
        return IngestSummary(self.loaded, self.updated, self.unchanged, self.rejected)

    def after_page(
        self, next_token: str | None, newest_update: str | None, summary: IngestSummary
    ) -> SyncCursor:
        """The cursor once a page is stored: its counts and the next page's token."""
        newest = max(filter(None, (self.newest_update, newest_update)), default=None)
        return replace(
            self,
            page_token=next_token,
            pages=self.pages + 1,
            loaded=summary.loaded,
            updated=summary.updated,
            unchanged=summary.unchanged,
            rejected=summary.rejected,
            newest_update=newest,
        )

    def restarted(self) -> SyncCursor:
        """The same sync from its newest stored date on, without a page token (what was
        read up to that date is read again: unchanged)."""
        return replace(self, since=self.newest_update or self.since, page_token=None)

    def to_json(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def from_json(cls, text: str) -> SyncCursor | None:
        """The cursor in ``text``; None when it is not one (it is then started afresh)."""
        try:
            data = orjson.loads(text)
            return cls(**data) if isinstance(data, dict) else None
        except (orjson.JSONDecodeError, TypeError):
            return None
