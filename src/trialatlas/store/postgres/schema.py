"""PostgreSQL schema as numbered migrations; ``schema_version`` records the last applied.

The tables mirror the SQLite store's (:mod:`trialatlas.store.sqlite.schema`), so the
rows a prepared study carries (:mod:`trialatlas.store.prepared`) go in unchanged. The
full-text index is ``study_text``: one ``tsvector`` per field of the SQLite
``studies_fts`` columns (title, conditions, interventions, keywords, summary,
description), and ``document``, all six with ``setweight`` A/B/C/D by the same order
of weights; kept compressed in the row (``STORAGE MAIN``) so that the planner, which
prices a scan by the table's own pages, prefers the GIN indexes to reading every row. Dates and NCT IDs compare bytewise (``COLLATE "C"``), as in SQLite. The text search configuration ``trialatlas`` is English snowball stemming
without a stopword list (the query builder leaves function words out itself, as
:func:`trialatlas.store.fts_query.fts_match` does).

Migrations run under an advisory lock, so two servers starting on one empty database
apply them once.
"""

from __future__ import annotations

import psycopg

from trialatlas.store.sqlite.schema import CHILD_TABLES  # the same child tables

__all__ = ["CHILD_TABLES", "MIGRATIONS", "TEXT_CONFIG", "check_schema", "migrate"]

TEXT_CONFIG = "trialatlas"
_LOCK_KEY = 7_310_113  # advisory lock of the migrations (any constant of this product)

