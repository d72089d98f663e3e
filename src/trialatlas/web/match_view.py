"""What the ``/match`` page shows under "What we understood": the matcher's ``patient``
dict as labelled groups of short items, so the person can correct their description.

Presentation only: the facts come from :func:`match_patient`; this module only sorts
them into groups (conditions present, ruled out, in the family…) and words them, and
leads each site's distance with the unit the page shows (:func:`distance_in_unit`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trialatlas.features.distance_text import DistanceUnit

# a finding's status (as the matcher reports it) → the group it is shown in
STATUS_GROUPS: dict[str, str] = {
    "present": "Conditions",
    "history": "Past conditions",
    "absent": "Ruled out",
    "negated": "Ruled out",
    "ruled_out": "Ruled out",
    "family": "Family history",
    "family_negated": "Not in the family",
    "hypothetical": "Possible or suspected",
    "possible": "Possible or suspected",
    "uncertain": "Possible or suspected",
}
CONDITION_ORDER = (
    "Conditions",
    "Past conditions",
    "Ruled out",
    "Family history",
    "Not in the family",
    "Possible or suspected",
)
LIST_FIELDS = (
    ("medications", "Medicines"),
    ("procedures", "Procedures"),
    ("labs", "Labs and measurements"),
)
FLAG_FIELDS = (
    ("pregnant", "Pregnant"),
    ("breastfeeding", "Breastfeeding"),
    ("smoking", "Smoking"),
)
MAX_ITEMS = 40


@dataclass
class UnderstoodGroup:
    """One labelled line of "What we understood"; ``items`` are short phrases."""

    label: str
    items: list[str] = field(default_factory=list)
    key: str = ""


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _name(item: Any) -> str:
    if isinstance(item, Mapping):
        for key in ("name", "text", "label"):
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return ""
    return str(item).strip() if item is not None else ""


def _lab(item: Any) -> str:
    name = _name(item)
    if not isinstance(item, Mapping):
        return name
    value = item.get("value")
    if value is None:
        return name
    unit = item.get("unit") or ""
    comparator = item.get("comparator") or ""
    return f"{name} {comparator}{_number(value)}{' ' + unit if unit else ''}".strip()


def _status(item: Any) -> str:
    if isinstance(item, Mapping):
        status = item.get("status")
        if status == "family" and item.get("negated"):
            return "family_negated"
        if isinstance(status, str):
            return status
        if item.get("active") is False:
            return "history"
    return "present"


def _distinct(items: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        if item and item.lower() not in seen:
            seen[item.lower()] = item
    return list(seen.values())[:MAX_ITEMS]


def _age(patient: Mapping[str, Any]) -> str | None:
    age = patient.get("age")
    if isinstance(age, int | float) and not isinstance(age, bool):
        return f"{_number(round(float(age), 1))} years"
    return None


def _flag(value: Any) -> str | None:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and value:
        return value
    return None


def understood_sections(patient: Mapping[str, Any]) -> list[UnderstoodGroup]:
    """The groups to show, in a stable order; groups with nothing in them are left out
    except age, sex and conditions (shown as "not found" so the gap is visible)."""
    groups: list[UnderstoodGroup] = [
        UnderstoodGroup("Age", [_age(patient) or "not found"], "age"),
        UnderstoodGroup("Sex", [str(patient.get("sex") or "").strip() or "not found"], "sex"),
    ]
    by_status: dict[str, list[str]] = {label: [] for label in CONDITION_ORDER}
    for item in patient.get("conditions") or []:
        label = STATUS_GROUPS.get(_status(item), "Conditions")
        by_status[label].append(_name(item))
    for label in CONDITION_ORDER:
        items = _distinct(by_status[label])
        if items or label == "Conditions":
            key = label.lower().replace(" ", "-")
            groups.append(UnderstoodGroup(label, items or ["none found"], key))
    for key, label in LIST_FIELDS:
        values = patient.get(key) or []
        if not isinstance(values, list):
            continue
        shown: list[str] = []
        ruled_out: list[str] = []
        for value in values:
            words = _lab(value) if key == "labs" else _name(value)
            is_out = STATUS_GROUPS.get(_status(value)) == "Ruled out"
            (ruled_out if is_out else shown).append(words)
        if shown := _distinct(shown):
            groups.append(UnderstoodGroup(label, shown, key))
        if ruled_out := _distinct(ruled_out):
            groups.append(UnderstoodGroup(f"{label}: ruled out", ruled_out, f"{key}-ruled-out"))
    for key, label in FLAG_FIELDS:
        value = _flag(patient.get(key))
        if value is not None:
            groups.append(UnderstoodGroup(label, [value], key))
    return groups


# "13 mi (21 km)", "under 1 mi (under 2 km)": a distance pair as distance_text words it
_PAIR = re.compile(
    r"(?P<first>(?:under )?[\d,.]+ (?P<unit>mi|km)) \((?P<second>(?:under )?[\d,.]+ (?:mi|km))\)"
)


def distance_in_unit(text: str | None, unit: DistanceUnit) -> str | None:
    """A site's distance words led by the page's ``unit``: "about 13 mi (21 km)" becomes
    "about 21 km (13 mi)" on a page in kilometres (the same two figures, swapped); the
    words of how the site was placed ("in Jacksonville, about …") are kept."""
    if not text:
        return text

    def lead(match: re.Match[str]) -> str:
        if match.group("unit") == unit:
            return match.group(0)
        return f"{match.group('second')} ({match.group('first')})"

    return _PAIR.sub(lead, text)
