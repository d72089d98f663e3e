"""Read records with a size limit: nothing bigger than the limit is ever held in memory.

The largest real registry records are a few MB; one record is allowed
:attr:`ReadLimits.max_record_bytes` (64 MB by default). The limit is checked
before parsing: a file, a line, a gzip stream or a zip member is read at most one
byte past it, so a 1 GiB record costs 64 MB of memory, not its size, and is
rejected alone. Zip members are also refused when their declared compression
ratio is that of a zip bomb.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MB = 1024 * 1024
DEFAULT_MAX_RECORD_BYTES = 64 * MB
_SKIP_CHUNK = 1 * MB
HEAD_BYTES = 20_000  # of a skipped line, kept to find its NCT ID


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How much one record may take. ``max_record_bytes``: the bytes of one record
    (a JSON document or line, an XML document, a zip member inflated).
    ``max_zip_ratio``: the largest inflated/compressed ratio of a zip member larger
    than ``zip_ratio_floor_bytes`` (real records compress ~5–20 times; a member of
    zeros ~1,000 times)."""

    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    max_zip_ratio: int = 100
    zip_ratio_floor_bytes: int = 1 * MB

    def too_large(self, size: int | None = None) -> str:
        """The reason a record over the limit is rejected."""
        shown = f"{size:,} bytes" if size is not None else "more bytes"
        return (
            f"too large: {shown}, over the limit of {_size(self.max_record_bytes)} per record"
            " (setting max_record_bytes, `trialatlas ingest --max-record-mb`)"
        )

    def zip_ratio_reason(self, inflated: int, compressed: int) -> str | None:
        """Why a zip member may not be inflated at all (size or ratio), or None."""
        if inflated > self.zip_ratio_floor_bytes and inflated > compressed * self.max_zip_ratio:
            ratio = inflated // max(compressed, 1)
            return (
                f"zip member inflates {ratio:,} times ({compressed:,} → {inflated:,} bytes),"
                f" over the limit of {self.max_zip_ratio} (a zip bomb?)"
            )
        if inflated > self.max_record_bytes:
            return self.too_large(inflated)
        return None


def _size(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n:,} bytes"


def read_capped(fh: BinaryIO, limit: int) -> bytes | None:
    """All of ``fh``, or None when it holds more than ``limit`` bytes (reads limit + 1)."""
    data = fh.read(limit + 1)
    return None if len(data) > limit else data


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a JSON Lines stream: its number, the byte offset where it starts,
    and its bytes (None when longer than the limit: it was skipped, only its first
    bytes kept in ``head``, to name the record)."""

    number: int
    offset: int
    data: bytes | None
    size: int
    head: bytes = b""


def capped_lines(fh: BinaryIO, limit: int) -> Iterator[Line]:
    """The lines of ``fh``; a line over ``limit`` bytes is skipped in chunks, never held."""
    offset = 0
    number = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        number += 1
        size = len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the line
                rest = fh.readline(_SKIP_CHUNK)
                size += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Line(number, offset, None, size, line[:HEAD_BYTES])
        elif len(line.rstrip(b"\r\n")) > limit:
            yield Line(number, offset, None, size, line[:HEAD_BYTES])
        else:
            yield Line(number, offset, line, size)
        offset += size
