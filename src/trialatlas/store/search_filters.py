"""Search filters as SQL conditions over a row ``s`` of ``studies`` (or of a search index
of it), written once for every backend: the dialect's spellings come from the
backend's :class:`~trialatlas.store.sql_text.Params`, the country test (each backend
reads the sites through its own index) from the caller.
Built without a database."""

from __future__ import annotations

import re
from datetime import date

from trialatlas.model.codes import LABELS
from trialatlas.model.nct_id import NCT_ID_PATTERN
from trialatlas.model.search import SearchQuery
from trialatlas.store.sql_text import Params

_NCT_LIST = re.compile(rf"\s*{NCT_ID_PATTERN}(?:[\s,;]+{NCT_ID_PATTERN})*\s*\Z", re.IGNORECASE)
_NCT_ID = re.compile(NCT_ID_PATTERN, re.IGNORECASE)


def nct_ids_in(text: str) -> list[str]:
    """The NCT IDs when ``text`` is nothing but NCT IDs (``"NCT01234567, nct07654321"``)."""
    if not _NCT_LIST.match(text):
        return []
    return list(dict.fromkeys(m.upper() for m in _NCT_ID.findall(text)))


def lower_date_key(day: date) -> str:
    """Smallest stored partial date whose first day is on or after ``day``.

    Partial dates are kept as ISO prefixes (``2015``, ``2015-08``, ``2015-08-03``) and
    mean their first day; ``2015-08`` sorts before ``2015-08-01`` as text, so a range
    starting on the 1st must start at the month (or year) itself.
    """
    if day.month == 1 and day.day == 1:
        return f"{day.year:04d}"
    if day.day == 1:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def sponsor_pattern(text: str) -> str:
    """LIKE pattern for names starting with ``text`` (wildcards in it taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def phase_test(code: str, p: Params) -> str:
    """SQL true when ``s.phases`` (codes joined by ``|``) holds ``code``.

    A plain substring test, which allocates nothing per row; when another code contains
    this one (``PHASE1`` in ``EARLY_PHASE1``) that other code is removed first, only in
    the rows that hold it."""
    param = p.add("phase", code)
    test = p.contains("s.phases", param)
    longer = [other for other in LABELS["phase"] if other != code and code in other]
    if not longer:
        return test
    names = [p.add("phase_other", other) for other in longer]
    cleaned = "s.phases"
    for name in names:
        cleaned = f"replace({cleaned}, {name}, '')"
    holds_longer = " OR ".join(p.contains("s.phases", name) for name in names)
    return f"({test} AND (NOT ({holds_longer}) OR {p.contains(cleaned, param)}))"


def filter_clauses(
    query: SearchQuery, p: Params, country_test: str, *, driver: str = ""
) -> list[str]:
    """WHERE conditions over ``s`` for every filter but the words and the place.

    Sponsor and country look at child rows, once per candidate (EXISTS), unless that
    filter is the ``driver`` that found the candidates in the first place;
    ``country_test`` is the backend's test of a site's country, ``{}`` standing for
    the country's placeholder."""
    # Cheap integer tests first: SQLite tests the conditions in this order and stops at
    # the first that fails, and every text test costs more than a number comparison.
    where: list[str] = []
    if query.has_results is not None:
        where.append(f"s.has_results = {p.add('results', int(query.has_results))}")
    if query.healthy_volunteers is not None:
        where.append(f"s.healthy_volunteers = {p.add('hv', int(query.healthy_volunteers))}")
    if query.age_years is not None:
        days = p.add("age", round(query.age_years * 365.25))
        where.append(f"(s.min_age_days IS NULL OR s.min_age_days <= {days})")
        where.append(f"(s.max_age_days IS NULL OR s.max_age_days >= {days})")
    if query.study_type:
        where.append(f"s.study_type = {p.add('type', query.study_type)}")
    if query.sponsor_class:
        where.append(f"s.lead_sponsor_class = {p.add('class', query.sponsor_class)}")
    if query.statuses:
        where.append(p.any_of("s.overall_status", "status", query.statuses))
    if query.status_not:
        left_out = p.none_of("s.overall_status", "not_status", query.status_not)
        where.append(f"(s.overall_status IS NULL OR {left_out})")
    if query.sex:
        where.append(f"(s.sex IS NULL OR s.sex = 'ALL' OR s.sex = {p.add('sex', query.sex)})")
    for column, low, high in (
        ("s.start_date", query.start_from, query.start_to),
        ("s.last_update_posted", query.updated_from, query.updated_to),
    ):
        if low:
            where.append(f"{column} >= {p.add('from', lower_date_key(low))}")
        if high:
            where.append(f"{column} <= {p.add('to', high.isoformat())}")
    if query.phase:
        where.append("(" + " OR ".join(phase_test(code, p) for code in query.phase) + ")")
    if query.sponsor and driver != "sponsor":
        where.append(
            "EXISTS (SELECT 1 FROM sponsors AS sp WHERE sp.nct_id = s.nct_id AND sp.name"
            f" {p.LIKE_ANY_CASE} {p.add('sponsor', sponsor_pattern(query.sponsor))} ESCAPE '\\')"
        )
    if query.country and driver != "country":
        where.append(country_test.format(p.add("country", query.country)))
    ids = nct_ids_in(query.text) if query.text else []
    if ids:
        where.append(p.any_of("s.nct_id", "nct", ids))
    return where
