"""``trialatlas ingest``: progress on a terminal, rejects on stderr and in a file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import orjson

from trialatlas.cli.progress import stderr_progress
from trialatlas.cli.vectors_progress import run_vector_update
from trialatlas.ingest import IngestSummary, Reject, ingest_paths
from trialatlas.store.base import Store


def run_ingest(
    store: Store,
    sources: list[str],
    rejects_path: Path | None,
    quiet: bool = False,
    workers: int = 1,
) -> IngestSummary:
    """Ingest with a progress bar when stderr is a terminal; write each reject out."""
    reject_file = None
    if rejects_path is not None:
        rejects_path.parent.mkdir(parents=True, exist_ok=True)
        reject_file = open(rejects_path, "ab")  # noqa: SIM115 (closed below)

    def on_reject(reject: Reject) -> None:
        print(reject.as_line(), file=sys.stderr)
        if reject_file is not None:
            reject_file.write(orjson.dumps(reject, option=orjson.OPT_APPEND_NEWLINE))

    try:
        summary = _ingest(store, sources, on_reject, quiet, workers)
    finally:
        if reject_file is not None:
            reject_file.close()
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
) -> IngestSummary:
    if sys.stderr.isatty() and not quiet:
        with stderr_progress("ingest", "records") as progress:
            task = progress.add_task("ingest", total=None)

            def on_progress(done: int) -> None:
                progress.advance(task, done)

            return ingest_paths(
                store, sources, on_progress=on_progress, on_reject=on_reject, workers=workers
            )
    return ingest_paths(store, sources, on_reject=on_reject, workers=workers)
