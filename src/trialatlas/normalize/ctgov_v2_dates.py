"""Dates and ages of an API v2 study, and its status module (the study's dates).

Parsed dates and ages are memoized as plain dicts: the same few thousand values
("2023-11", "18 Years") recur across every study, and the single validation of the
study tree still gives each study its own PartialDate/Age objects. Errors still name
the field they came from.
"""

from __future__ import annotations

from typing import Any

from trialatlas.normalize.ctgov_v2_fields import Tree, texts
from trialatlas.normalize.values import (
    RecordError,
    get_bool,
    get_dict,
    get_str,
    parse_age,
    parse_partial_date,
)

DATE_TYPES = frozenset({"ACTUAL", "ESTIMATED"})  # also the types of an enrollment count

_MEMO_LIMIT = 100_000
_dates: dict[tuple[str, str | None], Tree | None] = {}
_ages: dict[str, Tree | None] = {}


def parsed_date(text: Any, field: str, kind: str | None = None) -> Tree | None:
    """:func:`parse_partial_date`, memoized; errors still name ``field``."""
    if text.__class__ is not str:
        parsed = parse_partial_date(text, field, kind)  # None or a RecordError
        return None if parsed is None else parsed.model_dump()
    key = (text, kind)
    if key in _dates:
        return _dates[key]
    parsed = parse_partial_date(text, field, kind)
    value = None if parsed is None else parsed.model_dump()
    if len(_dates) < _MEMO_LIMIT:
        _dates[key] = value
    return value


def parsed_age(text: Any, field: str) -> Tree | None:
    """:func:`parse_age`, memoized; errors still name ``field``."""
    if text.__class__ is not str:
        parsed = parse_age(text, field)
        return None if parsed is None else parsed.model_dump()
    if text in _ages:
        return _ages[text]
    parsed = parse_age(text, field)
    value = None if parsed is None else parsed.model_dump()
    if len(_ages) < _MEMO_LIMIT:
        _ages[text] = value
    return value


_STATUS = {
    "overallStatus": "overall_status",
    "lastKnownStatus": "last_known_status",
    "whyStopped": "why_stopped",
}
_DATE_STRUCTS = {
    "startDateStruct": "start_date",
    "primaryCompletionDateStruct": "primary_completion_date",
    "completionDateStruct": "completion_date",
    "studyFirstPostDateStruct": "first_posted",
    "resultsFirstPostDateStruct": "results_first_posted",
    "lastUpdatePostDateStruct": "last_update_posted",
}
_PLAIN_DATES = {
    "statusVerifiedDate": "status_verified_date",
    "studyFirstSubmitDate": "first_submitted",
    "lastUpdateSubmitDate": "last_update_submitted",
}


def _date_struct(struct: Any, path: str) -> Tree | None:
    """``{"date": "2023-11", "type": "ESTIMATED"}`` → the PartialDate fields, with its type."""
    if not isinstance(struct, dict):
        raise RecordError(path, f"expected an object, got {type(struct).__name__}")
    kind = get_str(struct, "type", path)
    if kind is not None and kind not in DATE_TYPES:
        raise RecordError(f"{path}.type", f"unknown date type {kind!r} (ACTUAL or ESTIMATED)")
    return parsed_date(struct.get("date"), f"{path}.date", kind)


def status_tree(mod: dict[str, Any], path: str) -> Tree:
    """``statusModule`` → the :class:`~trialatlas.model.study.Status` fields."""
    out = texts(mod, _STATUS, path)
    for key, name in _DATE_STRUCTS.items():
        struct = mod.get(key)
        if struct is not None:
            out[name] = _date_struct(struct, f"{path}.{key}")
    for key, name in _PLAIN_DATES.items():
        text = mod.get(key)
        if text is not None:
            out[name] = parsed_date(text, f"{path}.{key}")
    access = get_dict(mod, "expandedAccessInfo", path)
    if access:
        out["has_expanded_access"] = get_bool(
            access, "hasExpandedAccess", f"{path}.expandedAccessInfo"
        )
    return out
