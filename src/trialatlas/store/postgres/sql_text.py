"""SQL text with named parameters for psycopg (``%(name)s``): what the PostgreSQL query
builders return. The same collector as SQLite's (:mod:`trialatlas.store.sqlite.sql_text`),
with psycopg's placeholder. Every user value goes through :meth:`Params.add`, never into
the text."""

from __future__ import annotations

from trialatlas.store.sqlite.sql_text import Params as _Params
from trialatlas.store.sqlite.sql_text import Sql

__all__ = ["Params", "Sql"]


class Params(_Params):
    """Collects named parameters, written as psycopg's ``%(name)s``."""

    PLACEHOLDER = "%({})s"
