"""A study turned into everything a store writes, computed without touching the database.

Preparing is the expensive part of a write (serializing, compressing, building rows);
it is pure, so ingest can do it in worker processes while one writer applies the result.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Any

import orjson
import zstandard

from trialatlas.model.study import Study
from trialatlas.sources.records import RawRecord
from trialatlas.store.sqlite.briefs import brief_of_row, encode_brief
from trialatlas.store.sqlite.rows import Row, child_rows, fts_row, study_row

_LEVEL = 1  # zstd level 1: ~0.1 ms for a 16 kB record, ~3.5x smaller
_local = threading.local()  # one compressor per thread (they are not thread-safe)


def _compress(data: bytes) -> bytes:
    compressor = getattr(_local, "compressor", None)
    if compressor is None:
        compressor = _local.compressor = zstandard.ZstdCompressor(level=_LEVEL)
    return compressor.compress(data)


@dataclass(frozen=True, slots=True)
class PreparedStudy:
    nct_id: str
    checksum: str
    last_update_posted: str | None
    core: dict[str, Any]
    children: dict[str, list[Row]]
    fts: tuple[str, ...]
    raw_format: str
    raw_source: str
    raw_body: bytes
    brief: bytes = b""  # the study's brief, stored by the SQLite store (store/sqlite/briefs.py)

    def __reduce__(self) -> tuple[type[PreparedStudy], tuple[Any, ...]]:
        """Pickle as constructor arguments (sent from ingest workers; ~2x faster to load)."""
        return (
            PreparedStudy,
            (
                self.nct_id,
                self.checksum,
                self.last_update_posted,
                self.core,
                self.children,
                self.fts,
                self.raw_format,
                self.raw_source,
                self.raw_body,
                self.brief,
            ),
        )


def record_checksum(raw: RawRecord) -> str:
    """SHA-256 of the record: canonical JSON (sorted keys) for v2, the text for XML."""
    if raw.data is not None:
        payload = orjson.dumps(raw.data, option=orjson.OPT_SORT_KEYS)
    else:
        payload = raw.text.encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


def encode_study(study: Study) -> bytes:
    """Compressed normalized document (defaults left out; they come back on load)."""
    return _compress(study.model_dump_json(exclude_defaults=True).encode("utf-8"))


def decode_study(blob: bytes) -> Study:
    return Study.model_validate_json(zstandard.decompress(blob))


def decode_text(blob: bytes) -> str:
    return zstandard.decompress(blob).decode("utf-8")


def date_key(value: str | None) -> str:
    """Comparable form of an ISO partial date ("2015-08" → "2015-08-00")."""
    if not value:
        return ""
    parts = value.split("-") + ["00", "00"]
    return "-".join(parts[:3])


def prepare_study(
    study: Study,
    raw: RawRecord,
    document: bytes | None = None,
    tree: dict[str, Any] | None = None,
) -> PreparedStudy:
    """Everything to write for one study.

    ``document`` is the study as JSON when the caller already has it (the API v2
    mapper's plain tree, which loads back into an equal :class:`Study`); otherwise
    the study is serialized here. ``tree`` is that document as a dict, when the caller
    has it (it is not parsed again).
    """
    core = study_row(study)
    if document is None:
        document = study.model_dump_json(exclude_defaults=True).encode("utf-8")
    core["document"] = _compress(document)
    last = study.status.last_update_posted
    return PreparedStudy(
        nct_id=study.nct_id,
        checksum=record_checksum(raw),
        last_update_posted=last.value if last else None,
        core=core,
        children=child_rows(study),
        fts=fts_row(study),
        raw_format=raw.format,
        raw_source=f"{raw.source}#{raw.position}",
        raw_body=_compress(raw.text.encode("utf-8")),
        brief=encode_brief(
            brief_of_row(core, tree if tree is not None else orjson.loads(document))
        ),
    )
