"""Sites as the store hands them out to be placed again, and their new points
(see :mod:`trialatlas.index.site_upgrade`); backend-neutral, no I/O."""

from __future__ import annotations

from dataclasses import dataclass


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
