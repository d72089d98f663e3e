"""What every reader yields: one raw registry record with where it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

RecordFormat = Literal["ctgov_v2", "ctgov_xml"]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read, before normalization.

    ``text`` is the record's original text (JSON or XML), kept in the store with its
    checksum so everything downstream can be rebuilt. ``data`` is the parsed JSON
    object for v2 records (None for XML). ``error`` is set when the reader could
    not even get the record out (malformed JSON line, truncated zip member, XML
    with a DOCTYPE): the record is then rejected with that reason.
    """

    source: str
    position: str
    format: RecordFormat
    text: str
    data: dict[str, Any] | None = None
    nct_id_hint: str | None = None
    error: str | None = None

    def __reduce__(self) -> tuple[type[RawRecord], tuple[Any, ...]]:
        """Pickle as constructor arguments (records cross to ingest workers; much faster)."""
        return (
            RawRecord,
            (
                self.source,
                self.position,
                self.format,
                self.text,
                self.data,
                self.nct_id_hint,
                self.error,
            ),
        )


class SourceError(Exception):
    """A whole source cannot be read (missing file, unreadable archive)."""
