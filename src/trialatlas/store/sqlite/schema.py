"""SQLite schema as numbered migrations; ``PRAGMA user_version`` records the last applied."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: raw records, core study row, child tables, full-text index
    """
    CREATE TABLE raw_records (
        nct_id TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        source TEXT NOT NULL,
        checksum TEXT NOT NULL,
        last_update_posted TEXT,
        loaded_at TEXT NOT NULL,
        body BLOB NOT NULL               -- zstd-compressed original record text
    );
    CREATE TABLE studies (
        id INTEGER PRIMARY KEY,          -- rowid shared with studies_fts
        nct_id TEXT NOT NULL UNIQUE,
        source_format TEXT NOT NULL,
        brief_title TEXT,
        official_title TEXT,
        acronym TEXT,
        overall_status TEXT,
        study_type TEXT,
        phases TEXT,                     -- registry codes joined by '|'
        start_date TEXT,
        primary_completion_date TEXT,
        completion_date TEXT,
        first_posted TEXT,
        last_update_posted TEXT,
        enrollment_count INTEGER,
        enrollment_type TEXT,
        sex TEXT,
        min_age_days INTEGER,
        max_age_days INTEGER,
        healthy_volunteers INTEGER,
        has_results INTEGER NOT NULL,
        lead_sponsor TEXT,
        lead_sponsor_class TEXT,
        document BLOB NOT NULL           -- zstd-compressed normalized Study JSON
    );
    CREATE INDEX studies_status ON studies(overall_status);
    CREATE INDEX studies_last_update ON studies(last_update_posted);
    CREATE INDEX studies_start ON studies(start_date);
    CREATE TABLE conditions (nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, name TEXT NOT NULL);
    CREATE INDEX conditions_nct ON conditions(nct_id);
    CREATE TABLE keywords (nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, name TEXT NOT NULL);
    CREATE INDEX keywords_nct ON keywords(nct_id);
    CREATE TABLE mesh_terms (nct_id TEXT NOT NULL, kind TEXT NOT NULL, term TEXT NOT NULL, mesh_id TEXT);
    CREATE INDEX mesh_terms_nct ON mesh_terms(nct_id);
    CREATE TABLE interventions (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, type TEXT, name TEXT NOT NULL,
        description TEXT, other_names TEXT
    );
    CREATE INDEX interventions_nct ON interventions(nct_id);
    CREATE TABLE arms (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, label TEXT NOT NULL, type TEXT, description TEXT
    );
    CREATE INDEX arms_nct ON arms(nct_id);
    CREATE TABLE outcomes (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, kind TEXT NOT NULL, measure TEXT NOT NULL,
        time_frame TEXT
    );
    CREATE INDEX outcomes_nct ON outcomes(nct_id);
    CREATE TABLE sponsors (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, role TEXT NOT NULL, name TEXT NOT NULL,
        agency_class TEXT
    );
    CREATE INDEX sponsors_nct ON sponsors(nct_id);
    CREATE TABLE officials (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, name TEXT NOT NULL, role TEXT, affiliation TEXT
    );
    CREATE INDEX officials_nct ON officials(nct_id);
    CREATE TABLE locations (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, facility TEXT, status TEXT, city TEXT,
        state TEXT, zip TEXT, country TEXT, lat REAL, lon REAL, geo_precision TEXT
    );
    CREATE INDEX locations_nct ON locations(nct_id);
    CREATE INDEX locations_country ON locations(country);
    CREATE INDEX locations_lat ON locations(lat);
    CREATE TABLE study_references (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, pmid TEXT, type TEXT, citation TEXT
    );
    CREATE INDEX study_references_nct ON study_references(nct_id);
    CREATE TABLE identifiers (
        nct_id TEXT NOT NULL, ordinal INTEGER NOT NULL, id TEXT NOT NULL, type TEXT, domain TEXT
    );
    CREATE INDEX identifiers_nct ON identifiers(nct_id);
    CREATE VIRTUAL TABLE studies_fts USING fts5(
        title, conditions, interventions, keywords, summary, description,
        tokenize = 'porter unicode61 remove_diacritics 2'
    );
    """,
    # 2: search: compact covering indexes (filters and facets never read the wide study
    # rows), sites by quarter-degree latitude band and longitude (radius search), and
    # sites' countries per study (country filter and facet)
    """
    CREATE INDEX studies_search_by_id ON studies(
        id, overall_status, phases, study_type, lead_sponsor_class, sex, min_age_days,
        max_age_days, healthy_volunteers, has_results, start_date, last_update_posted, nct_id
    );
    CREATE INDEX studies_search_by_status ON studies(
        overall_status, phases, study_type, lead_sponsor_class, sex, min_age_days,
        max_age_days, healthy_volunteers, has_results, start_date, last_update_posted, nct_id
    );
    CREATE INDEX locations_geo_cell ON locations(CAST(lat * 4 AS INTEGER), lon, lat, nct_id);
    CREATE INDEX locations_nct_country ON locations(nct_id, country);
    """,
    # 3: search: trials by site country and by sponsor name, case-insensitive (these
    # filters find their trials directly when no words or place narrow the search)
    """
    CREATE INDEX locations_country_nct ON locations(country COLLATE NOCASE, nct_id);
    CREATE INDEX sponsors_name_nct ON sponsors(name COLLATE NOCASE, nct_id);
    """,
    # 4: the store generation, moved by every write that changes a study (in-memory
    # search columns built from one generation are stale at the next)
    """
    CREATE TABLE store_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
    INSERT INTO store_generation (id, value) VALUES (1, 0);
    """,
    # 5: related trials: trials by MeSH term, condition name and intervention name,
    # case-insensitive (store/sqlite/related.py)
    """
    CREATE INDEX mesh_terms_term ON mesh_terms(term COLLATE NOCASE, kind, nct_id);
    CREATE INDEX conditions_name ON conditions(name COLLATE NOCASE, nct_id);
    CREATE INDEX interventions_name ON interventions(name COLLATE NOCASE, nct_id);
    """,
    # 6: sentence vectors per study (store/sqlite/vectors.py): the model that made it,
    # the checksum of the text it was made from, float16 bytes; a per-store token and a
    # generation moved by every vector write tell a saved faiss index it is stale
    """
    CREATE TABLE study_vectors (
        nct_id TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        checksum TEXT NOT NULL,
        vector BLOB NOT NULL
    );
    CREATE TABLE vector_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, value INTEGER NOT NULL
    );
    INSERT INTO vector_generation (id, token, value) VALUES (1, lower(hex(randomblob(8))), 0);
    """,
    # 7: the version of the rules the sites were placed by (0: the registry's point, before
    # sites were placed by ZIP code); index/site_upgrade.py places older ones again
    """
    CREATE TABLE site_placement (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
    INSERT INTO site_placement (id, version) VALUES (1, 0);
    """,
    # 8: where an interrupted `trialatlas sync` stands, per registry API root (its
    # query, next page token and counts as JSON; store/sqlite/sync_cursor.py)
    """
    CREATE TABLE sync_cursors (
        source TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    """,
    # 9: the patient page's evidence (store/sqlite/evidence.py): completed trials with
    # posted results, probed by rowid from full-text hits without reading the wide rows
    """
    CREATE INDEX studies_finished_with_results ON studies(id, completion_date, nct_id)
        WHERE has_results = 1 AND overall_status = 'COMPLETED';
    """,
    # 10: each study's brief, what related trials compare (store/sqlite/briefs.py),
    # written with the study; a store from before is filled when next opened for writing
    """
    CREATE TABLE study_briefs (nct_id TEXT PRIMARY KEY, brief BLOB NOT NULL);
    """,
]

CHILD_TABLES = (
    "conditions",
    "keywords",
    "mesh_terms",
    "interventions",
    "arms",
    "outcomes",
    "sponsors",
    "officials",
    "locations",
    "study_references",
    "identifiers",
)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations in order, each in its own transaction; return the version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(script):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = number
    return version


def check_schema(conn: sqlite3.Connection, path: object) -> None:
    """Fail unless the store is at the current schema (a read-only opener cannot migrate)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version != len(MIGRATIONS):
        raise sqlite3.DatabaseError(
            f"{path} is at schema version {version}, this TrialAtlas reads {len(MIGRATIONS)}:"
            " open it for writing once (`trialatlas ingest` or `trialatlas serve`)"
        )


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our DDL literals)."""
    out = []
    for part in script.split(";"):
        lines = [ln for ln in part.splitlines() if ln.strip() and not ln.strip().startswith("--")]
        text = "\n".join(ln.split("--")[0] if "--" in ln else ln for ln in lines).strip()
        if text:
            out.append(text)
    return out
