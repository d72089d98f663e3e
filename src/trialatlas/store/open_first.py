"""The two groups of an open-first search (``SearchQuery.open_first``), as plain searches:
the trials open to enrollment (recruiting, not yet recruiting, enrolling by
invitation), then every other one (a trial without a status among them). No SQL here;
every store backend pages through the groups in this order."""

from __future__ import annotations

from trialatlas.model.search import OPEN_TO_ENROLLMENT, SearchQuery
from trialatlas.store.search_cursor import Group


def group_queries(query: SearchQuery) -> list[tuple[Group, SearchQuery]]:
    """``[("open", …), ("closed", …)]``: the search narrowed to each group, in the
    order of pages, without the open-first cursor. A group the status filters leave
    empty is left out (a search of closed statuses alone has only the second)."""
    base = {"open_first": False, "cursor": None, "open_to_enrollment": False}
    chosen = query.statuses  # the chosen statuses, narrowed by ``open_to_enrollment``
    groups: list[tuple[Group, SearchQuery]] = []
    if chosen:
        open_ = [s for s in chosen if s in OPEN_TO_ENROLLMENT]
        closed = [s for s in chosen if s not in OPEN_TO_ENROLLMENT]
        if open_:
            groups.append(("open", query.model_copy(update={**base, "status": open_})))
        if closed:
            groups.append(("closed", query.model_copy(update={**base, "status": closed})))
        return groups
    not_open = sorted({*query.status_not, *OPEN_TO_ENROLLMENT})
    return [
        ("open", query.model_copy(update={**base, "status": list(OPEN_TO_ENROLLMENT)})),
        ("closed", query.model_copy(update={**base, "status": [], "status_not": not_open})),
    ]
