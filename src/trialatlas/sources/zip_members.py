"""Read zip archives member by member, tolerating damage.

The real bulk download is 2.5 GB zipped: members are read one at a time and never
all at once. A member whose data is truncated or corrupt is yielded as an error
while the others load. When the central directory itself is gone (a truncated
archive), local file headers are walked from the start instead.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True, slots=True)
class ZipMember:
    name: str
    data: bytes | None
    error: str | None = None


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIG = 0x04034B50


def iter_zip_members(path: Path) -> Iterator[ZipMember]:
    """Each file member with its bytes, or with the reason it could not be read."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        with open(path, "rb") as fh:
            yield from _walk_local_headers(fh)
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                with archive.open(info) as member:
                    data = member.read()
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                yield ZipMember(info.filename, None, f"unreadable zip member: {exc}")
                continue
            yield ZipMember(info.filename, data)


def _walk_local_headers(fh: BinaryIO) -> Iterator[ZipMember]:
    """Stream through local headers (no central directory): for truncated archives."""
    while True:
        head = fh.read(_LOCAL_HEADER.size)
        if len(head) < _LOCAL_HEADER.size:
            return
        (sig, _ver, flags, method, _t, _d, _crc, csize, _usize, name_len, extra_len) = (
            _LOCAL_HEADER.unpack(head)
        )
        if sig != _LOCAL_SIG:
            return  # central directory (or garbage): no more members
        name = fh.read(name_len).decode("utf-8", "replace")
        fh.read(extra_len)
        if flags & 0x08 or method not in (0, 8):
            yield ZipMember(name, None, "unreadable zip member: streamed sizes not supported")
            return
        raw = fh.read(csize)
        if len(raw) < csize:
            yield ZipMember(name, None, "unreadable zip member: truncated data")
            return
        if method == 0:
            data = raw
        else:
            try:
                inflater = zlib.decompressobj(-15)
                data = inflater.decompress(raw)
                if not inflater.eof:
                    raise zlib.error("incomplete deflate stream")
            except zlib.error as exc:
                yield ZipMember(name, None, f"unreadable zip member: {exc}")
                continue
        if name.endswith("/"):
            continue
        yield ZipMember(name, data)
