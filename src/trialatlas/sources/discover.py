"""Open any registry source: files, directories, zips, gzip, URLs → RawRecords.

A source that cannot be read at all (missing or unreadable file, a ``.zip`` that is
not a zip, a ``.gz`` that is not gzip, an unreachable URL) is a :class:`SourceError`:
``trialatlas ingest`` then exits 2. Inside a directory each such file is reported as
its own SourceError in the stream and the other files still load. Within a
readable source, a bad record (too large, not UTF-8, malformed) is a record with
``error`` set: it is rejected alone.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from trialatlas.model.nct_id import NCT_ID_IN_TEXT_RE, NCT_ID_PATTERN
from trialatlas.sources.bounded import ReadLimits, read_capped
from trialatlas.sources.ctgov_json import records_from_json_bytes, records_from_json_lines
from trialatlas.sources.encoding import EncodingProblem, xml_text
from trialatlas.sources.json_items import NotAnArray, TruncatedArray, iter_array_items
from trialatlas.sources.records import RawRecord, SourceError
from trialatlas.sources.zip_members import iter_zip_members

_JSON_LINES = (".jsonl", ".ndjson")
_KNOWN = (".json", ".xml", ".zip", ".gz", *_JSON_LINES)
_GZIP_MAGIC = b"\x1f\x8b"
_XML_NCT_RE = re.compile(rf"<nct_id>\s*({NCT_ID_PATTERN})\s*</nct_id>")


def iter_records(
    source: str, limits: ReadLimits | None = None
) -> Iterator[RawRecord | SourceError]:
    """Every raw record of ``source``. Raises SourceError when it cannot be read at all."""
    limits = limits or ReadLimits()
    if source.startswith(("http://", "https://")):
        yield from _from_url(source, limits)
        return
    path = Path(source)
    if path.is_dir():
        yield from _from_dir(path, limits)
        return
    if not path.exists():
        raise SourceError(f"{source}: no such file or directory")
    yield from _readable(path, str(path), limits)


def _readable(path: Path, label: str, limits: ReadLimits) -> Iterator[RawRecord]:
    """:func:`_from_file`, with an OS error (permissions, a vanished file) as SourceError."""
    try:
        yield from _from_file(path, label, limits)
    except OSError as exc:
        raise SourceError(f"{label}: cannot be read: {exc.strerror or exc}") from exc


def _from_dir(root: Path, limits: ReadLimits) -> Iterator[RawRecord | SourceError]:
    def unreadable(exc: OSError) -> None:
        problems.append(SourceError(f"{exc.filename}: cannot be read: {exc.strerror or exc}"))

    problems: list[SourceError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        yield from problems
        problems.clear()
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(_KNOWN):
                try:
                    yield from _readable(Path(dirpath) / name, str(Path(dirpath) / name), limits)
                except SourceError as exc:  # one unreadable file: the others still load
                    yield exc
    yield from problems


def _from_file(path: Path, label: str, limits: ReadLimits) -> Iterator[RawRecord]:
    name = path.name.lower()
    limit = limits.max_record_bytes
    if name.endswith(".zip"):
        yield from _from_zip(path, label, limits)
    elif name.endswith(".gz"):
        yield from _from_gzip(path, label, name[:-3], limits)
    elif name.endswith(_JSON_LINES):
        with open(path, "rb") as fh:
            yield from records_from_json_lines(label, fh, limits)
    elif name.endswith((".xml", ".json")):
        with open(path, "rb") as fh:
            data = read_capped(fh, limit)
            if data is None and name.endswith(".json"):  # a large page: item by item
                fh.seek(0)
                yield from _large_json(fh, label, limits)
                return
        if data is None:
            size = path.stat().st_size
            yield RawRecord(label, "document", "ctgov_xml", "", error=limits.too_large(size))
        elif name.endswith(".xml"):
            yield _xml_record(label, "document", data)
        else:
            yield from records_from_json_bytes(label, data)
    else:
        raise SourceError(f"{label}: unknown file type (expected .json, .jsonl, .xml, .zip or .gz)")


def _from_gzip(path: Path, label: str, inner: str, limits: ReadLimits) -> Iterator[RawRecord]:
    with open(path, "rb") as raw:
        if raw.read(2) != _GZIP_MAGIC:
            raise SourceError(f"{label}: not a gzip file")
    limit = limits.max_record_bytes
    try:
        with gzip.open(path, "rb") as fh:
            if inner.endswith(".xml"):
                data = read_capped(fh, limit)  # type: ignore[arg-type]
                yield (
                    _xml_record(label, "document", data)
                    if data is not None
                    else RawRecord(label, "document", "ctgov_xml", "", error=limits.too_large())
                )
            elif inner.endswith(_JSON_LINES) or _first_line_is_record(fh, limit):
                fh.seek(0)
                yield from records_from_json_lines(label, fh, limits)  # type: ignore[arg-type]
            else:
                fh.seek(0)
                data = read_capped(fh, limit)  # type: ignore[arg-type]
                if data is None:
                    fh.seek(0)
                    yield from _large_json(fh, label, limits)  # type: ignore[arg-type]
                else:
                    yield from records_from_json_bytes(label, data)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        yield RawRecord(
            label, "end of file", "ctgov_v2", "", error=f"truncated or corrupt gzip: {exc}"
        )


def _large_json(fh: BinaryIO, label: str, limits: ReadLimits) -> Iterator[RawRecord]:
    """A JSON document over the record limit: a page or array is split into its studies
    (each one held to the limit); anything else is rejected whole, unparsed."""
    try:
        for item in iter_array_items(fh, limits.max_record_bytes):
            where = f"item {item.number}"
            if item.data is None:
                yield RawRecord(label, where, "ctgov_v2", "", error=limits.too_large(item.size))
            else:
                yield from records_from_json_bytes(label, item.data, where, item.offset)
    except TruncatedArray as exc:
        yield RawRecord(label, "end of document", "ctgov_v2", "", error=str(exc))
    except NotAnArray:
        yield RawRecord(label, "document", "ctgov_v2", "", error=limits.too_large())


def _first_line_is_record(fh: gzip.GzipFile, limit: int) -> bool:
    """True when the first line alone is a complete JSON object (JSON Lines)."""
    import orjson

    line = fh.readline(limit + 1)
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _from_zip(path: Path, label: str, limits: ReadLimits) -> Iterator[RawRecord]:
    for member in iter_zip_members(path, limits, label):
        where = f"member {member.name}"
        hint_match = NCT_ID_IN_TEXT_RE.search(member.name)
        hint = hint_match.group(0) if hint_match else None
        lower = member.name.lower()
        if member.error is not None or member.data is None:
            kind = "ctgov_xml" if lower.endswith(".xml") else "ctgov_v2"
            yield RawRecord(label, where, kind, "", nct_id_hint=hint, error=member.error)
        elif lower.endswith(".xml"):
            yield _xml_record(label, where, member.data, hint)
        elif lower.endswith(_JSON_LINES):
            yield from records_from_json_lines(
                f"{label}!{member.name}", io.BytesIO(member.data), limits
            )
        elif lower.endswith(".json"):
            for rec in records_from_json_bytes(label, member.data, where):
                yield rec if rec.nct_id_hint or not hint else _with_hint(rec, hint)


def _with_hint(rec: RawRecord, hint: str) -> RawRecord:
    return RawRecord(rec.source, rec.position, rec.format, rec.text, rec.data, hint, rec.error)


def _xml_record(label: str, where: str, data: bytes, hint: str | None = None) -> RawRecord:
    """An XML document, decoded by the XML rules (see :mod:`trialatlas.sources.encoding`)."""
    try:
        text = xml_text(data)
    except EncodingProblem as exc:
        return RawRecord(label, where, "ctgov_xml", "", nct_id_hint=hint, error=str(exc))
    if hint is None:
        m = _XML_NCT_RE.search(text, 0, 4000)
        hint = m.group(1) if m else None
    return RawRecord(label, where, "ctgov_xml", text, nct_id_hint=hint)


def _from_url(url: str, limits: ReadLimits) -> Iterator[RawRecord | SourceError]:
    """Download to a temporary file (streamed), then read it like a local file."""
    import httpx

    suffix = Path(url.split("?")[0]).suffix or ".json"
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"download{suffix}"
        try:
            with httpx.stream("GET", url, follow_redirects=True, timeout=60.0) as response:
                response.raise_for_status()
                with open(target, "wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise SourceError(f"{url}: download failed: {exc}") from exc
        yield from _readable(target, url, limits)
