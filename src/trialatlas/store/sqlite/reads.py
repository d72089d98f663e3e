"""Every read of the SQLite store: the mixin :class:`StoreReads` of ``SQLiteStore``.

Studies and full-text hits are read here; the other reads are thin calls into the query
module of their feature (``search``, ``related``, ``vectors``, ``text_rank``), and those
both backends answer alike (a study and its raw record by NCT ID, the listing through
``ctgov_api``, the evidence through ``evidence``) are the store's
:class:`~trialatlas.store.shared_reads.SharedReads`. :mod:`trialatlas.store.sqlite.store`
keeps the connections and every write.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trialatlas.model.search import SearchQuery, SearchResults
from trialatlas.model.study import Study
from trialatlas.store.base import (
    StudyBrief,
    StudyText,
    TextHit,
)
from trialatlas.store.fts_query import FTS_WEIGHTS, fts_match
from trialatlas.store.prepared import decode_study
from trialatlas.store.shared_reads import SharedReads, text_hit
from trialatlas.store.sqlite import ctgov_api, evidence
from trialatlas.store.sqlite.generation_cache import GenerationCache
from trialatlas.store.sqlite.reader import names_by_study
from trialatlas.store.sqlite.sql_text import Params

if TYPE_CHECKING:
    import numpy as np

    from trialatlas.model.search import SiteTown
    from trialatlas.store.site_rows import StoredSite
    from trialatlas.store.sqlite.search_columns import SearchColumnsCache

RANKED_LISTS = 1_000  # related-trial candidate lists kept per store object (about 15 MB)


class StoreReads(SharedReads):
    """Every read of the store. The class that mixes it in owns the connections."""

    _params = Params
    _listing = ctgov_api.LISTING
    _evidence = evidence

    path: Path
    _search_columns: SearchColumnsCache

    if TYPE_CHECKING:

        def _conn(self) -> sqlite3.Connection:
            """This thread's connection."""
            ...

        def _connect(self) -> sqlite3.Connection:
            """A new connection that its caller owns."""
            ...

    def execute(self, sql: str, params: Iterable[object] = ()) -> sqlite3.Cursor:
        """Run one read query on this thread's connection (for store-layer modules)."""
        return self._conn().execute(sql, tuple(params))

    def rows(
        self, sql: str, params: Iterable[object] | dict[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Every row of one read query on this thread's connection (named parameters in
        a dict), as :class:`trialatlas.store.sql_text.Rows` asks."""
        values = params if isinstance(params, dict) else tuple(params)
        return self._conn().execute(sql, values).fetchall()

    # -- studies, raw records, full text ---------------------------------------------
    def get_studies(self, nct_ids: Iterable[str]) -> dict[str, Study]:
        ids = list(dict.fromkeys(nct_ids))
        out: dict[str, Study] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for nct, blob in self.execute(
                f"SELECT nct_id, document FROM studies WHERE nct_id IN ({marks})", chunk
            ):
                out[nct] = decode_study(blob)
        return out

    def count_studies(self) -> int:
        return self._answers.get(
            self._conn(),
            ("count_studies",),
            lambda: int(self.execute("SELECT count(*) FROM studies").fetchone()[0]),
        )

    @functools.cached_property
    def _answers(self) -> GenerationCache:
        """Counts kept while the store generation stays (store/sqlite/generation_cache.py)."""
        return GenerationCache()

    @functools.cached_property
    def _ranked(self) -> GenerationCache:
        """Ranked lists of one trial's related-trial candidates (its treatment names, its
        neighbours by shared terms), kept while the store generation stays: the patient
        page, the registry page and the JSON of a trial ask for the same lists, and at
        600,000 studies a common word's BM25 ranking alone takes 50-150 ms. About 15 KB
        a list."""
        return GenerationCache(RANKED_LISTS)

    def space_by_table(self) -> list[tuple[str, int]]:
        """Bytes per table or index of the file, largest first (the dbstat table), or
        the whole file as one row when this SQLite lacks dbstat."""
        try:
            found = self.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
            ).fetchall()
        except sqlite3.OperationalError:
            pages = self.execute("PRAGMA page_count").fetchone()[0]
            size = self.execute("PRAGMA page_size").fetchone()[0]
            return [("(the whole file)", int(pages) * int(size))]
        return [(str(name), int(size)) for name, size in found]

    def iter_studies(self) -> Iterator[Study]:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        try:
            for (blob,) in conn.execute("SELECT document FROM studies ORDER BY nct_id"):
                yield decode_study(blob)
        finally:
            conn.close()

    def search_text(self, query: str, limit: int = 20, offset: int = 0) -> list[TextHit]:
        """BM25-ranked hits (titles, conditions, interventions weigh most); all words
        required, falling back to any word when nothing matches all."""
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        for mode in ("all", "any"):
            match = fts_match(query, mode)
            if match is None:
                return []
            rows = self.execute(
                f"SELECT s.nct_id, coalesce(s.brief_title, s.official_title, s.nct_id),"
                f" s.overall_status, s.phases, bm25(studies_fts, {weights}) AS rank"
                " FROM studies_fts JOIN studies s ON s.id = studies_fts.rowid"
                " WHERE studies_fts MATCH ? ORDER BY rank, s.nct_id LIMIT ? OFFSET ?",
                (match, limit, offset),
            ).fetchall()
            if rows:
                conds = names_by_study(self, "conditions", [r[0] for r in rows])
                return [text_hit(r, conds.get(r[0], [])) for r in rows]
        return []

    def rank_text(
        self,
        terms: Sequence[str],
        limit: int = 100,
        columns: Sequence[str] | None = None,
        *,
        remember: bool = False,
    ) -> list[tuple[str, float]]:
        """Trials holding any of ``terms`` (phrases), best BM25 first (store/sqlite/text_rank.py);
        with ``remember``, kept while the store generation stays (:attr:`_ranked`)."""
        from trialatlas.store.sqlite.text_rank import rank_any

        conn = self._conn()
        if not remember:
            return rank_any(conn, terms, limit, columns)
        key = ("rank_text", tuple(terms), limit, None if columns is None else tuple(columns))
        return list(
            self._ranked.get(conn, key, lambda: tuple(rank_any(conn, terms, limit, columns)))
        )

    def text_document_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """How many trials hold each word in the full-text index (store/sqlite/text_rank.py)."""
        from trialatlas.store.sqlite.text_rank import document_frequencies

        return document_frequencies(self._conn(), words)

    # -- trial search (store/sqlite/search.py) --
    def search_trials(self, query: SearchQuery) -> SearchResults:
        """Filtered, ranked, faceted, cursor-paged trial search (see store/sqlite/search.py)."""
        from trialatlas.store.sqlite.search import search_trials

        return search_trials(self._conn(), query, self._search_columns)

    def prepare_search(self) -> None:
        """Build the in-memory search columns now (else the first search builds them;
        they are read in one snapshot of their own)."""
        self._search_columns.get(self._conn())

    # -- site points (store/sqlite/site_points.py) --
    def site_towns(self, lat: float, lon: float, city: str) -> list[SiteTown]:
        from trialatlas.store.sqlite.search import ensure_math_functions
        from trialatlas.store.sqlite.site_points import site_towns

        conn = self._conn()
        ensure_math_functions(conn)
        return site_towns(conn, lat, lon, city)

    def site_placement_version(self) -> int:
        from trialatlas.store.sqlite.site_points import placement_version

        return placement_version(self._conn())

    def sites_to_place(self) -> list[StoredSite]:
        from trialatlas.store.sqlite.site_points import sites_to_place

        return sites_to_place(self._conn())

    # -- related trials (store/sqlite/related.py) --
    def study_briefs(self, nct_ids: Sequence[str]) -> dict[str, StudyBrief]:
        from trialatlas.store.sqlite.briefs import read_briefs

        return read_briefs(self, nct_ids)

    def term_neighbours(self, nct_id: str, limit: int = 100) -> list[tuple[str, float]]:
        from trialatlas.store.sqlite import related

        conn = self._conn()

        def holder_count(field: str, term: str, cap: int) -> int:
            key = ("holders", field, term, cap)
            return self._answers.get(
                conn, key, lambda: related.count_holders(self, field, term, cap)
            )

        return list(
            self._ranked.get(
                conn,
                ("term_neighbours", nct_id, limit),
                lambda: tuple(
                    related.term_neighbours(self, nct_id, limit, self.count_studies(), holder_count)
                ),
            )
        )

    def term_document_counts(self, field: str, terms: Sequence[str]) -> dict[str, int]:
        from trialatlas.store.sqlite import related

        related.term_document_counts(self, field, [])  # an unknown field is refused
        conn = self._conn()

        def count(term: str) -> int:
            return related.term_document_counts(self, field, [term])[term]

        return {
            term: self._answers.get(conn, ("documents", field, term), partial(count, term))
            for term in dict.fromkeys(terms)
        }

    # -- sentence vectors (store/sqlite/vectors.py) --
    def iter_study_texts(
        self, nct_ids: Sequence[str] | None = None, batch: int = 500
    ) -> Iterator[list[StudyText]]:
        from trialatlas.store.sqlite import vectors

        return vectors.iter_study_texts(self._conn(), nct_ids, batch)

    def vector_checksums(self, model: str) -> dict[str, str]:
        from trialatlas.store.sqlite import vectors

        return vectors.vector_checksums(self._conn(), model)

    def iter_vectors(
        self, model: str, batch: int = 10000
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        from trialatlas.store.sqlite import vectors

        return vectors.iter_vectors(self._connect, model, batch)

    def vector_models(self) -> dict[str, int]:
        from trialatlas.store.sqlite import vectors

        return vectors.vector_models(self._conn())

    def vectors_version(self, model: str) -> str:
        from trialatlas.store.sqlite import vectors

        return vectors.vectors_version(self._conn(), model)
