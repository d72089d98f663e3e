"""SQL text with named parameters: what the store's query builders return, and the few
spellings in which the SQL of the backends differs (no SQL of a table here).

:class:`Params` is the base of each backend's parameter collector
(:mod:`trialatlas.store.sqlite.sql_text`, :mod:`trialatlas.store.postgres.sql_text`): it
says how the driver writes a named parameter and how the dialect writes a list test,
a substring test and "false", so a builder shared by both backends (search filters,
geography, listing) writes its SQL once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True, slots=True)
class Sql:
    """A statement and its named parameters."""

    text: str
    params: dict[str, Any]


class Rows(Protocol):
    """A store that runs one read query (named parameters) and returns every row."""

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]: ...


class Params:
    """Collects named parameters; every user value goes through :meth:`add`.

    A backend subclass sets ``PLACEHOLDER`` (how the driver writes a named parameter),
    ``FALSE`` (a condition that never holds), ``POSITION`` (the function giving the
    1-based position of a substring, 0 when absent) and ``LIKE_ANY_CASE`` (LIKE
    ignoring case), and writes :meth:`array` and :meth:`in_array` (and :meth:`any_of`
    when a few values are better as a parameter each)."""

    PLACEHOLDER: ClassVar[str]
    FALSE: ClassVar[str]
    POSITION: ClassVar[str]
    LIKE_ANY_CASE: ClassVar[str]

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.values)}"
        self.values[name] = value
        return self.PLACEHOLDER.format(name)

    def add_all(self, prefix: str, values: Sequence[Any]) -> str:
        return ", ".join(self.add(prefix, v) for v in values)

    def any_of(self, column: str, prefix: str, values: Sequence[Any]) -> str:
        """SQL true when ``column`` equals one of ``values`` (not empty)."""
        return self.in_array(column, self.array(prefix, values))

    def array(self, prefix: str, values: Sequence[Any]) -> str:
        """One parameter holding every value (however many), for :meth:`in_array`."""
        raise NotImplementedError

    def in_array(self, column: str, array: str) -> str:
        """SQL true when ``column`` equals one of the values of ``array`` (a placeholder
        from :meth:`array`)."""
        raise NotImplementedError

    def none_of(self, column: str, prefix: str, values: Sequence[Any]) -> str:
        """SQL true when ``column`` is not NULL and equals none of ``values``."""
        return f"NOT {self.any_of(column, prefix, values)}"

    def contains(self, text: str, part: str) -> str:
        """SQL true when the SQL text ``text`` contains ``part`` (both SQL expressions)."""
        return f"{self.POSITION}({text}, {part}) > 0"
