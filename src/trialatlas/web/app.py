"""``create_app``: assembles the web app (routers, static files, error handlers, store lifecycle).

No logic lives here: pages and API handlers are in ``routers/``, features in
:mod:`trialatlas.features`. Settings come in from the caller (built by a factory
at start-up, never at import time).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

import anyio.to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from trialatlas.api.ctgov_v2.routes import router as ctgov_v2_router
from trialatlas.api.fhir.routes import router as fhir_router
from trialatlas.process_memory import release_freed_memory
from trialatlas.settings import Settings
from trialatlas.store.base import Store
from trialatlas.web.errors import install_error_handlers
from trialatlas.web.request_limits import RequestLimitsMiddleware
from trialatlas.web.routers import (
    api_docs,
    api_trials,
    health,
    match,
    pages,
    patient,
    prescreen,
    search,
)
from trialatlas.web.security_headers import SecurityHeadersMiddleware
from trialatlas.web.state import AppState, build_templates
from trialatlas.web.urls import STATIC_DIR, Urls

DESCRIPTION = (
    "Clinical-trial registry records as plain-language pages and JSON. "
    'Errors are `{"error": {"code": …, "message": …}}` with a proper HTTP status.'
)


def _version() -> str:
    try:
        return version("trialatlas")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def _prepare_search(store: Store, state: AppState) -> None:
    with contextlib.suppress(Exception):  # e.g. the app stopped (store closed) meanwhile
        store.prepare_search()
    with contextlib.suppress(Exception):  # loaded once per process (memory-mapped file)
        state.vector_index()
    with contextlib.suppress(Exception):  # places sites without a point: not on a first visit
        from trialatlas.index.gazetteer import Gazetteer
        from trialatlas.index.zip_codes import zip_entry

        Gazetteer.load()
        zip_entry("10001")
    release_freed_memory()  # what loading them read and no longer needs


def create_app(settings: Settings) -> FastAPI:
    """The TrialAtlas web app over the store named by ``settings.db_url``."""
    urls = Urls()
    state = AppState(settings=settings, urls=urls, templates=build_templates(urls))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        store = state.store()  # open once, fail fast when the store cannot be opened
        # page handlers run on this many threads, off the event loop; more requests wait
        # their turn on the loop rather than share the GIL (processes give the parallelism)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # in-memory search structures are built in the background (seconds for a full
        # registry); searches meanwhile run without them
        warm = threading.Thread(target=_prepare_search, args=(store, state), daemon=True)
        warm.start()
        try:
            yield
        finally:
            warm.join(timeout=60)  # never close the store under the builder's feet
            state.close()

    app = FastAPI(
        title="TrialAtlas",
        version=_version(),
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url=urls.openapi_url(),
        lifespan=lifespan,
    )
    app.state.trialatlas = state
    app.mount(urls.path("/static"), StaticFiles(directory=STATIC_DIR), name="static")
    assets = api_docs.docs_assets_dir()
    if assets is not None:
        app.mount(urls.path("/docs-assets"), StaticFiles(directory=assets), name="docs-assets")
    install_error_handlers(app)
    app.add_middleware(
        RequestLimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_query_chars=settings.max_query_chars,
    )
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: on refusals (413/414) too
    app.include_router(search.router)  # before pages: /search is the search issue's
    app.include_router(pages.router)
    app.include_router(patient.router)
    app.include_router(api_trials.router)
    app.include_router(health.router)
    app.include_router(api_docs.router)
    app.include_router(ctgov_v2_router)
    app.include_router(prescreen.router)
    app.include_router(match.router)
    app.include_router(fhir_router)
    return app
