"""Open any registry source: files, directories, zips, gzip, URLs → RawRecords."""

from __future__ import annotations

import gzip
import io
import os
import re
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from trialatlas.sources.ctgov_json import records_from_json_bytes, records_from_json_lines
from trialatlas.sources.records import RawRecord, SourceError
from trialatlas.sources.zip_members import iter_zip_members

_NCT_IN_NAME = re.compile(r"NCT\d{8}")
_JSON_LINES = (".jsonl", ".ndjson")
_KNOWN = (".json", ".xml", ".zip", ".gz", *_JSON_LINES)


def iter_records(source: str) -> Iterator[RawRecord]:
    """Every raw record of ``source``. Raises SourceError when it cannot be read at all."""
    if source.startswith(("http://", "https://")):
        yield from _from_url(source)
        return
    path = Path(source)
    if path.is_dir():
        yield from _from_dir(path)
        return
    if not path.exists():
        raise SourceError(f"{source}: no such file or directory")
    if not os.access(path, os.R_OK):
        raise SourceError(f"{source}: not readable")
    yield from _from_file(path, str(path))


def _from_dir(root: Path) -> Iterator[RawRecord]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(_KNOWN):
                yield from _from_file(Path(dirpath) / name, str(Path(dirpath) / name))


def _from_file(path: Path, label: str) -> Iterator[RawRecord]:
    name = path.name.lower()
    if name.endswith(".zip"):
        yield from _from_zip(path, label)
    elif name.endswith(".gz"):
        yield from _from_gzip(path, label, name[:-3])
    elif name.endswith(_JSON_LINES):
        with open(path, "rb") as fh:
            yield from records_from_json_lines(label, fh)
    elif name.endswith(".xml"):
        yield _xml_record(label, "document", path.read_bytes())
    elif name.endswith(".json"):
        yield from records_from_json_bytes(label, path.read_bytes())
    else:
        raise SourceError(f"{label}: unknown file type (expected .json, .jsonl, .xml, .zip or .gz)")


def _from_gzip(path: Path, label: str, inner: str) -> Iterator[RawRecord]:
    try:
        with gzip.open(path, "rb") as fh:
            if inner.endswith(".xml"):
                yield _xml_record(label, "document", fh.read())
            elif inner.endswith(_JSON_LINES) or _first_line_is_record(fh):
                fh.seek(0)
                yield from records_from_json_lines(label, fh)
            else:
                fh.seek(0)
                yield from records_from_json_bytes(label, fh.read())
    except (OSError, EOFError, zlib.error) as exc:
        yield RawRecord(
            label, "end of file", "ctgov_v2", "", error=f"truncated or corrupt gzip: {exc}"
        )


def _first_line_is_record(fh: io.BufferedIOBase) -> bool:
    """True when the first line alone is a complete JSON object (JSON Lines)."""
    line = fh.readline(64 * 1024 * 1024)
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _from_zip(path: Path, label: str) -> Iterator[RawRecord]:
    for member in iter_zip_members(path):
        where = f"member {member.name}"
        hint_match = _NCT_IN_NAME.search(member.name)
        hint = hint_match.group(0) if hint_match else None
        lower = member.name.lower()
        if member.error is not None or member.data is None:
            kind = "ctgov_xml" if lower.endswith(".xml") else "ctgov_v2"
            yield RawRecord(label, where, kind, "", nct_id_hint=hint, error=member.error)
        elif lower.endswith(".xml"):
            yield _xml_record(label, where, member.data, hint)
        elif lower.endswith(_JSON_LINES):
            yield from records_from_json_lines(f"{label}!{member.name}", io.BytesIO(member.data))
        elif lower.endswith(".json"):
            for rec in records_from_json_bytes(label, member.data, where):
                yield rec if rec.nct_id_hint or not hint else _with_hint(rec, hint)


def _with_hint(rec: RawRecord, hint: str) -> RawRecord:
    return RawRecord(rec.source, rec.position, rec.format, rec.text, rec.data, hint, rec.error)


def _xml_record(label: str, where: str, data: bytes, hint: str | None = None) -> RawRecord:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if hint is None:
        m = re.search(r"<nct_id>\s*(NCT\d{8})\s*</nct_id>", text[:4000])
        hint = m.group(1) if m else None
    return RawRecord(label, where, "ctgov_xml", text, nct_id_hint=hint)


def _from_url(url: str) -> Iterator[RawRecord]:
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
        yield from _from_file(target, url)
