"""Split a JSON array of studies into items without reading the whole document.

Used for a ``.json`` document larger than the per-record limit: an API v2 page
``{"studies": [...]}`` or a plain array. The bytes are scanned in 1 MB chunks for the
JSON structure (strings and their escapes, brackets, commas); each item of the array
is handed out as its own bytes, or as too large (skipped, never held past the
limit), so one huge study is rejected alone while its neighbours load. Anything else
(one huge study object) is reported as not splittable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

_CHUNK = 1024 * 1024
_OUTSIDE = re.compile(rb'["\[\]{},]')
_INSIDE = re.compile(rb'["\\]')
_SPACE = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class Item:
    """One array item: its number (from 1), byte offset, size and bytes (None: too large)."""

    number: int
    offset: int
    size: int
    data: bytes | None


class NotAnArray(ValueError):
    """The document is not an array of studies nor an object with a ``studies`` array."""


class TruncatedArray(NotAnArray):
    """The document ends before its array does (raised after the complete items)."""


def iter_array_items(fh: BinaryIO, limit: int) -> Iterator[Item]:
    """The items of the top-level array, or of the ``studies`` array of a top-level
    object; raises :class:`NotAnArray` before any item when there is neither, and
    after the complete items when the document ends before its array does."""
    scan = _Scanner(limit)
    offset = 0
    while chunk := fh.read(_CHUNK):
        yield from scan.feed(chunk, offset)
        offset += len(chunk)
        if scan.done:
            return
    if scan.items_depth is None:
        raise NotAnArray('not a JSON array of studies or a {"studies": [...]} page')
    raise TruncatedArray(f"truncated: the document ends inside item {scan.number + 1}")


class _Scanner:
    """The scan state carried from one chunk to the next."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.escaped = False  # a backslash ended the previous chunk inside a string
        self.key = b""  # the last string read at depth 1 (a key of the page object)
        self.items_depth: int | None = None
        self.item_start: int | None = None  # absolute offset of the current item
        self.buf = bytearray()
        self.seen = 0  # bytes of the current item so far
        self.number = 0
        self.done = False
        self.seen_root = False

    def feed(self, chunk: bytes, base: int) -> Iterator[Item]:
        pos, self.escaped = (1, False) if self.escaped else (0, False)
        segment = 0  # where the current item's bytes begin in this chunk
        while pos < len(chunk):
            if self.in_string:
                m = _INSIDE.search(chunk, pos)
                end = m.start() if m else len(chunk)
                if self.depth == 1 and len(self.key) < 64:
                    self.key += chunk[pos:end]
                if m is None:
                    break
                if m.group() == b"\\":
                    self.escaped = m.end() >= len(chunk)
                    pos = m.end() + 1
                    continue
                self.in_string = False
                pos = m.end()
                continue
            m = _OUTSIDE.search(chunk, pos)
            if not self.seen_root:
                head = chunk[pos : m.start() if m else len(chunk)].strip(_SPACE)
                if head or (m is not None and m.group() not in b"[{"):
                    raise NotAnArray('not a JSON array or a {"studies": [...]} page')
            if m is None:
                break
            ch, at = m.group(), m.start()
            pos = m.end()
            if self.items_depth is not None and self.depth == self.items_depth:
                if ch in b",]":
                    yield from self._end(chunk, segment, at, base)
                    segment = pos
                    if ch == b"]":
                        self.done = True
                        return
                    continue
                if self.item_start is None:
                    self.item_start, segment = base + at, at
            if ch == b'"':
                self.in_string = True
                if self.depth == 1:
                    self.key = b""
            elif ch in b"[{":
                if not self.seen_root:
                    self.seen_root = True
                    if ch == b"[":
                        self.items_depth, segment = 1, pos
                elif ch == b"[" and self.depth == 1 and self._is_studies_key():
                    self.items_depth, segment = 2, pos
                self.depth += 1
            elif ch != b",":
                self.depth -= 1
        if self.item_start is None and self.items_depth == self.depth and not self.in_string:
            tail = chunk[segment:]
            if tail.strip(_SPACE):  # a scalar item that goes on in the next chunk
                self.item_start = base + segment
        if self.item_start is not None:
            self._keep(chunk[segment:])

    def _is_studies_key(self) -> bool:
        return self.items_depth is None and self.key == b"studies"

    def _keep(self, part: bytes) -> None:
        self.seen += len(part)
        if self.seen <= self.limit + 2:  # (room for the spaces around an item)
            self.buf += part

    def _end(self, chunk: bytes, segment: int, at: int, base: int) -> Iterator[Item]:
        if self.item_start is None:  # a scalar item: no quote or bracket inside
            if not chunk[segment:at].strip(_SPACE):
                return  # (an empty array)
            self.item_start = base + segment
        self._keep(chunk[segment:at])
        self.number += 1
        data = bytes(self.buf).strip(_SPACE)
        too_large = self.seen > self.limit + 2 or len(data) > self.limit
        yield Item(self.number, self.item_start, self.seen, None if too_large else data)
        self.item_start, self.buf, self.seen = None, bytearray(), 0
