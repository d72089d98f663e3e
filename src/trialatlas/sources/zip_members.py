"""Read zip archives member by member, tolerating damage.

The real bulk download is 2.5 GB zipped: members are read one at a time and never
all at once. A member whose data is truncated or corrupt is yielded as an error
while the others load. When the central directory itself is gone (a truncated
archive), local file headers are walked from the start instead.

No member is inflated past the per-record limit (:class:`ReadLimits`): a member
whose declared size or compression ratio is over the limit is refused before
inflating, and one whose header lies is cut off one byte past the limit. Member
names are only labels: nothing is ever written to disk, so ``../../etc/passwd``
is harmless.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from trialatlas.sources.bounded import ReadLimits, read_capped
from trialatlas.sources.records import SourceError


@dataclass(frozen=True, slots=True)
class ZipMember:
    name: str
    data: bytes | None
    error: str | None = None


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIG = 0x04034B50


def iter_zip_members(
    path: Path, limits: ReadLimits | None = None, label: str | None = None
) -> Iterator[ZipMember]:
    """Each file member with its bytes, or with the reason it could not be read.

    Raises :class:`SourceError` when the file is not a zip archive at all.
    """
    limits = limits or ReadLimits()
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        with open(path, "rb") as fh:
            if fh.read(4) != _LOCAL_SIG.to_bytes(4, "little"):
                raise SourceError(f"{label or path}: not a zip archive") from None
            fh.seek(0)
            yield from _walk_local_headers(fh, limits)
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            refused = limits.zip_ratio_reason(info.file_size, info.compress_size)
            if refused is not None:
                yield ZipMember(info.filename, None, refused)
                continue
            try:
                with archive.open(info) as member:
                    data = read_capped(member, limits.max_record_bytes)  # type: ignore[arg-type]
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                yield ZipMember(info.filename, None, f"unreadable zip member: {exc}")
                continue
            if data is None:
                yield ZipMember(info.filename, None, limits.too_large())
                continue
            yield ZipMember(info.filename, data)


def _walk_local_headers(fh: BinaryIO, limits: ReadLimits) -> Iterator[ZipMember]:
    """Stream through local headers (no central directory): for truncated archives."""
    limit = limits.max_record_bytes
    while True:
        head = fh.read(_LOCAL_HEADER.size)
        if len(head) < _LOCAL_HEADER.size:
            return
        (sig, _ver, flags, method, _t, _d, _crc, csize, usize, name_len, extra_len) = (
            _LOCAL_HEADER.unpack(head)
        )
        if sig != _LOCAL_SIG:
            return  # central directory (or garbage): no more members
        name = fh.read(name_len).decode("utf-8", "replace")
        fh.read(extra_len)
        if flags & 0x08 or method not in (0, 8):
            yield ZipMember(name, None, "unreadable zip member: streamed sizes not supported")
            return
        refused = limits.zip_ratio_reason(usize, csize)
        if refused is None and csize > limit:  # the compressed data alone is over the limit
            refused = limits.too_large(max(usize, csize))
        if refused is not None:
            fh.seek(csize, 1)  # never read
            yield ZipMember(name, None, refused)
            continue
        raw = fh.read(csize)
        if len(raw) < csize:
            yield ZipMember(name, None, "unreadable zip member: truncated data")
            return
        if method == 0:
            data = raw
        else:
            try:
                inflater = zlib.decompressobj(-15)
                data = inflater.decompress(raw, limit + 1)
                if len(data) > limit:
                    yield ZipMember(name, None, limits.too_large())
                    continue
                if not inflater.eof:
                    raise zlib.error("incomplete deflate stream")
            except zlib.error as exc:
                yield ZipMember(name, None, f"unreadable zip member: {exc}")
                continue
        if name.endswith("/"):
            continue
        yield ZipMember(name, data)
