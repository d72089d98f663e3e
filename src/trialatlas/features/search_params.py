"""Search parameters as people and URLs write them (``q``, ``near``, ``radius``,
``status`` …): read into a :class:`SearchQuery`, and written back into URLs (facet
links, next page). Used by ``/search``, ``/api/search`` and ``trialatlas search``.

An HTML form sends every field, empty ones as ``""``; empty means "no filter".
Anything unreadable becomes a :class:`SearchParamError` naming the parameter and the
rule it broke, never the value given (issue 14: a search may hold what a patient typed).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import date
from urllib.parse import urlencode

from pydantic import ValidationError

from trialatlas.features.distance_text import choose_unit
from trialatlas.index.geo import GeoError, parse_radius
from trialatlas.model.search import SearchQuery
from trialatlas.model.validation_errors import error_message

# Parameter names, in the order URLs list them.
PARAMS = (
    "q", "near", "radius", "unit", "status", "open", "phase", "type", "condition", "intervention",
    "sponsor", "sponsor_class", "age", "sex", "healthy", "results", "start_from", "start_to",
    "updated_from", "updated_to", "country", "sort", "order", "limit", "cursor",
)  # fmt: skip
# ``order``: open to enrollment first (the default), or one order over every trial
ORDERS = ("open_first", "relevance")
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
    raise SearchParamError(name, "use yes or no")


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
        raise SearchParamError(name, "not a date; use YYYY-MM-DD") from None


def _number(name: str, value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise SearchParamError(name, "not a number") from None


def _open_first(value: str | None) -> bool:
    """``order``: ``open_first`` (or nothing) puts the trials open to enrollment first;
    ``relevance`` orders every trial by the sort alone, open or closed."""
    folded = (value or "").strip().lower().replace("-", "_")
    if folded in ("", "open_first"):
        return True
    if folded == "relevance":
        return False
    raise SearchParamError("order", f"use one of {', '.join(ORDERS)}")


def _unit(value: str | None, radius: str | None) -> str | None:
    """``unit``: ``mi`` or ``km``; without it, ``km`` when the radius is in km."""
    if value is not None:
        folded = value.strip().lower()
        if folded not in ("mi", "km"):
            raise SearchParamError("unit", "use mi or km")
        return folded
    return "km" if radius and choose_unit(radius) == "km" else None


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
        "unit": _unit(text("unit"), text("radius")),
        "sort": (text("sort") or "relevance").lower(),
        "open_first": _open_first(text("order")),
        "page_size": int(limit) if limit is not None and limit.is_integer() else limit or 20,
        "cursor": text("cursor"),
    }
    try:
        return SearchQuery.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err.get("loc") else "query"
        message = error_message(err)  # the rule, never the value sent
        raise SearchParamError(_FIELD_NAMES.get(field, field), message) from None
