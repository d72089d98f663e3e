"""``trialatlas ingest``: progress on a terminal, rejects on stderr and in a file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from trialatlas.cli.progress import stderr_progress
from trialatlas.cli.rejects import reject_log
from trialatlas.cli.vectors_progress import run_vector_update
from trialatlas.ingest import IngestSummary, Reject, ingest_paths
from trialatlas.sources.bounded import ReadLimits
from trialatlas.store.base import Store


def run_ingest(
    store: Store,
    sources: list[str],
    rejects_path: Path | None,
    quiet: bool = False,
    workers: int = 1,
    max_record_bytes: int | None = None,
) -> IngestSummary:
    """Ingest with a progress bar when stderr is a terminal; write each reject out.

    ``max_record_bytes``: the per-record limit (None: the 64 MB default)."""
    limits = ReadLimits(max_record_bytes) if max_record_bytes else ReadLimits()
    with reject_log(rejects_path) as on_reject:
        summary = _ingest(store, sources, on_reject, quiet, workers, limits)
    # vectors of the new and changed studies (after the load: a stopped update loses
    # nothing written, `trialatlas index` or the next ingest goes on from there)
    update = run_vector_update(store, quiet=quiet)
    if not quiet:
        print(update.line, file=sys.stderr)
    return summary


def _ingest(
    store: Store,
    sources: list[str],
    on_reject: Callable[[Reject], None],
    quiet: bool,
    workers: int,
    limits: ReadLimits,
) -> IngestSummary:
    if sys.stderr.isatty() and not quiet:
        with stderr_progress("ingest", "records") as progress:
            task = progress.add_task("ingest", total=None)

            def on_progress(done: int) -> None:
                progress.advance(task, done)

            return ingest_paths(
                store,
                sources,
                on_progress=on_progress,
                on_reject=on_reject,
                workers=workers,
                limits=limits,
            )
    return ingest_paths(store, sources, on_reject=on_reject, workers=workers, limits=limits)
