"""Sites as the store hands them out to be placed again, and their new points
(see :mod:`trialatlas.index.site_upgrade`); backend-neutral, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trialatlas.model.search import SiteTown

# the columns of a StoredSite, in its order
STORED_SITE_COLUMNS = "nct_id, ordinal, city, state, zip, country, lat, lon, geo_precision"


@dataclass(frozen=True, slots=True)
class StoredSite:
    """A site as stored: where the registry says it is, and the point it was given."""

    nct_id: str
    ordinal: int
    city: str | None
    state: str | None
    zip: str | None
    country: str | None
    lat: float | None
    lon: float | None
    precision: str | None


@dataclass(frozen=True, slots=True)
class NewPoint:
    """A site's new point (``lat``/``lon`` None: the site cannot be placed)."""

    nct_id: str
    ordinal: int
    lat: float | None
    lon: float | None
    precision: str | None


def points_by_study(points: Iterable[NewPoint]) -> dict[str, list[NewPoint]]:
    """The new points of each study, in the order given."""
    by_study: dict[str, list[NewPoint]] = {}
    for point in points:
        by_study.setdefault(point.nct_id, []).append(point)
    return by_study


def site_towns_of(rows: Iterable[tuple[object, str | None, str | None]]) -> list[SiteTown]:
    """Towns from ``(city, state, country)`` rows, as stored."""
    return [SiteTown(city=str(c), state=s, country=k) for c, s, k in rows]
