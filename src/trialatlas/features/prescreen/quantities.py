"""Unit conversion for answers: the patient's unit → the trial's unit.

Units are normalized with pint through the criteria parser's unit table
(:func:`trialatlas.features.criteria.units.normalize_value`), so 6 cm compares with
30–90 mm and 38.5 °C with 100.4 °F. Concentrations convert between mass and
substance (mg/dL ↔ mmol/L) when the measurement's molar mass is known, and HbA1c
between % (NGSP) and mmol/mol (IFCC). Anything else across dimensions is refused.
"""

from __future__ import annotations

import math
import re

from trialatlas.features.criteria.units import canonical_factor, normalize_value
from trialatlas.features.prescreen.rules import Measure, measure_by_id

MASS_CONC = "milligram / deciliter"
MOLAR_CONC = "millimole / liter"
_EXTRA_ALIASES = {
    "c": "°C",
    "degc": "°C",
    "celsius": "°C",
    "f": "°F",
    "degf": "°F",
    "fahrenheit": "°F",
    "mm hg": "mmHg",
    "kg/m^2": "kg/m2",
    "mg per day": "mg/day",
    "mg a day": "mg/day",
    # UCUM codes (a FHIR Quantity may carry only its code)
    "mm[hg]": "mmHg",
    "cel": "°C",
    "[degf]": "°F",
    "[lb_av]": "lb",
    "[in_i]": "in",
    "10*9/l": "10^9/L",
    "10*3/ul": "10^3/µL",
    "10*3/mm3": "10^3/µL",
    "ml/min/{1.73_m2}": "mL/min/1.73m²",
    "[iu]/l": "IU/L",
    # lab-report spellings
    "k/ul": "10^3/µL",
    "k/µl": "10^3/µL",
    "micromol/l": "µmol/L",
    "mcmol/l": "µmol/L",
}
_UNITLESS = frozenset({"", "%", "percent", "points", "point", "score", "pts"})
_CLEAN = re.compile(r"\s+")


def fmt_number(value: float) -> str:
    """``30.0`` → ``30``, ``100.4`` → ``100.4``, ``0.0881`` → ``0.088``."""
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 1 else f"{round(value, 2):g}"


def clean_unit(unit: str | None) -> str | None:
    """The unit as the patient wrote it, with a few extra spellings (``C``, ``degF``)."""
    if unit is None:
        return None
    text = _CLEAN.sub(" ", str(unit)).strip()
    if not text:
        return None
    return _EXTRA_ALIASES.get(text.lower(), text)


def _canonical(value: float, unit: str) -> tuple[float, str] | None:
    normalized = normalize_value(value, unit)
    if normalized.canonical_unit is None or normalized.value_canonical is None:
        return None
    return normalized.value_canonical, normalized.canonical_unit


def _molar(value: float, source: str, target: str, measure: Measure | None) -> float | None:
    if measure is None or not measure.molar_mass:
        return None
    if source == MASS_CONC and target == MOLAR_CONC:
        return value * 10.0 / measure.molar_mass
    if source == MOLAR_CONC and target == MASS_CONC:
        return value * measure.molar_mass / 10.0
    return None


def _ifcc(value: float, source: str, target: str, measure: Measure | None) -> float | None:
    if measure is None or not measure.ifcc:
        return None
    if source == "%" and target == "mmol/mol":
        return (value - 2.15) * 10.929
    if source == "mmol/mol" and target == "%":
        return value / 10.929 + 2.15
    return None


def convert(
    value: float, source_unit: str | None, target_unit: str | None, measure_id: str | None = None
) -> float | None:
    """``value`` in ``source_unit`` expressed in ``target_unit``; None if they do not convert.

    A missing patient unit means the trial's unit. A trial without a unit takes a
    bare number (or one given as %, points or score).
    """
    source = clean_unit(source_unit)
    target = clean_unit(target_unit)
    if target is None:
        return value if (source or "").lower() in _UNITLESS else None
    if source is None or source.lower() == target.lower():
        return value
    measure = measure_by_id(measure_id) if measure_id else None
    a, b = _canonical(value, source), _canonical(1.0, target)
    if a is None or b is None:
        return None
    (value_c, unit_a), (one_target_c, unit_b) = a, b
    step = canonical_factor(unit_a, unit_b)  # a weight in kg against a dose in mg
    if step is not None:
        value_c *= step
    elif unit_a != unit_b:
        moved = _molar(value_c, unit_a, unit_b, measure)
        if moved is None:
            moved = _ifcc(value_c, unit_a, unit_b, measure)
            return moved if moved is None else float(moved)
        value_c = moved
    if unit_b in ("degree_Celsius",):
        target_c = _canonical(0.0, target)
        zero = target_c[0] if target_c else 0.0
        return (value_c - zero) / (one_target_c - zero)
    if one_target_c == 0:
        return None
    return value_c / one_target_c


def is_unitless(unit: str | None) -> bool:
    """No unit, or one that is only a count or a share (``%``, ``points``)."""
    return (clean_unit(unit) or "").lower() in _UNITLESS


def same_dimension(unit_a: str, unit_b: str, measure: Measure | None = None) -> bool:
    """Do the two units convert into each other (for this measure)?"""
    return convert(1.0, unit_a, unit_b, measure.id if measure else None) is not None
