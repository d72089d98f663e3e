"""What the search page shows besides the feature result: the form's current values
and choices, facet links, removable filter chips and the next-page link.

Every link is built here with the app's URL builder, so templates never glue paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    def has_filters(self) -> bool:
        return any(
            self.values.get(n)
            for n in PARAMS
            if n not in ("q", "near", "radius", "sort", "limit", "cursor")
        )

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
        for item in getattr(results.facets, facet):
            active = form.selected(param, item.value)
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
