"""ClinicalTrials.gov API v2 JSON: one study, a ``{"studies": [...]}`` page, a list, JSON Lines."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson

from trialatlas.sources.bounded import ReadLimits, capped_lines
from trialatlas.sources.encoding import EncodingProblem, invalid_utf8, utf8_text
from trialatlas.sources.records import RawRecord

_BOM = codecs.BOM_UTF8
_NCT_RE = re.compile(r'"nct_?[iI]d"\s*:\s*"([^"]{0,40})"')


def _nct_hint(study: Any) -> str | None:
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _unwrap(obj: Any) -> tuple[str, Any]:
    """Recognize a study object, or a wrapped record ``{"study": {...}}`` / ``{"xml": "..."}``."""
    if isinstance(obj, dict):
        if "protocolSection" in obj:
            return "ctgov_v2", obj
        if isinstance(obj.get("study"), dict):
            return "ctgov_v2", obj["study"]
        if isinstance(obj.get("xml"), str):
            return "ctgov_xml", obj["xml"]
    return "unknown", obj


def _record(source: str, position: str, obj: Any, text: str | None = None) -> RawRecord:
    kind, payload = _unwrap(obj)
    if kind == "ctgov_xml":
        return RawRecord(source, position, "ctgov_xml", payload)
    if kind == "ctgov_v2":
        body = text if text is not None and payload is obj else orjson.dumps(payload).decode()
        return RawRecord(
            source, position, "ctgov_v2", body, data=payload, nct_id_hint=_nct_hint(payload)
        )
    shown = orjson.dumps(obj).decode()[:200] if not isinstance(obj, str) else obj[:200]
    return RawRecord(
        source,
        position,
        "ctgov_v2",
        shown,
        data=None,
        error="not a ClinicalTrials.gov study object (no protocolSection)",
    )


def records_from_json_bytes(
    source: str, data: bytes, position: str = "document", offset: int = 0
) -> Iterator[RawRecord]:
    """One JSON document: a study, a page of studies, or a list of studies.

    ``offset``: where ``data`` starts in its source (for the byte offset of bad UTF-8).
    A UTF-8 byte-order mark at the start is allowed (RFC 8259) and skipped.
    """
    if data.startswith(_BOM):
        data, offset = data[len(_BOM) :], offset + len(_BOM)
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason = invalid_utf8(data, offset) or f"malformed JSON: {exc}"
        yield RawRecord(
            source, position, "ctgov_v2", data[:200].decode("utf-8", "replace"), error=reason
        )
        return
    if isinstance(obj, dict) and isinstance(obj.get("studies"), list):
        items: list[Any] = obj["studies"]
    elif isinstance(obj, list):
        items = obj
    else:
        yield _record(source, position, obj, data.decode("utf-8"))
        return
    for i, item in enumerate(items):
        yield _record(
            source, f"{position} item {i + 1}" if position != "document" else f"item {i + 1}", item
        )


def records_from_json_lines(
    source: str, fh: BinaryIO, limits: ReadLimits | None = None
) -> Iterator[RawRecord]:
    """JSON Lines: one study (or wrapped record) per line; blank lines skipped.

    Lines are not parsed here: parsing happens with normalization (possibly in a
    worker process), where a malformed line becomes a reject naming its position.
    A line over the record limit is skipped unread; a line that is not UTF-8 is
    rejected naming the byte offset (in the file) of the first bad byte.
    """
    limits = limits or ReadLimits()
    for line in capped_lines(fh, limits.max_record_bytes):
        where = f"line {line.number}"
        if line.data is None:
            hint = _NCT_RE.search(line.head.decode("utf-8", "replace"))
            yield RawRecord(
                source,
                where,
                "ctgov_v2",
                "",
                nct_id_hint=hint.group(1) if hint else None,
                error=limits.too_large(line.size),
            )
            continue
        if not line.data.strip():
            continue
        try:
            text = utf8_text(line.data, line.offset).strip()
            if line.number == 1:
                text = text.removeprefix("\ufeff")
        except EncodingProblem as exc:
            yield RawRecord(source, where, "ctgov_v2", "", error=str(exc))
            continue
        hint = _NCT_RE.search(text, 0, 20000)
        yield RawRecord(
            source, where, "ctgov_v2", text, nct_id_hint=hint.group(1) if hint else None
        )


def parse_v2_text(record: RawRecord) -> RawRecord:
    """Parse a record read as text; unwrap ``{"study": …}`` / ``{"xml": …}`` wrappers.

    Returns a record with ``data`` set (or an XML record), or one with ``error`` set.
    """
    try:
        obj = orjson.loads(record.text)
    except orjson.JSONDecodeError as exc:
        return RawRecord(
            record.source,
            record.position,
            "ctgov_v2",
            record.text,
            nct_id_hint=record.nct_id_hint,
            error=f"malformed JSON: {exc}",
        )
    parsed = _record(record.source, record.position, obj, record.text)
    if parsed.nct_id_hint is None and record.nct_id_hint is not None:
        return RawRecord(
            parsed.source,
            parsed.position,
            parsed.format,
            parsed.text,
            parsed.data,
            record.nct_id_hint,
            parsed.error,
        )
    return parsed
