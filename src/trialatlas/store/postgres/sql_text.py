"""SQL text with named parameters for psycopg (``%(name)s``): what the PostgreSQL query
builders return. Every user value goes through :meth:`Params.add`, never into the text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Sql:
    """A statement and its named parameters."""

    text: str
    params: dict[str, Any]


class Params:
    """Collects named parameters."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"

    def add_all(self, prefix: str, values: list[Any]) -> str:
        return ", ".join(self.add(prefix, v) for v in values)
