"""What one app instance holds: its settings, its store, its templates and URL builder."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape

from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.store.base import Store
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
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self) -> Store:
        """The app's store, opened on first use."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings.db_url)
        return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
