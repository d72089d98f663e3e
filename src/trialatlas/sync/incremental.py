"""The sync loop: page after page from the registry API into the store, resumable.

Every page goes through the ingest path (normalize → prepare → store: one
transaction per study, the newest version wins, a bad record is rejected alone with
its NCT ID); then the cursor is saved, so a stopped sync resumes at the next page.
A page stored but not yet noted in the cursor (a stop between the two) is read again
on resuming: its studies are then ``unchanged``. The cursor is dropped once the last
page is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from trialatlas.ingest import IngestSummary, Reject, ingest_records
from trialatlas.sources.ctgov_json import records_from_json_bytes
from trialatlas.store.base import Store
from trialatlas.sync.client import PageTokenRejected, StudiesClient, SyncError, SyncStopped
from trialatlas.sync.cursor import SyncCursor


@dataclass(slots=True)
class SyncEvents:
    """What a sync tells its caller as it goes (every callback optional)."""

    on_start: Callable[[SyncCursor, bool], None] | None = None  # cursor, resumed?
    on_total: Callable[[int], None] | None = None  # studies the server counted
    on_progress: Callable[[int], None] | None = None  # n more studies done
    on_reject: Callable[[Reject], None] | None = None
    on_notice: Callable[[str], None] | None = None  # one line for the operator


def start_cursor(store: Store, source: str, since: str | None) -> tuple[SyncCursor, bool]:
    """The cursor to go on from, and whether it resumes a stopped sync.

    A saved cursor for ``source`` is resumed unless ``since`` names another start
    date. A new sync starts at ``since``, else at the newest last-update date in the
    store (that day is read again: its studies are unchanged), else at the beginning.
    """
    saved_text = store.load_sync_cursor(source)
    saved = SyncCursor.from_json(saved_text) if saved_text is not None else None
    if saved is not None and (since is None or since == saved.since):
        return saved, True
    return SyncCursor(since=since or store.latest_update_posted()), False


def sync_studies(
    store: Store,
    client: StudiesClient,
    since: str | None = None,
    events: SyncEvents | None = None,
) -> IngestSummary:
    """Sync the store with the registry at ``client``'s API root; the counts of the
    whole sync (a resumed one included). Raises :class:`SyncError` when a page cannot
    be had: :class:`SyncStopped`, with the counts until then (the cursor is kept:
    the next run resumes)."""
    events = events or SyncEvents()
    source = client.settings.base_url
    cursor, resumed = start_cursor(store, source, since)
    if events.on_start is not None:
        events.on_start(cursor, resumed)
    summary = cursor.summary()
    if events.on_total is not None and cursor.total is not None:
        events.on_total(cursor.total)
    if events.on_progress is not None and cursor.done:
        events.on_progress(cursor.done)
    while True:
        try:
            page = client.get_page(cursor.since, cursor.page_token, count_total=cursor.pages == 0)
        except PageTokenRejected as exc:
            cursor = cursor.restarted()
            if events.on_notice is not None:
                events.on_notice(f"{exc}; reading again from {cursor.since or 'the start'}")
            continue
        except SyncError as exc:
            raise SyncStopped(str(exc), summary) from exc
        if page.total is not None and cursor.total is None:
            cursor = replace(cursor, total=page.total)
            if events.on_total is not None:
                events.on_total(page.total)
        if page.next_token is not None and page.next_token == cursor.page_token:
            message = f"{client.settings.studies_url}: the same page token came back"
            raise SyncStopped(message, summary)
        records = records_from_json_bytes(
            client.settings.studies_url, page.body, f"page {cursor.pages + 1}"
        )
        ingest_records(
            store,
            records,
            summary,
            on_progress=events.on_progress,
            on_reject=events.on_reject,
        )
        cursor = cursor.after_page(page.next_token, page.newest_update, summary)
        if page.next_token is None:
            store.save_sync_cursor(source, None)
            return summary
        store.save_sync_cursor(source, cursor.to_json())
