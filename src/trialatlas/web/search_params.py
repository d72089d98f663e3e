"""Search parameters of ``/search`` and ``/api/search``: read from the query string
into a :class:`SearchQuery`, and written back into URLs (facet links, next page).

An HTML form sends every field, empty ones as ``""``; empty means "no filter".
Anything unreadable becomes a :class:`SearchParamError` naming the parameter.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query
from pydantic import ValidationError

from trialatlas.index.geo import GeoError, parse_radius
from trialatlas.model.search import MAX_PAGE_SIZE, SearchQuery

# Parameter names, in the order URLs list them.
PARAMS = (
    "q", "near", "radius", "status", "open", "phase", "type", "condition", "intervention",
    "sponsor", "sponsor_class", "age", "sex", "healthy", "results", "start_from", "start_to",
    "updated_from", "updated_to", "country", "sort", "limit", "cursor",
)  # fmt: skip
MULTI = frozenset({"status", "phase"})
_TRUE = {"1", "true", "yes", "on", "y"}
_FALSE = {"0", "false", "no", "off", "n"}
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")
_FIELD_NAMES = {
    "text": "q", "open_to_enrollment": "open", "study_type": "type", "age_years": "age",
    "healthy_volunteers": "healthy", "has_results": "results", "place": "near",
    "radius_km": "radius", "page_size": "limit",
}  # fmt: skip


class SearchParamError(ValueError):
    """A search parameter that cannot be read; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


Text = Annotated[str | None, Query()]
Multi = Annotated[list[str] | None, Query()]


class SearchParams:
    """The raw query-string values (a FastAPI dependency; also documents the API)."""

    def __init__(
        self,
        q: Annotated[str | None, Query(description="Words: title, conditions, interventions, keywords, summary, description; or NCT IDs")] = None,
        near: Annotated[str | None, Query(description="A place: city, 'City, State', 'City, Country', US ZIP or 'lat, lon'")] = None,
        radius: Annotated[str | None, Query(description="Distance from the place: '50mi', '80km' (miles when no unit; default 50mi)")] = None,
        status: Annotated[list[str] | None, Query(description="Overall status code(s), e.g. RECRUITING (repeat for several)")] = None,
        open: Annotated[str | None, Query(description="yes: only recruiting, not yet recruiting or enrolling by invitation")] = None,
        phase: Annotated[list[str] | None, Query(description="Phase code(s): EARLY_PHASE1, PHASE1 … PHASE4, NA")] = None,
        type: Annotated[str | None, Query(description="Study type: INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS")] = None,
        condition: Text = None,
        intervention: Text = None,
        sponsor: Annotated[str | None, Query(description="Start of a lead sponsor's or collaborator's name")] = None,
        sponsor_class: Annotated[str | None, Query(description="Lead sponsor class: INDUSTRY, NIH, FED, OTHER …")] = None,
        age: Annotated[str | None, Query(description="Patient's age in years; must be within the trial's limits")] = None,
        sex: Annotated[str | None, Query(description="Patient's sex: FEMALE or MALE (trials for all sexes match)")] = None,
        healthy: Annotated[str | None, Query(description="yes/no: accepts healthy volunteers")] = None,
        results: Annotated[str | None, Query(description="yes/no: results posted")] = None,
        start_from: Annotated[str | None, Query(description="Start date from (YYYY, YYYY-MM or YYYY-MM-DD)")] = None,
        start_to: Text = None,
        updated_from: Annotated[str | None, Query(description="Last update posted from (YYYY-MM-DD)")] = None,
        updated_to: Text = None,
        country: Annotated[str | None, Query(description="Country of a site, as the registry writes it")] = None,
        sort: Annotated[str | None, Query(description="relevance, nearest, last_update or start_date")] = None,
        limit: Annotated[str | None, Query(description=f"Hits per page (1–{MAX_PAGE_SIZE}, default 20)")] = None,
        cursor: Annotated[str | None, Query(description="The `next` value of the previous page")] = None,
    ) -> None:  # fmt: skip
        values = dict(locals())
        values.pop("self")
        self.values: dict[str, str | list[str] | None] = values

    def items(self) -> list[tuple[str, str]]:
        """Non-empty values as query-string pairs, in :data:`PARAMS` order."""
        return pairs(self.values)


def pairs(values: Mapping[str, str | list[str] | None]) -> list[tuple[str, str]]:
    """Query-string pairs of the non-empty ``values`` (lists repeat the name)."""
    out: list[tuple[str, str]] = []
    for name in PARAMS:
        value = values.get(name)
        for item in value if isinstance(value, list) else [value]:
            if item is not None and str(item).strip():
                out.append((name, str(item).strip()))
    return out


def query_string(items: Iterable[tuple[str, str]]) -> str:
    return urlencode(list(items))


def _flag(name: str, value: str | None) -> bool | None:
    if value is None or not value.strip():
        return None
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise SearchParamError(name, f"use yes or no, not {value[:40]!r}")


def _date(name: str, value: str | None, *, end: bool) -> date | None:
    """``2020`` / ``2020-03`` / ``2020-03-15``; a partial end date means its last day."""
    if value is None or not value.strip():
        return None
    match = _DATE.match(value)
    try:
        if not match:
            raise ValueError
        year, month, day = int(match.group(1)), match.group(2), match.group(3)
        m = int(month) if month else (12 if end else 1)
        last = calendar.monthrange(year, m)[1]
        d = int(day) if day else (last if end else 1)
        return date(year, m, d)
    except ValueError:
        raise SearchParamError(name, f"not a date {value[:40]!r}; use YYYY-MM-DD") from None


def _number(name: str, value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise SearchParamError(name, f"not a number: {value[:40]!r}") from None


def _list(value: list[str] | None) -> list[str]:
    return [v for item in value or [] for v in item.split(",") if v.strip()]


def to_query(values: Mapping[str, str | list[str] | None]) -> SearchQuery:
    """The :class:`SearchQuery` the parameters ask for (raises :class:`SearchParamError`)."""

    def text(name: str) -> str | None:
        value = values.get(name)
        return value if isinstance(value, str) and value.strip() else None

    radius_km = None
    if text("radius"):
        try:
            radius_km = parse_radius(str(text("radius")))
        except GeoError as exc:
            raise SearchParamError("radius", str(exc)) from None
    limit = _number("limit", text("limit"))
    data = {
        "text": text("q") or "",
        "status": _list(values.get("status")),  # type: ignore[arg-type]
        "open_to_enrollment": bool(_flag("open", text("open"))),
        "phase": _list(values.get("phase")),  # type: ignore[arg-type]
        "study_type": text("type"),
        "condition": text("condition"),
        "intervention": text("intervention"),
        "sponsor": text("sponsor"),
        "sponsor_class": text("sponsor_class"),
        "age_years": _number("age", text("age")),
        "sex": text("sex"),
        "healthy_volunteers": _flag("healthy", text("healthy")),
        "has_results": _flag("results", text("results")),
        "start_from": _date("start_from", text("start_from"), end=False),
        "start_to": _date("start_to", text("start_to"), end=True),
        "updated_from": _date("updated_from", text("updated_from"), end=False),
        "updated_to": _date("updated_to", text("updated_to"), end=True),
        "country": text("country"),
        "place": text("near"),
        "radius_km": radius_km,
        "sort": (text("sort") or "relevance").lower(),
        "page_size": int(limit) if limit is not None and limit.is_integer() else limit or 20,
        "cursor": text("cursor"),
    }
    try:
        return SearchQuery.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else "query"
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        raise SearchParamError(_FIELD_NAMES.get(field, field), message) from None
