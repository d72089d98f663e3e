"""Search around a place, in SQL: sites in a bounding box (read through the
``locations_geo_cell`` index: quarter-degree latitude bands × a longitude range), the
exact great-circle distance (the haversine of :func:`trialatlas.index.geo.haversine_km`,
with SQLite's math functions) and each trial's nearest site. Built without a database;
the box and town tests are the store's (:mod:`trialatlas.store.geo_sql`).
"""

from __future__ import annotations

import math

from trialatlas.index.geo import EARTH_RADIUS_KM, bounding_box
from trialatlas.model.search import SiteTown
from trialatlas.store.geo_sql import CITY_REACH_KM, box_tests, town_test, within_first
from trialatlas.store.sqlite.sql_text import Params, Sql

GEO_CELLS_PER_DEGREE = 4  # must match the expression of the locations_geo_cell index


def distance_sql(lat: str, lon: str) -> str:
    """Great-circle km from the search point (params ``:phi0``, ``:cos0``, ``:lon0``) to
    the columns ``lat``/``lon``: the haversine formula of :func:`index.geo.haversine_km`."""
    return (
        f"(2 * {EARTH_RADIUS_KM!r} * asin(min(1.0, sqrt("
        f"pow(sin((radians({lat}) - :phi0) / 2), 2)"
        f" + :cos0 * cos(radians({lat})) * pow(sin(radians({lon} - :lon0) / 2), 2)))))"
    )


def point_params(lat: float, lon: float) -> dict[str, float]:
    """Parameters of :func:`distance_sql` for the search point."""
    return {"phi0": math.radians(lat), "cos0": math.cos(math.radians(lat)), "lon0": lon}


def box_test(lat: float, lon: float, radius_km: float, p: Params, *, cells: bool) -> str:
    """WHERE test over ``l`` (locations) for the bounding box of the circle; with
    ``cells`` it is written so that ``locations_geo_cell`` can seek each latitude band."""
    lat_test, lon_test = box_tests(lat, lon, radius_km, p)
    if not cells:
        return f"{lat_test} AND {lon_test}"
    box = bounding_box(lat, lon, radius_km)
    step = GEO_CELLS_PER_DEGREE
    bands = list(range(int(box.min_lat * step), int(box.max_lat * step) + 1))
    return f"CAST(l.lat * {step} AS INTEGER) IN ({p.add_all('cell', bands)}) AND {lon_test} AND {lat_test}"


def geo_cte(
    lat: float,
    lon: float,
    radius_km: float,
    p: Params,
    *,
    via: str | None = None,
    towns: list[SiteTown] | None = None,
) -> str:
    """``g(nct_id, distance_km)``: trials with a site within ``radius_km`` (or a
    city-placed site of one of ``towns``), and the nearest such site's km.

    Sites come from the bounding box (``locations_geo_cell``), or, with ``via`` (a CTE
    of study ids: the word matches), from those studies' own sites, which is cheaper
    when the words match fewer trials than the box holds sites."""
    p.values.update(point_params(lat, lon))
    reach = max(radius_km, CITY_REACH_KM) if towns else radius_km
    if via is None:
        sites = (
            "locations AS l INDEXED BY locations_geo_cell"
            f" WHERE {box_test(lat, lon, reach, p, cells=True)}"
        )
    else:
        sites = (
            f"{via} CROSS JOIN studies AS sv INDEXED BY studies_search_by_id ON sv.id = {via}.id"
            " CROSS JOIN locations AS l INDEXED BY locations_nct ON l.nct_id = sv.nct_id"
            f" WHERE {box_test(lat, lon, reach, p, cells=False)}"
        )
    radius = p.add("radius", radius_km)
    if not towns:
        return (
            "g AS MATERIALIZED (SELECT nct_id, min(d) AS distance_km FROM ("
            f"SELECT l.nct_id AS nct_id, {distance_sql('l.lat', 'l.lon')} AS d FROM {sites}"
            f") WHERE d <= {radius} GROUP BY nct_id)"
        )
    return (
        "g AS MATERIALIZED (SELECT nct_id, min(d) AS distance_km FROM ("
        f"SELECT l.nct_id AS nct_id, {distance_sql('l.lat', 'l.lon')} AS d,"
        f" {town_test(towns, p)} AS in_town FROM {sites}"
        f") WHERE d <= {radius} OR in_town GROUP BY nct_id)"
    )


def town_sites_sql(lat: float, lon: float, towns: list[SiteTown]) -> Sql:
    """``(nct_id, km)`` of every city-placed site of ``towns`` (the search columns add
    them to the sites within the radius)."""
    p = Params()
    p.values.update(point_params(lat, lon))
    text = (
        f"SELECT l.nct_id, {distance_sql('l.lat', 'l.lon')} FROM locations AS l INDEXED BY"
        f" locations_geo_cell WHERE {box_test(lat, lon, CITY_REACH_KM, p, cells=True)}"
        f" AND {town_test(towns, p)}"
    )
    return Sql(text, p.values)


def site_towns_sql(lat: float, lon: float, city: str) -> Sql:
    """The towns (city, state, country as stored) of city-placed sites named ``city``
    (any case) whose point lies within ``CITY_REACH_KM`` of the point."""
    p = Params()
    p.values.update(point_params(lat, lon))
    text = (
        "SELECT DISTINCT l.city, l.state, l.country FROM locations AS l INDEXED BY"
        f" locations_geo_cell WHERE {box_test(lat, lon, CITY_REACH_KM, p, cells=True)}"
        f" AND l.geo_precision = 'city' AND l.city = {p.add('city', city)} COLLATE NOCASE"
        f" AND {distance_sql('l.lat', 'l.lon')} <= {p.add('reach', CITY_REACH_KM)}"
    )
    return Sql(text, p.values)


def nearest_sites_sql(
    nct_ids: list[str],
    lat: float,
    lon: float,
    radius_km: float | None = None,
    towns: list[SiteTown] | None = None,
) -> Sql:
    """Each trial's site nearest to the point (ties: the registry's site order); with
    ``radius_km``, a site that counts as within it (see :func:`geo_cte`) comes first."""
    p = Params()
    p.values.update(point_params(lat, lon))
    ids = p.add_all("id", nct_ids)
    dist = distance_sql("lat", "lon")
    first = within_first(dist, radius_km, towns, p)
    text = (
        "SELECT nct_id, facility, city, state, country, geo_precision, d FROM ("
        f"SELECT nct_id, facility, city, state, country, geo_precision, {dist} AS d,"
        f" row_number() OVER (PARTITION BY nct_id ORDER BY {first}{dist}, ordinal) AS rn"
        f" FROM locations WHERE nct_id IN ({ids}) AND lat IS NOT NULL AND lon IS NOT NULL"
        ") WHERE rn = 1"
    )
    return Sql(text, p.values)
