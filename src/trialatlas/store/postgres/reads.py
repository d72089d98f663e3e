"""Every read of the PostgreSQL store: the mixin :class:`PostgresReads` of ``PostgresStore``.

Studies and full-text hits are read here; the other reads are thin calls into the query
module of their feature (``search``, ``related``, ``vectors``, ``site_points``), as in
the SQLite store, and those both backends answer alike (a study and its raw record by
NCT ID, the listing through ``listing``, the evidence through ``evidence``) are the
store's :class:`~trialatlas.store.shared_reads.SharedReads`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from trialatlas.model.search import SearchQuery, SearchResults
from trialatlas.model.study import Study
from trialatlas.store.base import (
    StudyBrief,
    StudyText,
    TextHit,
)
from trialatlas.store.fts_query import fts_terms
from trialatlas.store.postgres import evidence, listing
from trialatlas.store.postgres.bm25 import bm25_sql
from trialatlas.store.postgres.schema import TEXT_CONFIG
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.postgres.text_query import (
    field_vector,
    match_terms,
    phrases_query,
    searchable,
    words_query,
)
from trialatlas.store.prepared import decode_study
from trialatlas.store.shared_reads import SharedReads, text_hit

if TYPE_CHECKING:
    import numpy as np
    import psycopg

    from trialatlas.model.search import SiteTown
    from trialatlas.store.site_rows import StoredSite

MAX_RANK_TERMS = 256  # as the SQLite backend's text_rank.MAX_TERMS


class PostgresReads(SharedReads):
    """Every read of the store. The class that mixes it in owns the pool."""

    _params = Params
    _listing = listing.LISTING
    _evidence = evidence

    if TYPE_CHECKING:

        def connection(self) -> AbstractContextManager[psycopg.Connection]: ...

        def rows(
            self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
        ) -> list[tuple[Any, ...]]: ...

    # -- studies, raw records, full text ---------------------------------------------
    def get_studies(self, nct_ids: Iterable[str]) -> dict[str, Study]:
        ids = list(dict.fromkeys(nct_ids))
        if not ids:
            return {}
        found = self.rows("SELECT nct_id, document FROM studies WHERE nct_id = ANY(%s)", (ids,))
        return {nct: decode_study(blob) for nct, blob in found}

    def count_studies(self) -> int:
        return int(self.rows("SELECT count(*) FROM studies")[0][0])

    def space_by_table(self) -> list[tuple[str, int]]:
        """Bytes on disk per table or index of the store's schema, largest first."""
        found = self.rows(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c"
            " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i', 't', 'm')"
            " ORDER BY 2 DESC"
        )
        return [(str(name), int(size)) for name, size in found if size]

    def iter_studies(self) -> Iterator[Study]:
        """Every study by NCT ID, streamed through a server-side cursor (one snapshot)."""
        with (
            self.connection() as conn,
            conn.transaction(),
            conn.cursor(name="trialatlas_studies") as cur,
        ):
            cur.itersize = 500
            cur.execute("SELECT document FROM studies ORDER BY nct_id")
            for (blob,) in cur:
                yield decode_study(blob)

    def search_text(self, query: str, limit: int = 20, offset: int = 0) -> list[TextHit]:
        """Ranked hits (titles, conditions, interventions weigh most); all words
        required, falling back to any word when nothing matches all."""
        for mode in ("all", "any"):
            p = Params()
            tsq = words_query(query, mode, p)
            if tsq is None:
                return []
            found = self.rows(
                "SELECT s.nct_id, coalesce(s.brief_title, s.official_title, s.nct_id),"
                f" s.overall_status, s.phases, {bm25_sql([([(t,) for t in match_terms(query)], None)], p)} AS rank,"
                " (SELECT array_agg(c.name ORDER BY c.ordinal) FROM conditions c"
                "  WHERE c.nct_id = s.nct_id)"
                " FROM study_text st JOIN studies s ON s.nct_id = st.nct_id"
                f" WHERE st.document @@ {tsq} ORDER BY rank, s.nct_id"
                f" LIMIT {p.add('limit', limit)} OFFSET {p.add('offset', offset)}",
                p.values,
            )
            if found:
                return [text_hit(r, list(r[5] or [])) for r in found]
        return []

    def rank_text(
        self,
        terms: Sequence[str],
        limit: int = 100,
        columns: Sequence[str] | None = None,
        *,
        remember: bool = False,
    ) -> list[tuple[str, float]]:
        """Trials holding any of ``terms`` (phrases), best bm25 first; a term given
        twice weighs twice (``remember`` is a hint this backend does not use)."""
        p = Params()
        tsq = phrases_query(terms[:MAX_RANK_TERMS], p)
        if tsq is None or limit <= 0:
            return []
        phrases = [tuple(w) for w in map(fts_terms, terms[:MAX_RANK_TERMS]) if w]
        rank = bm25_sql([(phrases, columns)], p)
        found = self.rows(
            f"SELECT st.nct_id, {rank} AS rank FROM study_text st"
            f" WHERE {field_vector(columns)} @@ {tsq} ORDER BY rank, st.nct_id"
            f" LIMIT {p.add('limit', limit)}",
            p.values,
        )
        return [(nct_id, -float(rank)) for nct_id, rank in found]

    def text_document_frequencies(self, words: Sequence[str]) -> dict[str, int]:
        """How many trials hold each word (stemmed as the index stems it), 0 when none;
        a word of several tokens counts by its first, as in the SQLite backend."""
        distinct = list(dict.fromkeys(w for w in words if w.strip()))[:MAX_RANK_TERMS]
        if not distinct:
            return {}
        found = self.rows(
            "SELECT w, (SELECT count(*) FROM study_text st WHERE st.document @@ q)"
            " FROM unnest(%s::text[]) AS w CROSS JOIN LATERAL ("
            "  SELECT coalesce((SELECT quote_literal(lexeme)::tsquery"
            f"   FROM unnest(to_tsvector('{TEXT_CONFIG}', w)) AS x"
            "   ORDER BY x.positions[1] LIMIT 1), ''::tsquery) AS q) AS first",
            ([searchable(w) for w in distinct],),
        )
        counts = {str(w): int(n) for w, n in found}
        return {word: counts.get(searchable(word), 0) for word in distinct}

    # -- trial search (store/postgres/search.py) --
    def search_trials(self, query: SearchQuery) -> SearchResults:
        from trialatlas.store.postgres.search import search_trials

        with self.connection() as conn:
            return search_trials(conn, query)

    def prepare_search(self) -> None:
        """Nothing to build: PostgreSQL answers every search from its indexes."""

    # -- site points (store/postgres/site_points.py) --
    def site_towns(self, lat: float, lon: float, city: str) -> list[SiteTown]:
        from trialatlas.store.postgres.site_points import site_towns

        with self.connection() as conn:
            return site_towns(conn, lat, lon, city)

    def site_placement_version(self) -> int:
        found = self.rows("SELECT version FROM site_placement WHERE id = 1")
        return int(found[0][0]) if found else 0

    def sites_to_place(self) -> list[StoredSite]:
        from trialatlas.store.postgres.site_points import sites_to_place

        with self.connection() as conn:
            return sites_to_place(conn)

    # -- related trials (store/postgres/related.py) --
    def study_briefs(self, nct_ids: Sequence[str]) -> dict[str, StudyBrief]:
        from trialatlas.store.postgres import related

        return related.study_briefs(self, nct_ids)

    def term_neighbours(self, nct_id: str, limit: int = 100) -> list[tuple[str, float]]:
        from trialatlas.store.postgres import related

        return related.term_neighbours(self, nct_id, limit)

    def term_document_counts(self, field: str, terms: Sequence[str]) -> dict[str, int]:
        from trialatlas.store.postgres import related

        return related.term_document_counts(self, field, terms)

    # -- sentence vectors (store/postgres/vectors.py) --
    def iter_study_texts(
        self, nct_ids: Sequence[str] | None = None, batch: int = 500
    ) -> Iterator[list[StudyText]]:
        from trialatlas.store.postgres import vectors

        return vectors.iter_study_texts(self, nct_ids, batch)

    def vector_checksums(self, model: str) -> dict[str, str]:
        found = self.rows("SELECT nct_id, checksum FROM study_vectors WHERE model = %s", (model,))
        return {str(n): str(c) for n, c in found}

    def iter_vectors(
        self, model: str, batch: int = 10000
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        from trialatlas.store.postgres import vectors

        return vectors.iter_vectors(self, model, batch)

    def vector_models(self) -> dict[str, int]:
        found = self.rows("SELECT model, count(*) FROM study_vectors GROUP BY model")
        return {str(m): int(n) for m, n in found}

    def vectors_version(self, model: str) -> str:
        """``token:generation:count``: the per-store token, the write generation, the count."""
        token, value, count = self.rows(
            "SELECT token, value, (SELECT count(*) FROM study_vectors WHERE model = %s)"
            " FROM vector_generation WHERE id = 1",
            (model,),
        )[0]
        return f"{token}:{value}:{count}"
