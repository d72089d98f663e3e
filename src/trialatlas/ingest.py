"""Load registry sources into the store: read → normalize → place sites → write.

One bad record never stops a load: it is counted, reported with its source,
position, NCT ID (when known) and reason, and the rest goes on.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context

from trialatlas.model.study import Study
from trialatlas.normalize import RecordError, normalize_record
from trialatlas.sources.ctgov_json import parse_v2_text
from trialatlas.sources.discover import iter_records
from trialatlas.sources.records import RawRecord, SourceError
from trialatlas.store.base import Store
from trialatlas.store.prepared import PreparedStudy, prepare_study


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
Prepared = PreparedStudy | Reject

_GROUP = 200  # studies per commit
_READ_AHEAD = 512  # records in flight per worker


def prepare_record(raw: RawRecord, enrich: StudyHook) -> Prepared:
    """Parse (if read as text), normalize, place sites and prepare one record for writing."""
    if raw.format == "ctgov_v2" and raw.data is None and raw.error is None:
        raw = parse_v2_text(raw)
    try:
        study = enrich(normalize_record(raw))
        return prepare_study(study, raw)
    except RecordError as exc:
        return Reject(raw.source, raw.position, raw.nct_id_hint, str(exc))
    except Exception as exc:  # a mapper defect must not stop the load: reject, say why
        reason = f"could not be normalized ({type(exc).__name__}: {exc})"
        return Reject(raw.source, raw.position, raw.nct_id_hint, reason)


def ingest_paths(
    store: Store,
    sources: Iterable[str],
    *,
    on_record: Callable[[RawRecord], None] | None = None,
    on_reject: Callable[[Reject], None] | None = None,
    workers: int = 1,
) -> IngestSummary:
    """Ingest every record of every source; a source that cannot be read is noted and skipped.

    With ``workers`` > 1, records are prepared in that many processes while this one
    writes, in input order; the result is the same as with one.
    """
    summary = IngestSummary()
    for source in sources:
        try:
            ingest_records(
                store,
                iter_records(source),
                summary,
                on_record=on_record,
                on_reject=on_reject,
                workers=workers,
            )
        except SourceError as exc:
            summary.source_errors.append(str(exc))
    return summary


def ingest_records(
    store: Store,
    records: Iterable[RawRecord],
    summary: IngestSummary | None = None,
    *,
    on_record: Callable[[RawRecord], None] | None = None,
    on_reject: Callable[[Reject], None] | None = None,
    workers: int = 1,
) -> IngestSummary:
    """Ingest a stream of raw records (counts added to ``summary``)."""
    summary = summary if summary is not None else IngestSummary()
    writer = _Writer(store, summary, on_reject)
    if workers <= 1:
        enrich = default_enrichment()
        for raw in records:
            if on_record is not None:
                on_record(raw)
            writer.add(prepare_record(raw, enrich))
        writer.flush()
        return summary
    # Workers prepare while this process writes; the semaphore bounds the read-ahead.
    slots = threading.BoundedSemaphore(_READ_AHEAD * workers)

    def feed() -> Iterator[RawRecord]:
        for raw in records:
            slots.acquire()
            if on_record is not None:
                on_record(raw)
            yield raw

    pool = get_context("fork").Pool(workers, initializer=_worker_init)
    try:
        for item in pool.imap(_worker_prepare, feed(), chunksize=16):
            slots.release()
            writer.add(item)
        writer.flush()
    finally:
        pool.close()
        pool.join()
    return summary


class _Writer:
    """Groups prepared studies and writes them in one commit per group."""

    def __init__(
        self, store: Store, summary: IngestSummary, on_reject: Callable[[Reject], None] | None
    ) -> None:
        self.store, self.summary, self.on_reject = store, summary, on_reject
        self.pending: list[PreparedStudy] = []

    def add(self, item: Prepared) -> None:
        if isinstance(item, Reject):
            self.summary.rejected += 1
            self.summary.rejects.append(item)
            if self.on_reject is not None:
                self.on_reject(item)
            return
        self.pending.append(item)
        if len(self.pending) >= _GROUP:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        for outcome in self.store.write_many(self.pending):
            if outcome == "loaded":
                self.summary.loaded += 1
            elif outcome == "updated":
                self.summary.updated += 1
            else:  # unchanged, or an older version that never overwrites a newer one
                self.summary.unchanged += 1
        self.pending = []


_WORKER_ENRICH: StudyHook | None = None


def _worker_init() -> None:
    global _WORKER_ENRICH
    _WORKER_ENRICH = default_enrichment()
    # Normalizing builds many short-lived objects and no cycles worth chasing often:
    # a relaxed collector saves ~20% of a worker's time.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def _worker_prepare(raw: RawRecord) -> Prepared:
    assert _WORKER_ENRICH is not None
    return prepare_record(raw, _WORKER_ENRICH)


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
