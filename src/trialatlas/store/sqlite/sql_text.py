"""SQL text with named parameters: what the store's query builders return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Sql:
    """A statement and its named parameters."""

    text: str
    params: dict[str, Any]


class Params:
    """Collects named parameters; every user value goes through :meth:`add`.
    ``PLACEHOLDER``: how the driver writes a named parameter (sqlite3: ``:name``)."""

    PLACEHOLDER = ":{}"

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.values)}"
        self.values[name] = value
        return self.PLACEHOLDER.format(name)

    def add_all(self, prefix: str, values: list[Any]) -> str:
        return ", ".join(self.add(prefix, v) for v in values)
