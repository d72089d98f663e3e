"""What the search page shows besides the feature result: the form's current values
and choices, facet links, removable filter chips and the next-page link.

Every link is built here with the app's URL builder, so templates never glue paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trialatlas.features.distance_text import (
    DEFAULT_RADIUS,
    UNIT_CHOICES,
    DistanceUnit,
    choose_unit,
    radius_menu,
)
from trialatlas.model.codes import LABELS, label
from trialatlas.model.search import SORT_LABELS, SearchResults
from trialatlas.web.search_params import MULTI, PARAMS, pairs, query_string
from trialatlas.web.urls import Urls

RawValues = Mapping[str, str | list[str] | None]

FACETS = (  # (facet of SearchResults.facets, parameter, heading)
    ("status", "status", "Status"),
    ("phase", "phase", "Phase"),
    ("study_type", "type", "Study type"),
    ("sponsor_class", "sponsor_class", "Sponsor"),
    ("country", "country", "Country"),
)
_CHIP_LABELS = {  # parameter → (code table for the value's label, how the chip reads)
    "status": ("overall_status", "{}"),
    "phase": ("phase", "{}"),
    "type": ("study_type", "{}"),
    "sponsor_class": ("agency_class", "Sponsor: {}"),
    "open": ("", "Open to enrollment"),
    "condition": ("", "Condition: {}"),
    "intervention": ("", "Treatment: {}"),
    "sponsor": ("", "Sponsor name: {}"),
    "age": ("", "Age {}"),
    "sex": ("sex", "Sex: {}"),
    "healthy": ("", "Healthy volunteers: {}"),
    "results": ("", "Results posted: {}"),
    "start_from": ("", "Starts from {}"),
    "start_to": ("", "Starts by {}"),
    "updated_from": ("", "Updated from {}"),
    "updated_to": ("", "Updated by {}"),
    "country": ("", "Country: {}"),
}


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FacetLink:
    label: str
    count: int
    href: str
    active: bool


@dataclass(frozen=True, slots=True)
class FacetGroup:
    title: str
    param: str
    links: list[FacetLink]
    note: str | None = None


_ORDER_WORDS = {  # sort → how the order note says it
    "relevance": "best match",
    "nearest": "nearest site",
    "last_update": "latest update",
    "start_date": "newest start",
}


@dataclass(frozen=True, slots=True)
class OrderNote:
    """Which order the page shows, and a link to the other one."""

    text: str
    switch_label: str
    switch_href: str


@dataclass(frozen=True, slots=True)
class Chip:
    label: str
    remove_href: str


@dataclass(slots=True)
class SearchForm:
    """Current raw values (to fill the form again) and the choices of each select."""

    values: dict[str, str | list[str]] = field(default_factory=dict)

    def value(self, name: str) -> str:
        raw = self.values.get(name)
        return raw if isinstance(raw, str) else ""

    def selected(self, name: str, option: str) -> bool:
        raw = self.values.get(name)
        items = raw if isinstance(raw, list) else [raw or ""]
        return option.lower() in {i.lower() for i in items}

    @property
    def unit(self) -> DistanceUnit:
        """The page's distance unit: the ``unit`` chosen, else the radius's, else miles."""
        return choose_unit(self.value("radius"), self.value("unit") or None)

    @property
    def radius_options(self) -> list[tuple[str, str, bool]]:
        """The distance menu in the page's unit: ``(value, label, selected)``."""
        unit = self.unit
        return radius_menu(unit, self.value("radius"), default=DEFAULT_RADIUS[unit])

    unit_choices = UNIT_CHOICES

    @property
    def has_filters(self) -> bool:
        return self.filter_count > 0

    @property
    def filter_count(self) -> int:
        """Filters in effect (each status or phase counts once)."""
        count = 0
        for name in PARAMS:
            if name in ("q", "near", "radius", "unit", "sort", "order", "limit", "cursor"):
                continue
            raw = self.values.get(name)
            count += len(raw) if isinstance(raw, list) else int(bool(raw))
        return count

    statuses = [Choice(c, t) for c, t in LABELS["overall_status"].items()]
    phases = [Choice(c, t) for c, t in LABELS["phase"].items()]
    study_types = [Choice(c, t) for c, t in LABELS["study_type"].items()]
    sponsor_classes = [Choice(c, t) for c, t in LABELS["agency_class"].items()]
    sorts = [Choice(c, t) for c, t in SORT_LABELS.items()]
    sexes = [Choice("FEMALE", "Female"), Choice("MALE", "Male")]
    yes_no = [Choice("yes", "Yes"), Choice("no", "No")]


