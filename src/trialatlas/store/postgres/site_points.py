"""Site points, the PostgreSQL side: the sites to place again, writing their new points
(rows and documents alike, one transaction), and the search towns of a place
(as :mod:`trialatlas.store.sqlite.site_points`)."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from trialatlas.model.search import SiteTown
from trialatlas.store.postgres.search_geo import CITY_REACH_KM, box_test, distance_sql
from trialatlas.store.postgres.sql_text import Params
from trialatlas.store.site_rows import (
    STORED_SITE_COLUMNS,
    NewPoint,
    StoredSite,
    points_by_study,
    site_towns_of,
)
from trialatlas.store.study_documents import relocated_document


def sites_to_place(conn: psycopg.Connection) -> list[StoredSite]:
    """Every site not placed at its ZIP code (those are placed for good), by study."""
    rows = conn.execute(
        f"SELECT {STORED_SITE_COLUMNS} FROM locations"
        " WHERE geo_precision IS DISTINCT FROM 'zip' ORDER BY nct_id, ordinal"
    ).fetchall()
    return [StoredSite(*row) for row in rows]


def save_site_points(
    conn: psycopg.Connection, points: Sequence[NewPoint], version: int, next_generation: str
) -> None:
    """Write the new points into the site rows and the studies' documents, and record
    ``version``, in one transaction."""
    by_study = points_by_study(points)
    with conn.transaction():
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE locations SET lat = %s, lon = %s, geo_precision = %s"
                " WHERE nct_id = %s AND ordinal = %s",
                [(p.lat, p.lon, p.precision, p.nct_id, p.ordinal) for p in points],
            )
        for nct_id, changed in by_study.items():
            _rewrite_document(conn, nct_id, changed)
        conn.execute("UPDATE site_placement SET version = %s WHERE id = 1", (version,))
        if points:
            conn.execute(next_generation)


def _rewrite_document(conn: psycopg.Connection, nct_id: str, points: list[NewPoint]) -> None:
    row = conn.execute(
        "SELECT document FROM studies WHERE nct_id = %s FOR UPDATE", (nct_id,)
    ).fetchone()
    if row is None:
        return
    conn.execute(
        "UPDATE studies SET document = %s WHERE nct_id = %s",
        (relocated_document(row[0], points), nct_id),
    )


def site_towns(conn: psycopg.Connection, lat: float, lon: float, city: str) -> list[SiteTown]:
    """The towns (as stored) of city-placed sites named ``city`` (any case) whose point
    lies within ``CITY_REACH_KM`` of the point."""
    p = Params()
    text = (
        "SELECT DISTINCT l.city, l.state, l.country FROM locations AS l"
        f" WHERE {box_test(lat, lon, CITY_REACH_KM, p)} AND l.geo_precision = 'city'"
        f" AND lower(l.city) = lower({p.add('city', city)})"
        f" AND {distance_sql('l.lat', 'l.lon', lat, lon, p)} <= {p.add('reach', CITY_REACH_KM)}"
    )
    return site_towns_of(conn.execute(text, p.values).fetchall())  # type: ignore[arg-type]
