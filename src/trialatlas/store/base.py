"""The store interface: the only place that speaks SQL implements it (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from trialatlas.model.search import SearchQuery, SearchResults
from trialatlas.model.study import Study
from trialatlas.sources.records import RawRecord
from trialatlas.store.listing import StudyListPage, StudyListQuery

if TYPE_CHECKING:
    import numpy as np

    from trialatlas.model.search import SiteTown
    from trialatlas.store.prepared import PreparedStudy
    from trialatlas.store.site_rows import NewPoint, StoredSite

WriteOutcome = Literal["loaded", "updated", "unchanged", "older"]


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """The raw record kept per study, so everything downstream can be rebuilt."""

    nct_id: str
    format: str
    source: str
    checksum: str
    text: str
    last_update_posted: str | None
    loaded_at: str


@dataclass(frozen=True, slots=True)
class TextHit:
    """One full-text hit, best first."""

    nct_id: str
    title: str
    overall_status: str | None
    phases: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class EvidenceTrial:
    """Another trial of a treatment, as the patient summary cites it."""

    nct_id: str
    title: str
    overall_status: str | None
    phases: list[str] = field(default_factory=list)
    enrollment_count: int | None = None
    completion_date: str | None = None


@dataclass(frozen=True, slots=True)
class SeriousEvents:
    """A trial's posted serious adverse events, summed over all its groups, and per group
    (``posted``: title, affected, at risk) with the trial's arms (label, type) to tell
    the treatment groups from the others."""

    nct_id: str
    affected: int
    at_risk: int
    groups: int
    posted: tuple[tuple[str, int | None, int | None], ...] = ()
    arms: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class BriefIntervention:
    """One intervention as the related-trials feature compares it."""

    type: str | None
    name: str
    other_names: tuple[str, ...] = ()
    arm_types: tuple[str, ...] = ()  # types of the arms that receive it (registry codes)


@dataclass(frozen=True, slots=True)
class StudyBrief:
    """What the related-trials feature compares of a trial (registry words and codes)."""

    nct_id: str
    title: str
    overall_status: str | None
    study_type: str | None
    phases: tuple[str, ...] = ()
    primary_purpose: str | None = None
    conditions: tuple[str, ...] = ()
    condition_mesh: tuple[str, ...] = ()
    intervention_mesh: tuple[str, ...] = ()
    interventions: tuple[BriefIntervention, ...] = ()


@dataclass(frozen=True, slots=True)
class StudyText:
    """The fields a study's sentence vector is made from (see trialatlas.index.study_text)."""

    nct_id: str
    brief_title: str | None
    official_title: str | None
    conditions: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()  # names, in registry order
    summary: str | None = None


