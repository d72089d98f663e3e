"""A trial search as typed data: what a person asks (:class:`SearchQuery`) and what
they get back (:class:`SearchResults`). No I/O here.

Filter values are registry codes in API v2 spelling (``RECRUITING``, ``PHASE2``,
``INDUSTRY`` …). People may also type the label or a loose spelling ("recruiting",
"Phase 2", "phase2", "2"); validation turns those into the code or says which
values exist.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from trialatlas.model.codes import LABELS, OPEN_STATUSES

SortKey = Literal["relevance", "nearest", "last_update", "start_date"]
SORT_KEYS: tuple[SortKey, ...] = ("relevance", "nearest", "last_update", "start_date")
SORT_LABELS: dict[str, str] = {
    "relevance": "Best match",
    "nearest": "Nearest site",
    "last_update": "Last updated",
    "start_date": "Start date (newest first)",
}
MAX_TEXT_CHARS = 1000  # longer text is cut here (the full-text query uses 32 words at most)
MAX_FIELD_CHARS = 200  # condition, intervention, sponsor, country, place
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
DEFAULT_RADIUS_KM = 50 * 1.609344  # 50 miles, when a place is given without a radius
MAX_RADIUS_KM = 20_000.0
OPEN_TO_ENROLLMENT: tuple[str, ...] = tuple(sorted(OPEN_STATUSES))
PatientSex = Literal["FEMALE", "MALE"]

_FOLD = re.compile(r"[^a-z0-9]+")
_PHASE_ALIASES = {
    "1": "PHASE1", "2": "PHASE2", "3": "PHASE3", "4": "PHASE4", "0": "EARLY_PHASE1",
    "early1": "EARLY_PHASE1", "earlyphase1": "EARLY_PHASE1", "phase0": "EARLY_PHASE1",
    "na": "NA", "n_a": "NA", "notapplicable": "NA",
}  # fmt: skip
_SEX_ALIASES = {"f": "FEMALE", "female": "FEMALE", "woman": "FEMALE", "women": "FEMALE",
                "m": "MALE", "male": "MALE", "man": "MALE", "men": "MALE"}  # fmt: skip


class SearchError(ValueError):
    """A search that cannot be run as asked; the message says why, in plain words."""


class InvalidCursor(SearchError):
    """A page cursor that is damaged or belongs to another search."""


def _fold(text: str) -> str:
    return _FOLD.sub("", text.lower())


def to_code(kind: str, value: str, what: str) -> str:
    """The registry code of ``kind`` that ``value`` names (code or label, any case).

    Raises :class:`ValueError` naming the allowed values when nothing matches.
    """
    codes = LABELS[kind]
    folded = _fold(value)
    for code, text in codes.items():
        if folded in (_fold(code), _fold(text)):
            return code
    allowed = ", ".join(codes)
    raise ValueError(f"unknown {what}; use one of {allowed}")  # never the value given


def phase_code(value: str) -> str:
    """``"Phase 2"``, ``"phase2"``, ``"2"`` or ``"PHASE2"`` → ``PHASE2``."""
    folded = _fold(value)
    alias = _PHASE_ALIASES.get(folded) or _PHASE_ALIASES.get(value.strip().lower())
    return alias or to_code("phase", value, "phase")


def _clean(value: str | None, limit: int = MAX_FIELD_CHARS) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())[:limit]
    return text or None


class GeoPoint(BaseModel):
    """A point to search around (already resolved from a place name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class SiteTown(BaseModel):
    """A town as the registry writes a site's (city, state, country: the stored text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    city: str
    state: str | None = None
    country: str | None = None


class SearchQuery(BaseModel):
    """Everything a search can ask. Every field is optional; no field means no filter.

    ``place`` is free text ("Jacksonville, FL", "30.3, -81.6") that
    :func:`trialatlas.features.search.search_trials` geocodes into ``near``;
    the store only looks at ``near``. ``age_years`` must fall within a trial's
    minimum and maximum age (a missing bound is no bound); ``sex`` is the
    patient's (a trial open to all sexes matches any). ``sponsor`` matches any
    part of a lead sponsor's or collaborator's name; ``condition`` and
    ``intervention`` match words of the conditions (with their MeSH terms) and
    interventions (with other names and MeSH terms).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = ""
    status: list[str] = Field(default_factory=list)
    open_to_enrollment: bool = False
    phase: list[str] = Field(default_factory=list)
    study_type: str | None = None
    condition: str | None = None
    intervention: str | None = None
    sponsor: str | None = None
    sponsor_class: str | None = None
    age_years: float | None = Field(default=None, ge=0, le=150)
    sex: PatientSex | None = None
    healthy_volunteers: bool | None = None
    has_results: bool | None = None
    start_from: date | None = None
    start_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    country: str | None = None
    place: str | None = None
    near: GeoPoint | None = None
    radius_km: float | None = Field(default=None, gt=0, le=MAX_RADIUS_KM)
    # towns the searched place lies in: their sites placed only by their city count as
    # within the radius (set by features.search from the place, never by a visitor)
    near_towns: list[SiteTown] = Field(default_factory=list, max_length=50)
    sort: SortKey = "relevance"
    unit: Literal["mi", "km"] | None = None  # distances lead with it (else the radius's, else mi)
    open_first: bool = False  # open to enrollment first, then the others; each by ``sort``
    status_not: list[str] = Field(default_factory=list)  # statuses left out (None is kept)
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = None

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return (
            (_clean(value, MAX_TEXT_CHARS) or "")
            if isinstance(value, str) or value is None
            else value
        )

    @field_validator(
        "condition", "intervention", "sponsor", "country", "place", "cursor", mode="before"
    )
    @classmethod
    def _short_text(cls, value: object) -> object:
        return _clean(value) if isinstance(value, str) else value

    @field_validator("status", "status_not", mode="after")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        codes = [to_code("overall_status", v, "status") for v in value if v.strip()]
        return list(dict.fromkeys(codes))

    @field_validator("phase", mode="after")
    @classmethod
    def _phases(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(phase_code(v) for v in value if v.strip()))

    @field_validator("study_type", mode="after")
    @classmethod
    def _study_type(cls, value: str | None) -> str | None:
        value = _clean(value)
        return to_code("study_type", value, "study type") if value else None

    @field_validator("sponsor_class", mode="after")
    @classmethod
    def _sponsor_class(cls, value: str | None) -> str | None:
        value = _clean(value)
        return to_code("agency_class", value, "sponsor class") if value else None

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: object) -> object:
        if isinstance(value, str):
            folded = value.strip().lower()
            if folded in ("", "all", "any"):
                return None
            return _SEX_ALIASES.get(folded, value)
        return value

    @model_validator(mode="after")
    def _ranges(self) -> SearchQuery:
        for low, high, what in (
            (self.start_from, self.start_to, "start date"),
            (self.updated_from, self.updated_to, "last-update date"),
        ):
            if low and high and low > high:
                raise ValueError(f"the {what} range ends before it starts")
        return self

    @property
    def statuses(self) -> list[str]:
        """Statuses to keep: the chosen ones, narrowed to open ones with ``open_to_enrollment``."""
        if not self.open_to_enrollment:
            return list(self.status)
        if not self.status:
            return list(OPEN_TO_ENROLLMENT)
        return [s for s in self.status if s in OPEN_STATUSES] or ["__none__"]

    @property
    def has_text(self) -> bool:
        """True when free text, a condition or an intervention asks for a word match."""
        return bool(self.text or self.condition or self.intervention)

    @property
    def effective_sort(self) -> SortKey:
        """Relevance needs words to rank by; without any, newest updates come first."""
        if self.sort == "relevance" and not self.has_text:
            return "last_update"
        return self.sort


