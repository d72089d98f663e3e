"""What one app instance holds: its settings, its store, its templates and URL builder."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.store.base import Store
from trialatlas.web.urls import Urls

if TYPE_CHECKING:
    from trialatlas.index.vectors import VectorIndex


VECTORS_RECHECK_S = 30.0


def build_templates(urls: Urls) -> Jinja2Templates:
    """Jinja2 with autoescaping on for every template: registry text is never raw HTML."""
    env = Environment(
        loader=PackageLoader("trialatlas.web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["urls"] = urls
    return Jinja2Templates(env=env)


@dataclass
class AppState:
    """Per-app state. The store opens once (at start-up, or on first use) and closes at shutdown."""

    settings: Settings
    urls: Urls
    templates: Jinja2Templates
    _store: Store | None = None
    _vector_index: VectorIndex | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    _index_checked_at: float = 0.0
    _index_version: str = ""
    # /healthz reads the store on its own thread: never queued behind page work
    health_executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="healthz")
    )

    def store(self) -> Store:
        """The app's store, opened on first use."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    store = open_store(self.settings.db_url, read_only=self.settings.read_only)
                    if not self.settings.read_only:
                        from trialatlas.index.site_upgrade import upgrade_site_points

                        upgrade_site_points(store)  # sites placed before ZIP codes
                    self._store = store
        return self._store

    def vector_index(self) -> VectorIndex:
        """The store's study-vector index, loaded on first use (saved file reused) and
        reloaded when an ingest has changed the store's vectors since (checked at most
        every ``VECTORS_RECHECK_S`` seconds)."""
        now = time.monotonic()
        if self._vector_index is None or now - self._index_checked_at > VECTORS_RECHECK_S:
            with self._index_lock:
                if self._vector_index is None or now - self._index_checked_at > VECTORS_RECHECK_S:
                    self._index_checked_at = now
                    self._refresh_vector_index()
        assert self._vector_index is not None
        return self._vector_index

    def _refresh_vector_index(self) -> None:
        from trialatlas.index.vectors import load_vector_index, main_model

        store = self.store()
        model = main_model(store)
        version = store.vectors_version(model) if model else ""
        if self._vector_index is None or version != self._index_version:
            self._vector_index = load_vector_index(
                store, self.settings.db_url, model=model, prefetch=True
            )
            self._index_version = version

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
        with self._index_lock:
            self._vector_index = None
