"""Search parameters of ``/search`` and ``/api/search`` as a FastAPI dependency (which
also documents them); reading and writing them is :mod:`trialatlas.features.search_params`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from trialatlas.features.search_params import (
    MULTI,
    PARAMS,
    SearchParamError,
    pairs,
    query_string,
    to_query,
)
from trialatlas.model.search import MAX_PAGE_SIZE

__all__ = [
    "MULTI",
    "PARAMS",
    "SearchParamError",
    "SearchParams",
    "pairs",
    "query_string",
    "to_query",
]


Text = Annotated[str | None, Query()]
Multi = Annotated[list[str] | None, Query()]


class SearchParams:
    """The raw query-string values (a FastAPI dependency; also documents the API)."""

    def __init__(
        self,
        q: Annotated[str | None, Query(description="Words: title, conditions, interventions, keywords, summary, description; or NCT IDs")] = None,
        near: Annotated[str | None, Query(description="A place: city, 'City, State', 'City, Country', US ZIP or 'lat, lon'")] = None,
        radius: Annotated[str | None, Query(description="Distance from the place: '50mi', '80km' (miles when no unit; default 50mi)")] = None,
        unit: Annotated[str | None, Query(description="mi or km: the unit every distance leads with (default: the radius's unit, else mi)")] = None,
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
        order: Annotated[str | None, Query(description="open_first (default): trials open to enrollment first, each group in the sort's order; relevance: one order over every trial")] = None,
        limit: Annotated[str | None, Query(description=f"Hits per page (1–{MAX_PAGE_SIZE}, default 20)")] = None,
        cursor: Annotated[str | None, Query(description="The `next` value of the previous page")] = None,
    ) -> None:  # fmt: skip
        values = dict(locals())
        values.pop("self")
        self.values: dict[str, str | list[str] | None] = values

    def items(self) -> list[tuple[str, str]]:
        """Non-empty values as query-string pairs, in :data:`PARAMS` order."""
        return pairs(self.values)