class NearestSite(BaseModel):
    """A trial's site closest to the searched place; ``precision`` is ``city`` when the
    site was placed at its city's centre (the registry gave no point)."""

    facility: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    distance_km: float
    precision: Literal["site", "zip", "city"] = "site"
    distance_text: str | None = None  # "about 2 mi (3 km)", "in Jacksonville, about 13 mi (21 km)"

    @property
    def distance_mi(self) -> float:
        return self.distance_km / 1.609344


class SearchHit(BaseModel):
    nct_id: str
    title: str
    status: str | None = None
    status_label: str | None = None
    phase: list[str] = Field(default_factory=list)
    phase_label: str | None = None
    conditions: list[str] = Field(default_factory=list)
    nearest_site: NearestSite | None = None
    score: float | None = None  # BM25 relevance (higher is better); None without words


class FacetCount(BaseModel):
    value: str
    label: str
    count: int


class Facets(BaseModel):
    """Counts over the whole filtered set (see ``SearchResults.country_facet_top``)."""

    status: list[FacetCount] = Field(default_factory=list)
    phase: list[FacetCount] = Field(default_factory=list)
    study_type: list[FacetCount] = Field(default_factory=list)
    sponsor_class: list[FacetCount] = Field(default_factory=list)
    country: list[FacetCount] = Field(default_factory=list)


class ResolvedPlace(BaseModel):
    """The place a search was run around, as the gazetteer understood it."""

    query: str
    label: str
    kind: str
    lat: float
    lon: float
    radius_km: float
    radius_text: str | None = None  # in the page's unit: "10 miles (16 km)", "40 km (25 miles)"


class SearchResults(BaseModel):
    """One page of hits, the total, facet counts and the cursor of the next page.

    ``words`` is ``any`` when no trial had every word and trials with any word are
    shown instead. ``country_facet_top`` is None when country counts cover the
    whole filtered set, else the number of best-ranked hits they were counted over
    (counting every site of a very large set would be slow). ``rank_pool`` is None when
    the hits are in relevance order across the whole set; else at least that many
    trials matched the words, and they are ranked that many at a time, most recently
    added first: the best matches among the newest ``rank_pool`` trials, then among the
    next ``rank_pool``, and so on (scoring every match of a very common word is slow).
    ``open_first``: the hits open to enrollment (``open_total`` of them) come before the
    others, each group in the order of ``sort``; else one order over all hits.
    ``facets_sample`` is None when the status, phase, type and sponsor-class counts are
    exact; else they are estimates scaled up from that many most recently added hits,
    and so is ``total`` when ``total_estimated`` (pages say "about"). Pools and
    estimates only happen in a store of more than 50,000 studies, and only for sets
    of more than 2,000 (ranking) or 5,000 (counting) trials; counts are exact, every
    country included, whenever the store's search columns answer (searches without
    words, words near a place, words matching at most 30,000 trials).
    """

    total: int
    results: list[SearchHit] = Field(default_factory=list)
    facets: Facets = Field(default_factory=Facets)
    next: str | None = None
    sort: SortKey = "relevance"
    words: Literal["all", "any"] | None = None
    place: ResolvedPlace | None = None
    unit: Literal["mi", "km"] = "mi"  # every distance of the answer leads with it
    country_facet_top: int | None = None
    rank_pool: int | None = None
    total_estimated: bool = False
    facets_sample: int | None = None
    open_first: bool = False  # trials open to enrollment come first, each group by ``sort``
    open_total: int | None = None  # with ``open_first``: how many of ``total`` are open
