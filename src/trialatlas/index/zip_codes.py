"""US ZIP code centroids, offline, from the bundled table ``data/us_zip_centroids.tsv.gz``.

The table is derived by ``scripts/build_zip_centroids.py`` from the ZIP list shipped
inside the ``zipcodes`` package (MIT): one line per US ZIP code with its centroid,
state and city names. It is read lazily, once per process; nothing is fetched.
An unknown ZIP code is refused, never guessed.
"""

from __future__ import annotations

import gzip
import re
import threading
from dataclasses import dataclass
from importlib import resources

from trialatlas.index.geo import GeoError, GeoResult, ZipLookupUnavailable

ZIP_FILE = "us_zip_centroids.tsv.gz"
ZIP_FORMAT_LINE = "#trialatlas-us-zips\tv1"
_ZIP = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


@dataclass(frozen=True, slots=True)
class ZipEntry:
    """One US ZIP code: its centroid, state (postal code) and the city names it goes by."""

    code: str
    lat: float
    lon: float
    state: str
    city: str
    other_cities: tuple[str, ...] = ()


class _Table:
    _lock = threading.Lock()
    _entries: dict[str, ZipEntry] | None = None

    @classmethod
    def entries(cls) -> dict[str, ZipEntry]:
        with cls._lock:
            if cls._entries is None:
                data = resources.files("trialatlas") / "data" / ZIP_FILE
                text = gzip.decompress(data.read_bytes()).decode("utf-8")
                cls._entries = parse_table(text)
            return cls._entries


def parse_table(text: str) -> dict[str, ZipEntry]:
    """Read the table's text (see ``scripts/build_zip_centroids.py``) into entries by code."""
    lines = text.split("\n")
    if not lines or lines[0] != ZIP_FORMAT_LINE:
        raise GeoError(f"not a TrialAtlas ZIP table ({ZIP_FORMAT_LINE!r})")
    out: dict[str, ZipEntry] = {}
    for line in lines[1:]:
        if not line:
            continue
        code, lat, lon, state, city, others = line.split("\t")
        out[code] = ZipEntry(code, float(lat), float(lon), state, city,
                             tuple(o for o in others.split("|") if o))  # fmt: skip
    return out


def us_zip_code(text: str | None) -> str | None:
    """``"32224"`` or ``"32224-1234"`` → ``"32224"``; anything else → None."""
    match = _ZIP.match(text or "")
    return match.group(1) if match else None


def zip_entry(text: str | None) -> ZipEntry | None:
    """The bundled entry of a US ZIP code (``"32224"``, ``"32224-1234"``), or None."""
    code = us_zip_code(text)
    return _Table.entries().get(code) if code else None


def zip_point(place: str) -> GeoResult:
    """``"32224"`` (or ``"32224-1234"``) → its centroid; unknown codes raise ZipLookupUnavailable."""
    entry = zip_entry(place)
    if entry is None:
        raise ZipLookupUnavailable(place)
    return GeoResult(
        name=f"{entry.city or entry.code} {entry.code}", admin1=entry.state or None,
        country_code="US", country="United States", lat=entry.lat, lon=entry.lon,
        population=None, kind="zip", admin1_code=entry.state or None, locality=entry.city or None,
    )  # fmt: skip