def search_form(values: RawValues | None = None) -> SearchForm:
    """The form for ``values`` (empty: a fresh form, e.g. on the home page)."""
    clean: dict[str, str | list[str]] = {}
    for name, value in pairs(values or {}):
        if name == "cursor":
            continue
        if name in MULTI:
            existing = clean.setdefault(name, [])
            assert isinstance(existing, list)
            existing.extend(v for v in value.split(",") if v.strip())
        else:
            clean[name] = value
    return SearchForm(clean)


def _href(urls: Urls, values: Mapping[str, str | list[str]]) -> str:
    query = query_string(pairs(values))
    return urls.search_url() + (f"?{query}" if query else "")


def _without(
    values: Mapping[str, str | list[str]], name: str, item: str | None = None
) -> dict[str, str | list[str]]:
    out = dict(values)
    current = out.get(name)
    if item is not None and isinstance(current, list):
        rest = [v for v in current if v.lower() != item.lower()]
        if rest:
            out[name] = rest
        else:
            out.pop(name, None)
    else:
        out.pop(name, None)
    return out


def facet_groups(urls: Urls, form: SearchForm, results: SearchResults) -> list[FacetGroup]:
    """One group per facet; each value links to the search with it added (or removed)."""
    groups = []
    for facet, param, title in FACETS:
        links = []
        chosen = param not in MULTI and bool(form.value(param))
        for item in getattr(results.facets, facet):
            active = form.selected(param, item.value)
            if chosen and not active:
                # one value at a time (a country): another value's link would replace the
                # chosen one, and the count shown (trials with both) would not be its count
                continue
            if active:
                target = _without(form.values, param, item.value if param in MULTI else None)
            elif param in MULTI:
                current = form.values.get(param)
                target = {
                    **form.values,
                    param: [*(current if isinstance(current, list) else []), item.value],
                }
            else:
                target = {**form.values, param: item.value}
            links.append(FacetLink(item.label, item.count, _href(urls, target), active))
        note = None
        if facet == "country" and results.country_facet_top:
            note = f"Among the {results.country_facet_top:,} best matches"
        elif facet != "country" and results.facets_sample:
            note = f"About: estimated from the {results.facets_sample:,} newest matches"
        if links:
            groups.append(FacetGroup(title, param, links, note))
    return groups


def chips(urls: Urls, form: SearchForm) -> list[Chip]:
    """The filters in effect, each with a link that removes it."""
    out = []
    for name, (kind, text) in _CHIP_LABELS.items():
        raw = form.values.get(name)
        for item in raw if isinstance(raw, list) else [raw] if raw else []:
            shown = label(kind, item.upper()) if kind else item
            out.append(Chip(text.format(shown), _href(urls, _without(form.values, name, item))))
    return out


def order_note(urls: Urls, form: SearchForm, results: SearchResults) -> OrderNote:
    """ "Open to enrollment first …" with a link to one order for all, or the reverse."""
    by = _ORDER_WORDS.get(results.sort, results.sort)
    if results.open_first:
        open_total = results.open_total or 0
        text = f"Open to enrollment first ({open_total:,}), then the others; each by {by}."
        if not open_total:
            text = f"None open to enrollment; every trial by {by}."

        return OrderNote(
            text, f"Order all by {by} alone", _href(urls, {**form.values, "order": "relevance"})
        )
    text = f"Every trial by {by}, open or closed."
    return OrderNote(
        text, "Show trials open to enrollment first", _href(urls, _without(form.values, "order"))
    )


def next_href(urls: Urls, form: SearchForm, cursor: str | None) -> str | None:
    """The next page: the same search with the cursor."""
    return _href(urls, {**form.values, "cursor": cursor}) if cursor else None


def api_href(urls: Urls, values: RawValues) -> str:
    """The JSON twin (``/api/search``) of the search ``values``."""
    query = query_string(pairs(values))
    return urls.path("/api/search") + (f"?{query}" if query else "")


def suggestion_href(urls: Urls, form: SearchForm, place: str) -> str:
    """The same search around a suggested place."""
    return _href(urls, {**form.values, "near": place})
