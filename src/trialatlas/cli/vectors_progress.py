"""Computing study vectors from the command line: a "vectors" progress bar on a terminal."""

from __future__ import annotations

import sys

from trialatlas.cli.progress import stderr_progress
from trialatlas.index.vectors import VectorUpdate, update_vectors
from trialatlas.store.base import Store


def run_vector_update(store: Store, *, rebuild: bool = False, quiet: bool = False) -> VectorUpdate:
    """``update_vectors`` with a progress bar when stderr is a terminal (and not ``quiet``)."""
    if quiet or not sys.stderr.isatty():
        return update_vectors(store, rebuild=rebuild)
    with stderr_progress("vectors", "studies") as progress:
        task = progress.add_task("vectors", total=None)
        return update_vectors(
            store,
            rebuild=rebuild,
            on_total=lambda total: progress.update(task, total=total),
            on_progress=lambda done: progress.advance(task, done),
        )
