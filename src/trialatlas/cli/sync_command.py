"""``trialatlas sync``: bring the store up to date from the ClinicalTrials.gov API v2."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trialatlas.cli.options import DbOption
from trialatlas.cli.options import open_store_for as _open
from trialatlas.settings import load_settings

if TYPE_CHECKING:  # imported when the command runs (every command module loads at start-up)
    from trialatlas.ingest import IngestSummary
    from trialatlas.store.base import Store
    from trialatlas.sync.client import StudiesClient
    from trialatlas.sync.cursor import SyncCursor
    from trialatlas.sync.incremental import SyncEvents
    from trialatlas.sync.settings import SyncSettings


def register(app: typer.Typer) -> None:
    app.command()(sync)


def sync(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Studies updated on or after this date, YYYY-MM-DD"
            " (default: the newest update in the store; an empty store: every study).",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="API v2 root, {URL}/studies is read (default https://clinicaltrials.gov/api/v2;"
            " env TRIALATLAS_SYNC_BASE_URL).",
        ),
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate", help="Requests per second at most (default 1; env TRIALATLAS_SYNC_RATE)."
        ),
    ] = None,
    page_size: Annotated[int | None, typer.Option("--page-size", hidden=True)] = None,
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Sync from the registry API (incremental, resumable); the last line is
    `loaded N, updated N, unchanged N, rejected N`."""
    from trialatlas.sync.settings import SettingsError, sync_settings

    if since is not None:
        since = _checked_date(since)
    try:
        sync_config = sync_settings(base_url, rate, page_size=page_size)
    except SettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = load_settings(db=db)
    store = _open(settings, create=True)
    try:
        summary, failure = run_sync(store, sync_config, since, settings.rejects_path, quiet)
    finally:
        store.close()
    if failure is not None:
        typer.echo(f"error: {failure}; run `trialatlas sync` again to resume", err=True)
    typer.echo(summary.line)
    if failure is not None:
        raise typer.Exit(2)


def run_sync(
    store: Store,
    sync_config: SyncSettings,
    since: str | None,
    rejects_path: Path | None,
    quiet: bool = False,
) -> tuple[IngestSummary, str | None]:
    """Sync with a progress bar when stderr is a terminal, then compute the vectors of
    new and changed studies (as ingest does); the counts, and why it stopped early."""
    from trialatlas.cli.rejects import reject_log
    from trialatlas.cli.vectors_progress import run_vector_update
    from trialatlas.sync.client import StudiesClient, SyncStopped
    from trialatlas.sync.incremental import SyncEvents, sync_studies

    def say(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr)

    def retrying(reason: str, wait_s: float) -> None:
        say(f"retrying in {wait_s:.1f} s: {reason}")

    failure = None
    with (
        reject_log(rejects_path) as on_reject,
        StudiesClient(sync_config, on_retry=retrying) as client,
    ):
        events = SyncEvents(on_start=_announcer(say), on_reject=on_reject, on_notice=say)
        try:
            if sys.stderr.isatty() and not quiet:
                summary = _with_progress(store, client, since, events)
            else:
                summary = sync_studies(store, client, since, events)
        except SyncStopped as exc:
            summary, failure = exc.summary, str(exc)
    # the vectors of what was stored (a stopped sync included), as after an ingest
    update = run_vector_update(store, quiet=quiet)
    say(update.line)
    return summary, failure


def _with_progress(
    store: Store, client: StudiesClient, since: str | None, events: SyncEvents
) -> IngestSummary:
    from trialatlas.cli.progress import stderr_progress
    from trialatlas.sync.incremental import sync_studies

    with stderr_progress("sync", "studies") as progress:
        task = progress.add_task("sync", total=None)
        events.on_total = lambda total: progress.update(task, total=total)
        events.on_progress = lambda done: progress.advance(task, done)
        return sync_studies(store, client, since, events)


def _announcer(say: Callable[[str], None]) -> Callable[[SyncCursor, bool], None]:
    def on_start(cursor: SyncCursor, resumed: bool) -> None:
        start = f"studies updated since {cursor.since}" if cursor.since else "every study"
        if resumed:
            say(f"resuming the sync of {start} after page {cursor.pages}")
        else:
            say(f"syncing {start}")

    return on_start


def _checked_date(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        typer.echo(f"error: --since: not a date (YYYY-MM-DD): {text!r}", err=True)
        raise typer.Exit(2) from None
