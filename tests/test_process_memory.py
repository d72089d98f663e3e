"""Freed heap memory goes back to the OS (a serving worker's own memory after start-up)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from trialatlas.process_memory import release_freed_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _own_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == "RssAnon":
            return int(value.split()[0]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


def test_freed_blocks_are_given_back() -> None:
    blocks = [b"x" * 1000 + bytes([i % 256]) for i in range(80_000)]  # about 80 MB
    kept = blocks[::8]  # one block in eight stays: the heap cannot just shrink from its top
    held = _own_mb()
    del blocks
    freed_only = _own_mb()
    assert release_freed_memory()
    released = _own_mb()
    assert held - freed_only < 10  # freed, but the C library keeps the pages
    assert freed_only - released > 20  # given back
    assert len(kept) == 10_000