MIGRATIONS: list[str] = [
    # 1: text search configuration, raw records, core study row, child tables, text index,
    # generations, vectors, site placement
    f"""
    CREATE TEXT SEARCH DICTIONARY {TEXT_CONFIG}_stem (TEMPLATE = snowball, LANGUAGE = english);
    CREATE TEXT SEARCH CONFIGURATION {TEXT_CONFIG} (COPY = pg_catalog.english);
    ALTER TEXT SEARCH CONFIGURATION {TEXT_CONFIG}
        ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
        WITH {TEXT_CONFIG}_stem;
    CREATE TABLE raw_records (
        nct_id TEXT COLLATE "C" PRIMARY KEY,
        format TEXT NOT NULL,
        source TEXT NOT NULL,
        checksum TEXT NOT NULL,
        last_update_posted TEXT COLLATE "C",
        loaded_at TEXT NOT NULL,
        body BYTEA NOT NULL
    );
    CREATE TABLE studies (
        nct_id TEXT COLLATE "C" PRIMARY KEY,
        source_format TEXT NOT NULL,
        brief_title TEXT,
        official_title TEXT,
        acronym TEXT,
        overall_status TEXT,
        study_type TEXT,
        phases TEXT,
        start_date TEXT COLLATE "C",
        primary_completion_date TEXT COLLATE "C",
        completion_date TEXT COLLATE "C",
        first_posted TEXT COLLATE "C",
        last_update_posted TEXT COLLATE "C",
        enrollment_count BIGINT,
        enrollment_type TEXT,
        sex TEXT,
        min_age_days INTEGER,
        max_age_days INTEGER,
        healthy_volunteers INTEGER,
        has_results INTEGER NOT NULL,
        lead_sponsor TEXT,
        lead_sponsor_class TEXT,
        document BYTEA NOT NULL
    );
    CREATE INDEX studies_status ON studies (overall_status);
    CREATE INDEX studies_last_update ON studies (last_update_posted);
    CREATE INDEX studies_start ON studies (start_date);
    CREATE TABLE conditions (nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, name TEXT NOT NULL);
    CREATE INDEX conditions_nct ON conditions (nct_id);
    CREATE INDEX conditions_name ON conditions (lower(name), nct_id);
    CREATE TABLE keywords (nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, name TEXT NOT NULL);
    CREATE INDEX keywords_nct ON keywords (nct_id);
    CREATE TABLE mesh_terms (nct_id TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL, term TEXT NOT NULL, mesh_id TEXT);
    CREATE INDEX mesh_terms_nct ON mesh_terms (nct_id);
    CREATE INDEX mesh_terms_term ON mesh_terms (lower(term), kind, nct_id);
    CREATE TABLE interventions (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, type TEXT, name TEXT NOT NULL,
        description TEXT, other_names TEXT
    );
    CREATE INDEX interventions_nct ON interventions (nct_id);
    CREATE INDEX interventions_name ON interventions (lower(name), nct_id);
    CREATE TABLE arms (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, label TEXT NOT NULL, type TEXT, description TEXT
    );
    CREATE INDEX arms_nct ON arms (nct_id);
    CREATE TABLE outcomes (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, kind TEXT NOT NULL, measure TEXT NOT NULL,
        time_frame TEXT
    );
    CREATE INDEX outcomes_nct ON outcomes (nct_id);
    CREATE TABLE sponsors (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
        agency_class TEXT
    );
    CREATE INDEX sponsors_nct ON sponsors (nct_id);
    CREATE TABLE officials (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, name TEXT NOT NULL, role TEXT, affiliation TEXT
    );
    CREATE INDEX officials_nct ON officials (nct_id);
    CREATE TABLE locations (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, facility TEXT, status TEXT, city TEXT,
        state TEXT, zip TEXT, country TEXT, lat DOUBLE PRECISION, lon DOUBLE PRECISION,
        geo_precision TEXT
    );
    CREATE INDEX locations_nct ON locations (nct_id, country);
    CREATE INDEX locations_country ON locations (lower(country), nct_id);
    CREATE INDEX locations_geo ON locations (lat, lon);
    CREATE TABLE study_references (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, pmid TEXT, type TEXT, citation TEXT
    );
    CREATE INDEX study_references_nct ON study_references (nct_id);
    CREATE TABLE identifiers (
        nct_id TEXT COLLATE "C" NOT NULL, ordinal INTEGER NOT NULL, id TEXT NOT NULL, type TEXT, domain TEXT
    );
    CREATE INDEX identifiers_nct ON identifiers (nct_id);
    CREATE INDEX identifiers_id ON identifiers (upper(id));
    CREATE TABLE study_text (
        nct_id TEXT COLLATE "C" PRIMARY KEY,
        brief_summary TEXT,
        title TSVECTOR NOT NULL,
        conditions TSVECTOR NOT NULL,
        interventions TSVECTOR NOT NULL,
        keywords TSVECTOR NOT NULL,
        summary TSVECTOR NOT NULL,
        description TSVECTOR NOT NULL,
        document TSVECTOR NOT NULL,
        tokens INTEGER NOT NULL          -- words in all six fields (bm25's document length)
    );
    CREATE TABLE text_stats (
        id INTEGER PRIMARY KEY CHECK (id = 1), documents BIGINT NOT NULL, tokens BIGINT NOT NULL
    );
    INSERT INTO text_stats (id, documents, tokens) VALUES (1, 0, 0);
    ALTER TABLE study_text ALTER COLUMN document SET STORAGE MAIN,
        ALTER COLUMN title SET STORAGE MAIN, ALTER COLUMN conditions SET STORAGE MAIN,
        ALTER COLUMN interventions SET STORAGE MAIN, ALTER COLUMN keywords SET STORAGE MAIN,
        ALTER COLUMN summary SET STORAGE MAIN, ALTER COLUMN description SET STORAGE MAIN;
    CREATE INDEX study_text_document ON study_text USING gin (document);
    CREATE INDEX study_text_title ON study_text USING gin (title);
    CREATE INDEX study_text_conditions ON study_text USING gin (conditions);
    CREATE INDEX study_text_interventions ON study_text USING gin (interventions);
    CREATE TABLE store_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL);
    INSERT INTO store_generation (id, value) VALUES (1, 0);
    CREATE TABLE study_vectors (
        nct_id TEXT COLLATE "C" PRIMARY KEY,
        model TEXT NOT NULL,
        checksum TEXT NOT NULL,
        vector BYTEA NOT NULL
    );
    CREATE TABLE vector_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, value BIGINT NOT NULL
    );
    INSERT INTO vector_generation (id, token, value)
        VALUES (1, md5(random()::text || clock_timestamp()::text), 0);
    CREATE TABLE site_placement (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
    INSERT INTO site_placement (id, version) VALUES (1, 0);
    """,
    # 2: where an interrupted `trialatlas sync` stands, per registry API root (its own
    # JSON text; trialatlas.sync.cursor)
    """
    CREATE TABLE sync_cursors (source TEXT PRIMARY KEY, state TEXT NOT NULL, saved_at TEXT NOT NULL);
    """,
    # 3: each study's brief, what related trials compare (store/sqlite/briefs.py's format),
    # written with the study; a study without one is read from its document
    """
    CREATE TABLE study_briefs (nct_id TEXT PRIMARY KEY, brief BYTEA NOT NULL);
    """,
]


def migrate(conn: psycopg.Connection) -> int:
    """Apply pending migrations in order, each in its own transaction; return the version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version"
            " (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
        )
        conn.execute(
            "INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"
        )
    version = 0
    for number, script in enumerate(MIGRATIONS, start=1):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            row = conn.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
            version = int(row[0]) if row else 0
            if number <= version:
                continue
            conn.execute(script)  # type: ignore[arg-type]
            conn.execute("UPDATE schema_version SET version = %s WHERE id = 1", (number,))
            version = number
    return version


def check_schema(conn: psycopg.Connection, where: str) -> None:
    """Fail unless the database is at the current schema (a read-only opener cannot migrate)."""
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    version = 0
    if row and row[0]:
        found = conn.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
        version = int(found[0]) if found else 0
    if version != len(MIGRATIONS):
        raise psycopg.DatabaseError(
            f"{where} is at schema version {version}, this TrialAtlas reads {len(MIGRATIONS)}:"
            " open it for writing once (`trialatlas ingest` or `trialatlas serve`)"
        )
