"""What one app instance holds: its settings, its store, its templates and URL builder."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.store.base import Store

if TYPE_CHECKING:
    from trialatlas.index.vectors import VectorIndex
from trialatlas.web.urls import Urls


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

    def store(self) -> Store:
        """The app's store, opened on first use."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings.db_url)
        return self._store

    def vector_index(self) -> VectorIndex:
        """The store's study-vector index, loaded on first use (saved file reused)."""
        if self._vector_index is None:
            with self._index_lock:
                if self._vector_index is None:
                    from trialatlas.index.vectors import load_vector_index

                    self._vector_index = load_vector_index(self.store(), self.settings.db_url)
        return self._vector_index

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
        with self._index_lock:
            self._vector_index = None
