"""Site points, the store side: which placement rules a store's sites were placed by,
the sites to place again, and writing their new points (rows and documents alike).

The placing itself is :mod:`trialatlas.index.site_points`' (it needs the ZIP and city
tables); :func:`trialatlas.index.site_upgrade.upgrade_site_points` reads the sites
from here, places them and writes them back through :func:`save_site_points`. The
search towns of a place (:func:`site_towns`) are read here too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from trialatlas.model.search import SiteTown
from trialatlas.store.site_rows import (
    STORED_SITE_COLUMNS,
    NewPoint,
    StoredSite,
    points_by_study,
    site_towns_of,
)
from trialatlas.store.sqlite.search_geo import site_towns_sql
from trialatlas.store.study_documents import relocated_document


def placement_version(conn: sqlite3.Connection) -> int:
    """The version of the placement rules the store's sites were placed by (0: before
    sites were placed by ZIP code)."""
    row = conn.execute("SELECT version FROM site_placement WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def sites_to_place(conn: sqlite3.Connection) -> list[StoredSite]:
    """Every site not placed at its ZIP code (those are placed for good), by study."""
    rows = conn.execute(
        f"SELECT {STORED_SITE_COLUMNS} FROM locations WHERE geo_precision IS NOT 'zip'"
        " ORDER BY nct_id, ordinal"
    ).fetchall()
    return [StoredSite(*row) for row in rows]


def save_site_points(
    conn: sqlite3.Connection, points: Sequence[NewPoint], version: int, next_generation: str
) -> None:
    """Write the new points into the site rows and the studies' documents, and record
    ``version``, in one transaction (the caller holds the write lock)."""
    by_study = points_by_study(points)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "UPDATE locations SET lat = ?, lon = ?, geo_precision = ?"
            " WHERE nct_id = ? AND ordinal = ?",
            [(p.lat, p.lon, p.precision, p.nct_id, p.ordinal) for p in points],
        )
        for nct_id, changed in by_study.items():
            _rewrite_document(conn, nct_id, changed)
        conn.execute("UPDATE site_placement SET version = ? WHERE id = 1", (version,))
        if points:
            conn.execute(next_generation)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _rewrite_document(conn: sqlite3.Connection, nct_id: str, points: list[NewPoint]) -> None:
    row = conn.execute("SELECT document FROM studies WHERE nct_id = ?", (nct_id,)).fetchone()
    if row is None:
        return
    conn.execute(
        "UPDATE studies SET document = ? WHERE nct_id = ?",
        (relocated_document(row[0], points), nct_id),
    )


def site_towns(conn: sqlite3.Connection, lat: float, lon: float, city: str) -> list[SiteTown]:
    """Towns named ``city`` (as the registry writes them) with sites placed only by
    their city near the point (see :func:`search_geo.site_towns_sql`)."""
    sql = site_towns_sql(lat, lon, city)
    return site_towns_of(conn.execute(sql.text, sql.params).fetchall())
