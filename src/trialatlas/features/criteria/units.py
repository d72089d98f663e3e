"""Units of measure in criteria: the written-unit pattern and pint normalization.

``units.json`` lists the units criteria use (``atoms``), maps written spellings
to pint expressions (``aliases``), names one canonical unit per dimension
(``canonical``) and keeps the units pint cannot express (cell counts,
``mL/min/1.73 m²``, ``IU/L`` …) in ``special`` with their factor to a canonical
spelling. The pint registry is built on first use, never at import.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from trialatlas.features.criteria.rules import read_json

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
    """Regex alternation of written units, longest first, ending at a word boundary."""
    atoms = sorted(set(_table()["atoms"]), key=len, reverse=True)
    parts = []
    for atom in atoms:
        body = r"\s*".join(re.escape(piece) for piece in atom.split(" "))
        tail = r"(?![\w²³])" if atom[-1].isalnum() or atom[-1] in "²³" else ""
        parts.append(body + tail)
    return "(?:" + "|".join(parts) + ")"


@cache
def _registry() -> Any:
    import pint  # imported lazily: building a registry takes most of a second

    return pint.UnitRegistry()


def unit_key(unit: str) -> str:
    """Lookup key of a written unit: lower case, spaces removed."""
    return _KEY_DROP.sub("", unit.lower()).replace("×", "x").replace("μ", "µ")


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


@lru_cache(maxsize=4096)
def _normalize_unit(unit: str) -> tuple[str | None, str | None, float, float]:
    """(normalized, canonical, factor, offset-marker) for a written unit; factor NaN = pint."""
    key = unit_key(unit)
    special = _table()["special"].get(key)
    if special is not None:
        return special[0], special[2], float(special[1]), 0.0
    expr = _table()["aliases"].get(key)
    if expr is None:
        return None, None, math.nan, 0.0
    ureg = _registry()
    try:
        quantity = ureg.Quantity(1.0, expr)
    except Exception:  # noqa: BLE001 - an unknown unit is simply left as written
        return None, None, math.nan, 0.0
    normalized = str(quantity.units)
    dims = str(quantity.dimensionality)
    canonical = _table()["canonical"].get(dims)
    if canonical is None or "kilogram" in normalized.split("/", 1)[-1] and "/" in normalized:
        canonical = normalized
    if dims == "dimensionless" and "percent" not in normalized:
        canonical = normalized
    return normalized, canonical, math.nan, 1.0


def normalize_value(value: float, unit: str | None) -> NormalizedValue:
    """Normalize ``value unit`` with pint; unknown units give ``None`` fields."""
    if not unit:
        return NormalizedValue(None, None, None)
    normalized, canonical, factor, _ = _normalize_unit(unit)
    if normalized is None or canonical is None:
        return NormalizedValue(None, None, None)
    if not math.isnan(factor):
        return NormalizedValue(normalized, canonical, value * factor)
    try:
        ureg = _registry()
        converted = ureg.Quantity(value, normalized).to(canonical).magnitude
    except Exception:  # noqa: BLE001 - no conversion: keep the value as written
        return NormalizedValue(normalized, normalized, value)
    return NormalizedValue(normalized, canonical, round(float(converted), 6))