class Store(Protocol):
    """Read and write studies. Writes for one study are one transaction."""

    def write_study(self, study: Study, raw: RawRecord) -> WriteOutcome:
        """Store one study with its raw record; idempotent, newest version wins."""
        ...

    def write_prepared(self, prepared: PreparedStudy) -> WriteOutcome:
        """Apply a study prepared by :func:`trialatlas.store.prepared.prepare_study`."""
        ...

    def write_many(self, preps: list[PreparedStudy]) -> list[WriteOutcome]:
        """Apply several prepared studies, each atomically, committed as one group."""
        ...

    def bulk_load(self) -> AbstractContextManager[None]:
        """Around a large ingest: the store may defer index upkeep until it ends."""
        ...

    def get_study(self, nct_id: str) -> Study | None: ...

    def get_studies(self, nct_ids: Iterable[str]) -> dict[str, Study]: ...

    def get_raw(self, nct_id: str) -> StoredRecord | None: ...

    def count_studies(self) -> int: ...

    def space_by_table(self) -> list[tuple[str, int]]:
        """Bytes on disk per table and index, largest first (what a study costs, and where)."""
        ...

    def iter_studies(self) -> Iterator[Study]: ...

    def search_text(self, query: str, limit: int = 20, offset: int = 0) -> list[TextHit]:
        """Ranked full-text search (BM25) over titles, conditions, interventions,
        keywords, summary and description. Any user text is safe (escaped)."""
        ...

    def rank_text(
        self,
        terms: Sequence[str],
        limit: int = 100,
        columns: Sequence[str] | None = None,
        *,
        remember: bool = False,
    ) -> list[tuple[str, float]]:
        """``(nct_id, score)`` of trials holding ANY of ``terms`` (each a phrase; a term
        given twice weighs twice), best BM25 first; ``columns`` limits the fields. For
        retrieval from long keyword lists (matching, baselines). Any text is safe.
        ``remember``: the backend may keep the answer while the stored studies stay the
        same (only for terms taken from the registry, never a patient's words)."""
        ...

    def text_document_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """How many trials hold each word in the full-text index (as it reads words:
        stemmed); 0 for a word none holds. Picks the telling words of a long query."""
        ...

    def close(self) -> None: ...

    def list_studies(
        self,
        query: StudyListQuery,
        after: Sequence[Any] | None,
        limit: int,
        count_total: bool = False,
    ) -> StudyListPage:
        """One keyset page of the studies ``query`` matches (see :mod:`trialatlas.store.listing`)."""
        ...

    def latest_update_posted(self) -> str | None:
        """The most recent last-update-posted date in the store (ISO), None when empty."""
        ...

    def search_trials(self, query: SearchQuery) -> SearchResults:
        """Trials matching ``query`` (words ranked by BM25, filters, radius around
        ``query.near``), facet counts over the filtered set and a cursor to the next page."""
        ...

    def prepare_search(self) -> None:
        """Build whatever in-memory search structures the backend keeps, now (a server
        calls it at start-up; otherwise the first search that needs them builds them)."""
        ...

    # -- site points (store/sqlite/site_points.py; placing is index/site_upgrade.py's) --
    def site_towns(self, lat: float, lon: float, city: str) -> list[SiteTown]:
        """Towns named ``city`` whose sites placed only by their city are near the point."""
        ...

    def site_placement_version(self) -> int:
        """The version of the rules the store's sites were placed by (0: before ZIP codes)."""
        ...

    def sites_to_place(self) -> list[StoredSite]:
        """Every site not placed at its ZIP code."""
        ...

    def save_site_points(self, points: Sequence[NewPoint], version: int) -> None:
        """New points for sites (rows and documents) and the placement version, at once."""
        ...

    # -- evidence for the patient summary (store/sqlite/evidence.py) --
    def trials_with_results(
        self, intervention_terms: Sequence[str], exclude: str | None = None, limit: int = 5
    ) -> tuple[int, list[EvidenceTrial]]:
        """Completed trials with posted results testing one of the intervention terms:
        how many, and the ``limit`` most recently completed (``exclude``: this trial)."""
        ...

    def count_intervention_trials(
        self,
        intervention_terms: Sequence[str],
        condition_terms: Sequence[str],
        exclude: str | None = None,
    ) -> int:
        """How many trials test one of the intervention terms for one of the conditions."""
        ...

    def serious_events(self, nct_ids: Sequence[str]) -> dict[str, SeriousEvents]:
        """Posted serious adverse events of these trials, summed over groups (those with any)."""
        ...

    # -- related trials (store/sqlite/related.py) --
    def study_briefs(self, nct_ids: Sequence[str]) -> dict[str, StudyBrief]:
        """The compared facts of these trials (those in the store)."""
        ...

    def term_neighbours(self, nct_id: str, limit: int = 100) -> list[tuple[str, float]]:
        """``(nct_id, weight)`` of other trials sharing a MeSH term or a condition or
        intervention name with ``nct_id`` (terms too common to say anything skipped),
        the rarest shared terms first (weight: summed inverse document frequency)."""
        ...

    def term_document_counts(self, field: str, terms: Sequence[str]) -> dict[str, int]:
        """How many trials hold each term: ``field`` is ``condition_mesh``,
        ``intervention_mesh`` (exact MeSH terms), ``conditions`` or ``interventions``
        (every word of the term in that full-text column, stemmed as the index stems it)."""
        ...

    # -- sentence vectors (store/sqlite/vectors.py); vectors are float16 in the store --
    def iter_study_texts(
        self, nct_ids: Sequence[str] | None = None, batch: int = 500
    ) -> Iterator[list[StudyText]]:
        """The vector text fields of these studies (all, by NCT ID, when None), in batches."""
        ...

    def vector_checksums(self, model: str) -> dict[str, str]:
        """``nct_id → text checksum`` of the stored vectors made by ``model``."""
        ...

    def write_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """Store ``(nct_id, text checksum, vector)`` rows (replacing older ones), one commit."""
        ...

    def delete_vectors(self, nct_ids: Sequence[str]) -> int:
        """Drop the vectors of these studies; how many were dropped."""
        ...

    def delete_orphan_vectors(self) -> int:
        """Drop the vectors of studies no longer in the store; how many were dropped."""
        ...

    def iter_vectors(
        self, model: str, batch: int = 10000
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        """The stored vectors of ``model`` as ``(nct_ids, float32 array)`` batches, by NCT ID."""
        ...

    def vector_models(self) -> dict[str, int]:
        """How many stored vectors each model made."""
        ...

    def vectors_version(self, model: str) -> str:
        """Changes whenever the stored vectors of ``model`` change (differs between stores)."""
        ...

    # -- where an interrupted sync stands (store/sqlite/sync_cursor.py) --
    def load_sync_cursor(self, source: str) -> str | None:
        """The state text last saved for the sync from ``source`` (an API root URL), None
        when there is none (never saved, or dropped when that sync completed)."""
        ...

    def save_sync_cursor(self, source: str, state: str | None) -> None:
        """Keep ``state`` (opaque text, JSON) for ``source``, replacing the previous one,
        committed at once; ``None`` drops it."""
        ...
