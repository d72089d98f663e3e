"""Serving the web app: several uvicorn worker processes over one store.

``serve`` runs ``--workers`` processes (default: one per core); uvicorn hands the
connections of one listening socket to them. Each worker builds its app at start-up
with :func:`worker_app`, the factory uvicorn calls in the new process: the settings
are read from the environment then (``TRIALATLAS_*``; :func:`run_server` puts the
store's path there), and the store is opened read-only. So the workers only read,
while one ``trialatlas ingest`` (the single writer) may load into the same SQLite file
(WAL: each read sees the last committed state, never a half-written trial).

Every worker loads the read-side indexes once: the faiss index of the study vectors
is memory-mapped from the file saved beside the store (built before the workers
start, see :func:`prepare_indexes`), so N workers share one copy in the page cache.
The in-memory search columns are per worker (a few MB per 10,000 studies).
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from trialatlas.settings import Settings, load_settings
from trialatlas.store.base import Store
from trialatlas.web.app import create_app

FACTORY = "trialatlas.web.serving:worker_app"


def default_workers() -> int:
    """One worker process per core."""
    return os.cpu_count() or 1


def worker_app() -> FastAPI:
    """The app of one worker process: settings from the environment, a read-only store."""
    return create_app(load_settings(read_only=True))


def prepare_indexes(store: Store, settings: Settings) -> None:
    """Build (or check) the saved vector index once, before the workers map it."""
    from trialatlas.index.vectors import load_vector_index

    load_vector_index(store, settings.db_url)


def run_server(settings: Settings, workers: int) -> None:
    """Serve on ``settings.host:port`` with ``workers`` processes (blocks until stopped)."""
    import uvicorn

    os.environ["TRIALATLAS_DB"] = settings.db_url  # read by each worker's factory
    uvicorn.run(
        FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=max(1, workers),
        log_level="warning",
        server_header=False,  # no "server: uvicorn" banner
    )
