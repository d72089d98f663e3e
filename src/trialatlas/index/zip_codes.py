"""US ZIP code centroids, offline, from the data shipped inside the ``zipcodes`` package."""

from __future__ import annotations

import functools

from trialatlas.index.geo import GeoResult, ZipLookupUnavailable


@functools.lru_cache(maxsize=4096)
def zip_point(place: str) -> GeoResult:
    """``"32224"`` (or ``"32224-1234"``) → its centroid; unknown codes raise ZipLookupUnavailable."""
    import zipcodes

    code = place.strip()[:5]
    try:
        matches = zipcodes.matching(code)
    except (ValueError, TypeError) as exc:
        raise ZipLookupUnavailable(place) from exc
    for match in matches:
        try:
            lat, lon = float(match["lat"]), float(match["long"])
        except (KeyError, TypeError, ValueError):
            continue
        return GeoResult(
            name=f"{match.get('city') or code} {code}", admin1=match.get("state"),
            country_code="US", country="United States", lat=lat, lon=lon, population=None,
            kind="zip", admin1_code=match.get("state"),
        )  # fmt: skip
    raise ZipLookupUnavailable(place)
