"""Units of measure in criteria: the written-unit pattern and pint normalization.

``units.json`` lists the units criteria use (``atoms``), maps written spellings
to pint expressions (``aliases``), names one canonical unit per dimension
(``canonical``: a mass is a body weight, in kilograms; the dose masses of
``dose_mass`` — mg, µg, ng, pg — go to ``dose_canonical``: milligrams, and mg/m²
for a dose per body surface) and keeps the units pint cannot express (cell
counts, ``mL/min/1.73 m²``, ``IU/L`` …) in ``special`` with their factor to a
canonical spelling.

Building a pint registry takes seconds, so ``scripts/build_criteria_lexicons.py``
asks pint once per alias (:func:`compile_unit_table`) and keeps the answer in
``data/criteria/units_compiled.json``: the pint spelling, the canonical unit
and the linear conversion ``canonical = scale × value + offset`` (offset for
°F → °C). At run time that table is read; pint is loaded only for an alias the
table lacks (a stale build), never at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from trialatlas.features.criteria.rules import read_compiled, read_json

UNITS_COMPILED = "units_compiled.json"

_KEY_DROP = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class NormalizedValue:
    """A value with its unit in pint spelling and in the canonical unit."""

    unit_normalized: str | None
    canonical_unit: str | None
    value_canonical: float | None


@cache
def _table() -> dict[str, Any]:
    return read_json("units.json")


@cache
def unit_pattern() -> str:
    """Regex of the written units (case-insensitive), longest first, ending at a word boundary.

    The atoms are folded into a character trie (``m(?:g(?:/dL|…)|L|…)``) so the
    engine follows one branch per character instead of trying every unit in
    turn; a space in an atom matches any run of spaces. At each node the longer
    continuations are tried before the unit that ends there, so the longest
    written unit wins, as in a plain longest-first alternation. Spaces around a
    slash are allowed too ("10 g / dL").
    """
    trie: dict[str, Any] = {}
    for atom in set(_table()["atoms"]):
        node = trie
        for ch in atom.lower():
            node = node.setdefault(ch, {})
        node[""] = True  # a unit ends here
    return "(?:" + _trie_regex(trie) + ")"


def _trie_regex(node: dict[str, Any], last: str = "") -> str:
    branches = []
    for ch in sorted(k for k in node if k):
        piece = r"\s*" if ch == " " else r"\s*/\s*" if ch == "/" else re.escape(ch)
        branches.append(piece + _trie_regex(node[ch], ch))
    if "" in node:  # the unit may end here; an alphanumeric end needs a word boundary
        # … and is no word's start: "5 in-transit" has no inches ("2 mg-4 mg" keeps its mg)
        branches.append(r"(?![\w²³]|-[A-Za-z])" if last.isalnum() or last in "²³" else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@cache
def _registry() -> Any:
    import pint  # imported lazily: building a registry takes most of a second

    return pint.UnitRegistry()


def unit_key(unit: str) -> str:
    """Lookup key of a written unit: lower case, spaces removed."""
    return _KEY_DROP.sub("", unit.lower()).replace("×", "x").replace("μ", "µ")


def time_unit_name(unit: str | None) -> str | None:
    """``hour``, ``day``, ``week``, ``month``, ``year``, ``minute`` or ``second`` for a written
    time unit, else None (a capital ``D`` after a number is a diopter, not a day)."""
    if not unit or unit.strip() == "D":
        return None
    name = _table()["aliases"].get(unit_key(unit))
    return name if name in _TIME_NAMES else None


_TIME_NAMES = frozenset({"hour", "day", "week", "month", "year", "minute", "second"})


def is_time_unit(unit: str | None) -> bool:
    """True for hours, days, weeks, months and years as written."""
    if not unit:
        return False
    return _table()["aliases"].get(unit_key(unit)) in {
        "hour",
        "day",
        "week",
        "month",
        "year",
        "minute",
        "second",
    }


def _pint_unit(ureg: Any, expr: str) -> list[Any] | None:
    """``[normalized, canonical, scale, offset]`` for a pint expression, or None."""
    try:
        quantity = ureg.Quantity(1.0, expr)
    except Exception:  # noqa: BLE001 - an unknown unit is simply left as written
        return None
    normalized = str(quantity.units)
    dims = str(quantity.dimensionality)
    canonical = _table()["canonical"].get(dims)
    if normalized.split(" / ", 1)[0] in _table()["dose_mass"]:
        # "prednisone > 10 mg", "doxorubicin > 450 mg/m2": doses, kept in dose units
        canonical = _table()["dose_canonical"].get(dims, canonical)
    if canonical is None or "kilogram" in normalized.split("/", 1)[-1] and "/" in normalized:
        canonical = normalized
    if dims == "dimensionless" and "percent" not in normalized:
        canonical = normalized
    try:
        zero = float(ureg.Quantity(0.0, normalized).to(canonical).magnitude)
        one = float(ureg.Quantity(1.0, normalized).to(canonical).magnitude)
    except Exception:  # noqa: BLE001 - no conversion: keep the value as written
        return [normalized, normalized, 1.0, 0.0]
    return [normalized, canonical, one - zero, zero]


def compile_unit_table() -> dict[str, Any]:
    """Every alias of ``units.json`` normalized with pint (build time)."""
    import pint  # imported lazily: building a registry takes seconds

    ureg = _registry()
    units = {key: _pint_unit(ureg, expr) for key, expr in sorted(_table()["aliases"].items())}
    return {"source": f"pint {pint.__version__}", "units": units}


# Canonical units of one dimension that differ (a body weight in kg, a dose in mg):
# how many of the second one make one of the first.
_CANONICAL_STEPS = {("kilogram", "milligram"): 1e6}


def canonical_factor(source: str, target: str) -> float | None:
    """Factor from one canonical unit to another of the same dimension, else None.

    ``canonical_factor("kilogram", "milligram") == 1e6``; equal units give 1.
    """
    if source == target:
        return 1.0
    if (source, target) in _CANONICAL_STEPS:
        return _CANONICAL_STEPS[source, target]
    if (target, source) in _CANONICAL_STEPS:
        return 1.0 / _CANONICAL_STEPS[target, source]
    return None


@cache
def _compiled_units() -> dict[str, Any]:
    data = read_compiled(UNITS_COMPILED)
    return data.get("units", {}) if isinstance(data, dict) else {}


@lru_cache(maxsize=4096)
def _normalize_unit(unit: str) -> tuple[str | None, str | None, float, float, bool]:
    """``(normalized, canonical, scale, offset, exact)`` for a written unit.

    ``exact`` marks the fixed factors of ``special`` (not rounded).
    """
    key = unit_key(unit)
    special = _table()["special"].get(key)
    if special is not None:
        return special[0], special[2], float(special[1]), 0.0, True
    expr = _table()["aliases"].get(key)
    if expr is None:
        return None, None, 1.0, 0.0, False
    compiled = _compiled_units()
    entry = compiled[key] if key in compiled else _pint_unit(_registry(), expr)
    if entry is None:
        return None, None, 1.0, 0.0, False
    normalized, canonical, scale, offset = entry
    return normalized, canonical, float(scale), float(offset), False


def normalize_value(value: float, unit: str | None) -> NormalizedValue:
    """Normalize ``value unit`` (pint spellings); unknown units give ``None`` fields."""
    if not unit:
        return NormalizedValue(None, None, None)
    normalized, canonical, scale, offset, exact = _normalize_unit(unit)
    if normalized is None or canonical is None:
        return NormalizedValue(None, None, None)
    if exact:
        return NormalizedValue(normalized, canonical, value * scale)
    return NormalizedValue(normalized, canonical, round(value * scale + offset, 6))
