"""The in-memory gazetteer: GeoNames cities, countries and regions, with exact,
qualified and fuzzy lookup (see :mod:`trialatlas.index.geo` for the public functions)."""

from __future__ import annotations

import bisect
import gzip
import threading
from importlib import resources
from pathlib import Path
from typing import ClassVar

from rapidfuzz import fuzz, process

from trialatlas.index.geo import (
    _ALTERNATE_WEIGHT,
    _CODE,
    _COUNTRY,
    _OTHER_REGION,
    _TRAILING_ZIP,
    _US_STATE,
    _US_ZIP,
    ALT_COLUMNS,
    CITY_COLUMNS,
    FIXED_WIDTHS,
    FORMAT_LINE,
    GAZETTEER_FILE,
    REGION_COLUMNS,
    GeoError,
    GeoResult,
    Scope,
    UnknownPlace,
    ZipLookupUnavailable,
    _city_keys,
    _Region,
    normalize_name,
    parse_coordinates,
)

BIG_CITY = 1_000_000  # a city this large named like a US state is what is meant


class Gazetteer:
    """In-memory gazetteer with exact, qualified and fuzzy place lookup.

    Cities are held column-wise, sorted by key, and found by binary search, so that
    loading costs a split per column rather than a Python object per place."""

    _cached: ClassVar[Gazetteer | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, text: str) -> None:
        """Index the content of a gazetteer file (see ``FORMAT_LINE``)."""
        self._regions: dict[str, list[tuple[int, _Region]]] = {}
        self._region_by_code: dict[Scope, _Region] = {}
        raw: dict[str, str] = {}
        for line in text.split("\n"):
            tag, _, rest = line.partition("\t")
            if tag == "R":
                self._add_region(rest.split("\t"))
            elif tag in CITY_COLUMNS or tag in ALT_COLUMNS:
                raw[tag] = rest
        for group in (CITY_COLUMNS, ALT_COLUMNS):
            sizes = {
                len(raw.get(t, "")) / FIXED_WIDTHS[t] if t in FIXED_WIDTHS
                else raw[t].count("\t") + 1 if t in raw else -1 for t in group
            }  # fmt: skip
            if len(sizes) != 1:
                raise GeoError(f"gazetteer: columns {', '.join(group)} missing or uneven")
        for entries in self._regions.values():
            entries.sort(key=lambda entry: entry[0])
        self._fixed = {tag: raw[tag] for tag in FIXED_WIDTHS}
        self._keys, self._names, self._admin1, self._alt_keys = (
            raw[t].split("\t") for t in ("P:key", "P:name", "P:admin1", "A:key")
        )

    def _add_region(self, row: list[str]) -> None:
        if len(row) != len(REGION_COLUMNS):
            raise GeoError(f"gazetteer: region row {row[:4]} needs {len(REGION_COLUMNS)} columns")
        kind, cc, admin1, name, lat, lon, pop, keys, codes = row
        region = _Region("country" if kind == "C" else "state", cc, admin1 or None, name,
                         float(lat), float(lon), int(pop) if pop else None)  # fmt: skip
        self._region_by_code.setdefault((cc, region.admin1), region)
        rank = _COUNTRY if kind == "C" else _US_STATE if cc == "US" else _OTHER_REGION
        for key, key_rank in [(k, rank) for k in keys.split("|")] + [
            (c, _CODE) for c in codes.split("|") if c
        ]:
            self._regions.setdefault(key, []).append((key_rank, region))

    def __len__(self) -> int:
        """Number of cities."""
        return len(self._keys)

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

    # -- rows and regions -------------------------------------------------------------

    def _field(self, tag: str, row: int) -> str:
        width = FIXED_WIDTHS[tag]
        return self._fixed[tag][row * width : (row + 1) * width]

    def _population(self, row: int) -> int:
        return int(self._field("P:population", row))

    def _rows(self, key: str, *, alternate: bool = False) -> list[int]:
        """Rows whose primary (or alternate) key is exactly ``key``."""
        keys = self._alt_keys if alternate else self._keys
        lo = bisect.bisect_left(keys, key)
        hi = bisect.bisect_right(keys, key, lo)
        if alternate:
            return [int(self._field("A:row", i)) for i in range(lo, hi)]
        return list(range(lo, hi))

    def _in_scope(self, cc: str, admin1: str | None, scopes: list[set[Scope]]) -> bool:
        return all((cc, None) in s or (cc, admin1) in s for s in scopes)

    def _row_in_scope(self, row: int, scopes: list[set[Scope]]) -> bool:
        return self._in_scope(self._field("P:cc", row), self._admin1[row], scopes)

    def _qualifier(self, text: str) -> set[Scope] | None:
        """Scopes a qualifier such as ``"FL"``, ``"Florida"`` or ``"France"`` may mean."""
        entries = self._regions.get(normalize_name(_TRAILING_ZIP.sub("", text.strip())), [])
        return {(region.cc, region.admin1) for _, region in entries} or None

    def region_scopes(self, text: str) -> set[Scope]:
        """``(country code, admin1 code)`` pairs a state or country name/code may mean."""
        return self._qualifier(text) or set()

    def _region_named(
        self, text: str, scopes: list[set[Scope]], max_rank: int = _CODE
    ) -> _Region | None:
        """The best state/country named ``text`` within ``scopes`` (see the ranks)."""
        for rank, region in self._regions.get(normalize_name(text), []):
            if rank <= max_rank and self._in_scope(region.cc, region.admin1, scopes):
                return region
        return None

    def _split(self, parts: list[str]) -> tuple[str, list[set[Scope]], list[str]]:
        """Split ``parts`` into the head, resolved qualifiers and unresolved ones; read
        right to left, longest run first, so "Korea, Republic of" is one country."""
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

    def _split_spaces(self, text: str) -> list[str]:
        """``"Jacksonville FL"`` -> ``["Jacksonville", "FL"]`` when the tail is a region."""
        tokens = text.split()
        if len(tokens) < 2 or self._rows(normalize_name(text)):
            return [text]
        for size in range(min(3, len(tokens) - 1), 0, -1):
            if self._qualifier(" ".join(tokens[-size:])):
                return [" ".join(tokens[:-size]), " ".join(tokens[-size:])]
        return [text]

    def _best_city(
        self, name: str, scopes: list[set[Scope]], *, strict: bool = False
    ) -> GeoResult | None:
        """The most populous match (alternate names discounted) of the first key that
        matches at all.

        A name known only as an alternate spelling of small places, while a much larger
        place has a primary name close to it, is most likely a misspelling of that
        place ("Bellvue, Washington"): a registry site is placed there; a place a
        person typed (``strict``) is not guessed: :class:`UnknownPlace` offers both."""
        for key in _city_keys(name):
            found = [
                (max(self._population(row), 1) * weight, -row, row, alternate)
                for alternate, weight in ((False, 1.0), (True, _ALTERNATE_WEIGHT))
                for row in self._rows(key, alternate=alternate)
                if self._row_in_scope(row, scopes)
            ]
            if found:
                best = max(found)
                if all(f[3] for f in found):  # known only by an alternate spelling
                    larger = self._larger_close_cities(name, scopes, best[2])
                    if larger and strict:
                        labels = (self._city_result(r).label for r in [*larger[:4], best[2]])
                        raise UnknownPlace(name, list(dict.fromkeys(labels)))
                    if larger:  # a registry site: the big city it most likely means
                        return self._city_result(larger[0])
                return self._city_result(best[2])
        return None

    def _larger_close_cities(self, name: str, scopes: list[set[Scope]], row: int) -> list[int]:
        """Cities (in ``scopes``, most populous first) whose primary name is close to
        ``name`` and which are ten times as populous as ``row``."""
        key = normalize_name(name)
        close = process.extract(key, self._keys, scorer=fuzz.ratio, limit=20, score_cutoff=85)
        larger = [
            m[2] for m in close
            if self._row_in_scope(m[2], scopes)
            and self._population(m[2]) >= 10 * max(self._population(row), 1)
        ]  # fmt: skip
        return sorted(larger, key=lambda r: -self._population(r))

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
            name = f"{point[0]:g}, {point[1]:g}"
            return GeoResult(name, None, None, None, *point, None, "coordinates")
        if _US_ZIP.match(text):
            raise ZipLookupUnavailable(text)
        region = self._region_named(text, [], max_rank=_COUNTRY)
        if region is not None:
            result = self._region_result(region)
            if result.kind == "state":  # "New York": the city people mean, not the state
                city = self._best_city(text, [])
                if city is not None and (city.population or 0) >= BIG_CITY:
                    return city
            return result
        parts = [p.strip() for p in text.split(",") if p.strip()] or [text]
        head, scopes, unknown = self._split(parts if parts[1:] else self._split_spaces(parts[0]))
        if unknown and not scopes:
            raise UnknownPlace(place, self.suggest(head, scopes))
        region = self._region_named(head, scopes)
        if (
            region is not None
            and scopes
            and not any((region.cc, region.admin1) in s for s in scopes)
        ):
            return self._region_result(region)  # "Florida, United States"
        city = self._best_city(head, scopes, strict=True)
        if city is not None:
            return city
        if region is not None:
            return self._region_result(region)
        raise UnknownPlace(place, self.suggest(head, scopes))

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
                if s[1] is not None and self._in_scope(s[0], None, scopes)
            }  # fmt: skip
            if state_scopes:
                scopes.append(state_scopes)
        found = self._best_city(city, scopes)
        return (found.lat, found.lon) if found else None

    def suggest(
        self, name: str, scopes: list[set[Scope]] | None = None, limit: int = 5
    ) -> list[str]:
        """Labels of cities whose names are close to ``name`` (within ``scopes``),
        then of cities with exactly that name elsewhere."""
        key = normalize_name(name)
        if not key:
            return []
        pool: dict[int, str] | list[str] = self._keys
        if scopes:
            pool = {row: k for row, k in enumerate(self._keys) if self._row_in_scope(row, scopes)}
        matches = process.extract(key, pool, scorer=fuzz.ratio, limit=50, score_cutoff=75)
        rows = [m[2] for m in sorted(matches, key=lambda m: (-m[1], -self._population(m[2])))]
        if scopes:  # "Paris, Florida" -> "Paris, Texas, United States", ...
            rows += sorted(self._rows(key), key=lambda row: -self._population(row))
        labels = (self._city_result(row).label for row in rows)
        return list(dict.fromkeys(labels))[:limit]

    def _city_result(self, row: int) -> GeoResult:
        cc, admin1 = self._field("P:cc", row), self._admin1[row]
        state = self._region_by_code.get((cc, admin1))
        country = self._region_by_code.get((cc, None))
        lat, lon = float(self._field("P:lat", row)), float(self._field("P:lon", row))
        return GeoResult(
            self._names[row], state.name if state else None, cc, country.name if country else None,
            lat, lon, self._population(row), "city", admin1 or None, self._names[row],
        )  # fmt: skip

    def _region_result(self, region: _Region) -> GeoResult:
        country = self._region_by_code.get((region.cc, None))
        return GeoResult(
            region.name, region.name if region.kind == "state" else None, region.cc,
            country.name if country else None, region.lat, region.lon, region.population,
            region.kind, region.admin1,
        )  # fmt: skip
