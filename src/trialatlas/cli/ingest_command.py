"""``trialatlas ingest``: progress on a terminal, rejects on stderr and in a file."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
    err = Console(stderr=True)
    reject_file = None
    if rejects_path is not None:
        rejects_path.parent.mkdir(parents=True, exist_ok=True)
        reject_file = open(rejects_path, "ab")  # noqa: SIM115 (closed below)

    def on_reject(reject: Reject) -> None:
        print(reject.as_line(), file=sys.stderr)
        if reject_file is not None:
            reject_file.write(orjson.dumps(reject, option=orjson.OPT_APPEND_NEWLINE))

    try:
        if sys.stderr.isatty() and not quiet:
            with Progress(
                TextColumn("[bold]ingest[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("records"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as progress:
                task = progress.add_task("ingest", total=None)

                def on_progress(done: int) -> None:
                    progress.advance(task, done)

                return ingest_paths(
                    store, sources, on_progress=on_progress, on_reject=on_reject, workers=workers
                )
        return ingest_paths(store, sources, on_reject=on_reject, workers=workers)
    finally:
        if reject_file is not None:
            reject_file.close()
