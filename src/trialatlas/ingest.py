"""Load registry sources into the store: read → normalize → place sites → write.

One bad record never stops a load: it is counted, reported with its source,
position, NCT ID (when known) and reason, and the rest goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from trialatlas.model.study import Study
from trialatlas.normalize import RecordError, normalize_record
from trialatlas.sources.discover import iter_records
from trialatlas.sources.records import RawRecord, SourceError
from trialatlas.store.base import Store


@dataclass(frozen=True, slots=True)
class Reject:
    source: str
    position: str
    nct_id: str | None
    reason: str

    def as_line(self) -> str:
        who = self.nct_id or "unknown NCT ID"
        return f"rejected {self.source} ({self.position}, {who}): {self.reason}"


@dataclass(slots=True)
class IngestSummary:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    source_errors: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        """The one closing line: ``loaded N, updated N, unchanged N, rejected N``."""
        return (
            f"loaded {self.loaded}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


StudyHook = Callable[[Study], Study]


def ingest_paths(
    store: Store,
    sources: Iterable[str],
    *,
    on_record: Callable[[RawRecord], None] | None = None,
    on_reject: Callable[[Reject], None] | None = None,
    enrich: StudyHook | None = None,
) -> IngestSummary:
    """Ingest every record of every source; a source that cannot be read is noted and skipped."""
    summary = IngestSummary()
    if enrich is None:
        enrich = default_enrichment()
    for source in sources:
        try:
            for raw in iter_records(source):
                if on_record is not None:
                    on_record(raw)
                _ingest_one(store, raw, summary, on_reject, enrich)
        except SourceError as exc:
            summary.source_errors.append(str(exc))
    return summary


def _ingest_one(
    store: Store,
    raw: RawRecord,
    summary: IngestSummary,
    on_reject: Callable[[Reject], None] | None,
    enrich: StudyHook,
) -> None:
    try:
        study = enrich(normalize_record(raw))
    except RecordError as exc:
        reject = Reject(raw.source, raw.position, raw.nct_id_hint, str(exc))
        summary.rejected += 1
        summary.rejects.append(reject)
        if on_reject is not None:
            on_reject(reject)
        return
    outcome = store.write_study(study, raw)
    if outcome == "loaded":
        summary.loaded += 1
    elif outcome == "updated":
        summary.updated += 1
    else:  # unchanged, or an older version that never overwrites a newer one
        summary.unchanged += 1


def default_enrichment() -> StudyHook:
    """Place sites without a geo point at their city (flagged city-level), when possible."""
    try:
        from trialatlas.index.geo import city_point
    except ImportError:  # gazetteer not available: sites keep no point
        return lambda study: study
    from trialatlas.model.study import GeoPoint

    def place_sites(study: Study) -> Study:
        for loc in study.locations:
            if loc.geo is None and loc.city:
                point = city_point(loc.city, loc.state, loc.country)
                if point is not None:
                    loc.geo = GeoPoint(lat=point[0], lon=point[1], precision="city")
        return study

    return place_sites
