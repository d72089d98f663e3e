"""A filtered, sorted listing of studies with keyset paging: the store's input and output types.

Backend-neutral (no SQL here): :class:`StudyListQuery` says which studies and in which
order, :class:`StudyListPage` is one page of NCT IDs with the sort keys of each row,
so the next page starts exactly after the last row (stable, no repeats, no gaps).
The ClinicalTrials.gov-compatible API and the FHIR search build these queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SortField = Literal[
    "relevance",
    "last_update_posted",
    "first_posted",
    "start_date",
    "primary_completion_date",
    "completion_date",
    "enrollment_count",
]
AgeGroup = Literal["CHILD", "ADULT", "OLDER_ADULT"]


@dataclass(frozen=True, slots=True)
class StudySort:
    """One sort option; studies missing the value always come last."""

    field: SortField
    descending: bool = True


@dataclass(frozen=True, slots=True)
class GeoCircle:
    """Studies with at least one site within ``radius_km`` of (lat, lon)."""

    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class StudyListQuery:
    """Which studies to list, and in which order.

    Full-text areas hold the user's text, read as the registry's Essie subset (words
    all required, ``AND``/``OR``/``NOT``, phrases, parentheses: :mod:`trialatlas.store.essie_query`;
    FTS syntax never leaks; a text without words matches nothing): ``term`` searches every indexed text, ``cond`` conditions/titles/keywords/condition
    MeSH, ``intr`` interventions/other names/intervention MeSH, ``titles`` the titles
    and acronym. ``spons_words``/``lead_words`` must all occur in one sponsor's name
    (any sponsor, or the lead sponsor); ``locn_words`` in one site's address. Empty
    tuples and None mean "no condition". Order: ``sort`` then NCT ID ascending.
    """

    term: str | None = None
    cond: str | None = None
    intr: str | None = None
    titles: str | None = None
    spons_words: tuple[str, ...] = ()
    lead_words: tuple[str, ...] = ()
    locn_words: tuple[str, ...] = ()
    any_ids: tuple[str, ...] = ()  # NCT ID, org study ID or secondary ID equal to any of these
    nct_ids: tuple[str, ...] | None = None  # only these studies (None: no restriction)
    statuses: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    study_types: tuple[str, ...] = ()
    sexes: tuple[str, ...] = ()
    age_groups: tuple[AgeGroup, ...] = ()
    has_results: bool | None = None
    healthy_volunteers: bool | None = None
    geo: GeoCircle | None = None
    # last update posted within [from, to] (ISO dates, either end open): the registry's
    # ``AREA[LastUpdatePostDate]RANGE[from,to]``, which incremental syncs send
    updated_from: str | None = None
    updated_to: str | None = None
    sort: tuple[StudySort, ...] = ()

    @property
    def has_text(self) -> bool:
        """Whether a full-text area is set (relevance is meaningful)."""
        return any((self.term, self.cond, self.intr, self.titles))


@dataclass(frozen=True, slots=True)
class ListedStudy:
    """One row: the NCT ID and the values it was sorted by (its cursor position)."""

    nct_id: str
    keys: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class StudyListPage:
    """One page, in order; ``has_more`` when rows follow the last one."""

    rows: list[ListedStudy] = field(default_factory=list)
    has_more: bool = False
    total: int | None = None
