"""Place a store's sites again when they were placed by older rules.

A store records the version of the placement rules its sites were placed by
(``site_placement``; 0 for a store loaded before sites were placed by ZIP code, whose
points are the registry's city points marked as exact). Opening a store for writing
calls :func:`upgrade_site_points`: when that version is older than
``SITE_PLACEMENT_VERSION`` every site not yet at its ZIP code is placed again by
:func:`trialatlas.index.site_points.place_site` (its stored point taken as its city's)
and written back, rows and documents, in one transaction. Placing is idempotent, so a
store half loaded with the new rules is only made whole.
"""

from __future__ import annotations

from trialatlas.index.site_points import place_site
from trialatlas.store.base import Store
from trialatlas.store.site_rows import NewPoint, StoredSite

SITE_PLACEMENT_VERSION = 1  # 1: ZIP centroid when usable, else the city (index/site_points.py)


def upgrade_site_points(store: Store) -> int:
    """Place the store's sites again if its placement version is old; the number of
    sites whose point changed (0 when the store is current)."""
    if store.site_placement_version() >= SITE_PLACEMENT_VERSION:
        return 0
    points = [p for p in map(_placed, store.sites_to_place()) if p is not None]
    store.save_site_points(points, SITE_PLACEMENT_VERSION)
    return len(points)


def _placed(site: StoredSite) -> NewPoint | None:
    """The site's new point, None when it is unchanged (or cannot be placed at all)."""
    given = (site.lat, site.lon) if site.lat is not None and site.lon is not None else None
    found = place_site(site.city, site.state, site.zip, site.country, given)
    if found is None:
        return None
    if (found.lat, found.lon, found.precision) == (site.lat, site.lon, site.precision):
        return None
    return NewPoint(site.nct_id, site.ordinal, found.lat, found.lon, found.precision)
