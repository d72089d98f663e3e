"""Distances as a page says them: one unit per page, the other in brackets.

Miles come first unless the visitor chose kilometres (a radius given in km, such as
``40km``); every distance on the page then uses that order, never a mix. How exact a
distance is shows in its words: a site placed at its ZIP code's centre is "about 2 mi",
a site placed only by its city says so ("in Jacksonville, about 13 mi"), and only an
exact point gets a decimal.
"""

from __future__ import annotations

from typing import Literal

from trialatlas.index.geo import KM_PER_MILE

DistanceUnit = Literal["mi", "km"]
SitePrecision = Literal["site", "zip", "city"]


def choose_unit(radius: str | float | None = None, unit: str | None = None) -> DistanceUnit:
    """``unit`` when given ("km", "mi"), else the unit of ``radius`` ("40km"), else miles."""
    for text in (unit, radius):
        if isinstance(text, str) and text.strip():
            word = text.strip().lower().lstrip("0123456789. ")
            if word.startswith("k"):
                return "km"
            if word.startswith("m"):
                return "mi"
    return "mi"


def _amount(km: float, unit: DistanceUnit, *, exact: bool) -> str:
    value = km if unit == "km" else km / KM_PER_MILE
    if exact:
        return f"{value:,.1f} {unit}"
    return f"under 1 {unit}" if value < 0.5 else f"{max(1, round(value)):,} {unit}"


def distance_pair(km: float, unit: DistanceUnit, *, exact: bool = False) -> str:
    """``"13 mi (21 km)"`` (or ``"21 km (13 mi)"``): the page's unit first, the other in brackets."""
    other: DistanceUnit = "km" if unit == "mi" else "mi"
    if not exact and unit == "mi" and km < KM_PER_MILE:
        return "under 1 mi (under 2 km)"
    if not exact and unit == "km" and km < 1:
        return "under 1 km (under 1 mi)"
    return f"{_amount(km, unit, exact=exact)} ({_amount(km, other, exact=exact)})"


def _short(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}".removesuffix(".0")


def radius_words(radius_km: float, unit: DistanceUnit) -> str:
    """A radius in the page's unit: ``"10 miles (16 km)"`` or ``"40 km (25 miles)"``."""
    miles = radius_km / KM_PER_MILE
    mi_text = f"{_short(miles)} mile{'' if _short(miles) == '1' else 's'}"
    km_text = f"{_short(radius_km)} km"
    return f"{mi_text} ({km_text})" if unit == "mi" else f"{km_text} ({mi_text})"


def site_distance(
    km: float, precision: SitePrecision | None, unit: DistanceUnit, *, city: str | None = None
) -> str:
    """How far a site is, with how it was placed in the words (see the module)."""
    if precision == "city":
        town = f"in {city}" if city else "in its city"
        pair = distance_pair(km, unit)
        if pair.startswith("under"):
            return town
        return f"{town}, about {pair}"
    if precision == "zip":
        pair = distance_pair(km, unit)
        return pair if pair.startswith("under") else f"about {pair}"
    return distance_pair(km, unit, exact=True)


UNIT_CHOICES: tuple[tuple[DistanceUnit, str], ...] = (("mi", "Miles"), ("km", "Kilometres"))
RADIUS_STEPS: dict[DistanceUnit, tuple[int, ...]] = {
    "mi": (10, 25, 50, 100, 250, 500),
    "km": (10, 25, 50, 80, 100, 250, 500, 800),
}
DEFAULT_RADIUS: dict[DistanceUnit, str] = {"mi": "50mi", "km": "80km"}


def radius_menu(
    unit: DistanceUnit,
    chosen: str | None,
    *,
    default: str | None = None,
    any_distance: bool = False,
) -> list[tuple[str, str, bool]]:
    """A distance menu in the page's unit: ``(value, label, selected)`` options; a chosen
    radius not among the steps is kept (labelled in the page's unit first)."""
    current = (chosen or "").strip() or (default or "")
    options: list[tuple[str, str, bool]] = []
    if any_distance:
        options.append(("", "Any distance", not current))
    word = "miles" if unit == "mi" else "km"
    for step in RADIUS_STEPS[unit]:
        value = f"{step}{unit}"
        options.append((value, f"{step} {word}", current.lower() == value))
    if current and not any(selected for _, _, selected in options):
        from trialatlas.index.geo import GeoError, parse_radius

        try:
            label = radius_words(parse_radius(current), unit)
        except GeoError:
            label = current
        options.append((current, label, True))
    return options
