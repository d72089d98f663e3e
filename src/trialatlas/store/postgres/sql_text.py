"""SQL text with named parameters for psycopg (``%(name)s``): what the PostgreSQL query
builders return. The collector is the store's (:mod:`trialatlas.store.sql_text`), in
PostgreSQL's spelling. Every user value goes through :meth:`Params.add`, never into
the text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trialatlas.store.sql_text import Params as _Params
from trialatlas.store.sql_text import Sql

__all__ = ["Params", "Sql"]


class Params(_Params):
    """Collects named parameters, written as psycopg's ``%(name)s``; a list is one
    array parameter."""

    PLACEHOLDER = "%({})s"
    FALSE = "FALSE"
    POSITION = "strpos"
    LIKE_ANY_CASE = "ILIKE"

    def array(self, prefix: str, values: Sequence[Any]) -> str:
        return self.add(prefix, list(values))

    def in_array(self, column: str, array: str) -> str:
        return f"{column} = ANY({array})"
