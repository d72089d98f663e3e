"""``GET /fhir/ResearchStudy?…``: FHIR search parameters → the trial search's :class:`SearchQuery`.

The search runs on the same engine as ``/api/search``
(:func:`trialatlas.features.search.search_trials`), so a condition near a place finds
the same trials in both. Supported parameters:

``condition`` (words of the conditions and their MeSH terms), ``status`` (ResearchStudy
status codes, comma = or), ``near`` (``lat|lon|distance|unit`` as for Location, or a
place name in place of ``lat|lon``: ``Jacksonville, FL|25|mi``; unit ``km`` (default),
``mi``, ``[mi_i]`` or ``m``; 50 km when no distance), ``keyword``/``title`` (words
anywhere in the record, titles weigh most), ``sponsor`` (part of a sponsor's or
collaborator's name), ``location`` (a site country), ``_id``/``identifier`` (NCT
numbers), ``_count`` (0-100, default 20; 0 gives the total alone) and ``_cursor`` (the page cursor of the
``next`` link). Unknown parameters are ignored (and left out of the ``self`` link)
unless the client sends ``Prefer: handling=strict``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from trialatlas.api.fhir.codes import CTGOV_SYSTEM, FHIR_STATUSES, registry_statuses
from trialatlas.index.geo import KM_PER_MILE, GeoError, geocode, parse_coordinates
from trialatlas.model.nct_id import NCT_ID_RE
from trialatlas.model.search import GeoPoint, SearchQuery
from trialatlas.model.validation_errors import error_message, shown_name

DEFAULT_COUNT = 20
MAX_COUNT = 100
DEFAULT_NEAR_KM = 50.0
SEARCH_PARAMS: dict[str, tuple[str, str]] = {
    "_id": ("token", "NCT number(s), comma-separated"),
    "identifier": ("token", "NCT number(s) ([https://clinicaltrials.gov|]NCT…), comma-separated"),
    "condition": ("string", "Words of the conditions (with their MeSH terms); all required"),
    "keyword": ("string", "Words anywhere in the record (titles weigh most); all required"),
    "title": ("string", "Words anywhere in the record (titles weigh most); all required"),
    "status": ("token", "ResearchStudy.status code(s), comma-separated"),
    "sponsor": ("string", "Part of a lead sponsor's or collaborator's name"),
    "location": ("string", "A country where the study has a site (USA, UK … accepted)"),
    "near": (
        "special",
        "lat|lon|distance|unit, or place|distance|unit (unit km, mi, [mi_i] or m; 50 km by default)",
    ),
}
CONTROL_PARAMS = frozenset({"_count", "_cursor", "_format"})
_UNITS = {"km": 1.0, "mi": KM_PER_MILE, "[mi_i]": KM_PER_MILE, "m": 0.001}
_NCT = NCT_ID_RE


class SearchParamError(ValueError):
    """A search the server cannot run (400 with an OperationOutcome)."""


@dataclass(frozen=True, slots=True)
class ResearchStudySearch:
    """A parsed search: the trial-search query, or None when nothing can match
    (e.g. a status no registry status maps to), and the parameters it used."""

    query: SearchQuery | None
    used: list[tuple[str, str]]
    count: int = DEFAULT_COUNT  # _count: entries per page; 0 asks for the total alone


def parse_near(value: str) -> tuple[float, float, float]:
    """``lat|lon|dist|unit`` or ``place|dist|unit`` → (lat, lon, radius km); GeoError says why."""
    parts = [p.strip() for p in value.split("|")]
    point = parse_coordinates(f"{parts[0]},{parts[1]}") if len(parts) > 1 else None
    if point is not None:
        lat, lon = point
        rest = parts[2:]
    else:
        place = geocode(parts[0])
        lat, lon, rest = place.lat, place.lon, parts[1:]
    distance = DEFAULT_NEAR_KM
    if rest and rest[0]:
        unit = rest[1] if len(rest) > 1 and rest[1] else "km"
        try:
            number = float(rest[0])
        except ValueError:
            number = -1.0
        if unit not in _UNITS or not 0 < number * _UNITS[unit] <= 20_000:
            raise GeoError("bad distance: a positive number of km or mi")
        distance = number * _UNITS[unit]
    return lat, lon, distance


def _nct_ids(name: str, value: str) -> list[str]:
    ids = []
    for item in value.split(","):
        system, sep, code = item.strip().rpartition("|")
        if sep and system and system.rstrip("/") != CTGOV_SYSTEM:
            raise SearchParamError(
                f"{name}: only {CTGOV_SYSTEM} identifiers (NCT numbers) are searchable"
            )
        if not _NCT.match(code.strip().upper()):
            raise SearchParamError(f"{name}: an item is not an NCT number")
        ids.append(code.strip().upper())
    return ids


def parse_search(items: list[tuple[str, str]], strict: bool) -> ResearchStudySearch:
    """Validate the parameters; SearchParamError for a bad value (or an unknown name when strict)."""
    fields: dict[str, object] = {}
    used: list[tuple[str, str]] = []
    count, cursor = DEFAULT_COUNT, None
    for name, value in items:
        if name not in SEARCH_PARAMS and name not in CONTROL_PARAMS:
            if strict:
                raise SearchParamError(f"Unknown search parameter {shown_name(name)!r}")
            continue
        if name == "_format":
            continue
        if name == "_cursor":
            cursor = value
            continue
        if name == "_count":
            if not value.isdigit():
                raise SearchParamError("_count must be a whole number")
            count = min(int(value), MAX_COUNT)
            continue
        if name in fields:
            raise SearchParamError(f"Search parameter {name!r} is given more than once")
        if name in ("_id", "identifier"):
            fields[name] = _nct_ids(name, value)
        elif name == "status":
            wanted = [v.strip() for v in value.split(",") if v.strip()]
            unknown = [v for v in wanted if v not in FHIR_STATUSES]
            if unknown or not wanted:
                raise SearchParamError(
                    "status: use ResearchStudy.status codes: " + ", ".join(FHIR_STATUSES)
                )
            fields["status"] = list(registry_statuses(wanted))
        elif name == "near":
            try:
                fields["near"] = parse_near(value)
            except GeoError as exc:
                raise SearchParamError(f"near: {exc}") from exc
        else:
            fields[name] = " ".join(value.split())
        used.append((name, value))
    return ResearchStudySearch(_query(fields, max(count, 1), cursor), used, count)


def _query(fields: dict[str, object], count: int, cursor: str | None) -> SearchQuery | None:
    ids: list[str] | None = None
    for name in ("_id", "identifier"):
        if name in fields:
            given = list(fields[name])  # type: ignore[call-overload]
            ids = given if ids is None else [i for i in ids if i in given]
    words = " ".join(str(fields[k]) for k in ("keyword", "title") if k in fields)
    if ids is not None and words:
        raise SearchParamError("_id/identifier cannot be combined with keyword or title")
    if ids == [] or fields.get("status") == []:
        return None  # nothing can match
    near = fields.get("near")
    try:
        return SearchQuery(
            text=", ".join(ids) if ids else words,
            condition=fields.get("condition"),  # type: ignore[arg-type]
            status=fields.get("status", []),  # type: ignore[arg-type]
            sponsor=fields.get("sponsor"),  # type: ignore[arg-type]
            country=fields.get("location"),  # type: ignore[arg-type]
            near=GeoPoint(lat=near[0], lon=near[1]) if near else None,  # type: ignore[index]
            radius_km=near[2] if near else None,  # type: ignore[index]
            # a list of NCT numbers has no relevance to rank by: newest update first
            sort="last_update" if ids else "relevance",
            page_size=count,
            cursor=cursor,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SearchParamError(f"{first.get('loc', ('',))[0]}: {error_message(first)}") from exc
