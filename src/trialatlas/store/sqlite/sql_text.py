"""SQL text with named parameters for sqlite3 (``:name``): what the SQLite query builders
return. The collector is the store's (:mod:`trialatlas.store.sql_text`), in SQLite's
spelling."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from trialatlas.store.sql_text import Params as _Params
from trialatlas.store.sql_text import Sql

__all__ = ["Params", "Sql"]


class Params(_Params):
    """Collects named parameters, written as sqlite3's ``:name``; a parameter holding
    many values is a JSON array, read by ``json_each``."""

    PLACEHOLDER = ":{}"
    FALSE = "0"
    POSITION = "instr"
    LIKE_ANY_CASE = "LIKE"  # ASCII letters in any case

    def any_of(self, column: str, prefix: str, values: Sequence[Any]) -> str:
        return f"{column} IN ({self.add_all(prefix, values)})"

    def none_of(self, column: str, prefix: str, values: Sequence[Any]) -> str:
        return f"{column} NOT IN ({self.add_all(prefix, values)})"

    def array(self, prefix: str, values: Sequence[Any]) -> str:
        return self.add(prefix, json.dumps(list(values)))

    def in_array(self, column: str, array: str) -> str:
        return f"{column} IN (SELECT value FROM json_each({array}))"
