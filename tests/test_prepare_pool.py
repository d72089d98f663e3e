"""Worker processes prepare records in input order; a failing source or worker is reported."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from trialatlas.prepare_pool import CHUNK, WorkerDied, prepared_in_order
from trialatlas.sources.records import SourceError


def _square() -> Callable[[int], int]:
    return lambda n: n * n


def _flatten(chunks: Iterator[list[int]]) -> list[int]:
    return [item for chunk in chunks for item in chunk]


@pytest.mark.parametrize("count", [0, 1, CHUNK, CHUNK * 7 + 3])
def test_results_come_back_in_input_order(count: int) -> None:
    assert _flatten(prepared_in_order(range(count), _square, 3)) == [n * n for n in range(count)]


def test_a_source_failing_midway_delivers_what_came_before_then_raises() -> None:
    def records() -> Iterator[int]:
        yield from range(CHUNK * 2 + 5)
        raise SourceError("archive.zip: unreadable")

    got: list[int] = []
    with pytest.raises(SourceError, match="unreadable"):
        for chunk in prepared_in_order(records(), _square, 2):
            got.extend(chunk)
    assert got == [n * n for n in range(CHUNK * 2 + 5)]


def test_a_worker_that_dies_is_reported_not_waited_on() -> None:
    def dying() -> Callable[[int], int]:
        def prepare(n: int) -> int:
            if n == CHUNK * 3:
                os._exit(3)
            return n

        return prepare

    with pytest.raises(WorkerDied):
        _flatten(prepared_in_order(range(CHUNK * 10), dying, 2))
