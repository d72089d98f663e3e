"""Numeric bounds in a span of text, as :class:`Comparison` objects.

Runs the patterns of :mod:`.comparison_patterns` (ranges first, then bounds with an
operator before or after the number, then bare limits relative to normal), gives a
bare amount after a bound that bound's operator, joins a lower and an upper bound of
the same subject into one ``between`` ("at least 30mm and not more than 90mm") and
lets a bare bound take the unit of its sibling ("> 170 or < 90 mm Hg"). Units are
normalized with pint (:mod:`.units`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from trialatlas.features.criteria.comparison_patterns import (
    bound_patterns,
    end_before_opposite_postfix,
    matched_operator,
    trailing_bound_pattern,
)
from trialatlas.features.criteria.numbers import parse_number
from trialatlas.features.criteria.units import is_time_unit, normalize_value
from trialatlas.model.criteria import Comparison, Operator

MAX_PER_ITEM = 64  # a criterion with more numbers than this is not a criterion (bounds work)

_JOIN = re.compile(r"^\s*(?:,\s*)?(?:and|but|&|,)\s*$", re.IGNORECASE)
_SIBLING = re.compile(r"^\s*(?:,\s*)?(?:or|and|and/or|,|/)\s*$", re.IGNORECASE)


def build_comparison(
    text: str,
    start: int,
    end: int,
    op: Operator,
    value: float,
    unit: str | None,
    upper: float | None = None,
    ref: str | None = None,
) -> Comparison:
    """One comparison with its normalized values; ``ref`` names a reference limit (ULN/LLN)."""
    reference = None
    if ref:
        reference = "LLN" if ref.strip().lower().startswith(("lln", "lower")) else "ULN"
    norm = normalize_value(value, unit)
    upper_norm = normalize_value(upper, unit) if upper is not None else None
    return Comparison(
        text=text,
        start=start,
        end=end,
        operator=op,
        value=value,
        upper_value=upper,
        unit=unit,
        unit_normalized=norm.unit_normalized,
        canonical_unit=norm.canonical_unit,
        value_canonical=norm.value_canonical,
        upper_canonical=upper_norm.value_canonical if upper_norm else None,
        lower_inclusive=op != ">",  # "> 50": the lower bound 50 itself is not allowed
        upper_inclusive=op != "<",  # "< 2": nor is the upper bound 2
        uln_multiplier=value if reference else None,
        reference=reference,  # type: ignore[arg-type]
    )


def find_comparisons(
    view: str, start: int, end: int, blocked: list[tuple[int, int]], references: bool = True
) -> list[Comparison]:
    """Comparisons in ``view[start:end]`` outside ``blocked`` spans, bounds joined.

    ``references=False`` skips the pass for bare limits ("> ULN") when the text
    names no reference range.
    """
    single, postonly, ranged, bare_ref = bound_patterns()
    taken = list(blocked)
    found: list[Comparison] = []

    def free(s: int, e: int) -> bool:
        return len(found) < MAX_PER_ITEM and not any(s < te and ts < e for ts, te in taken)

    for m in ranged.finditer(view, start, end):
        conn = m.group("conn").lower()
        if conn == "and" and not m.group("between"):
            continue
        low, high = parse_number(m.group("v")), parse_number(m.group("w"))
        if low is None or high is None or high < low or not free(*m.span()):
            continue
        unit = m.group("u") or m.group("u1")
        s, e = m.start(), m.end()
        while e > s and view[e - 1].isspace():
            e -= 1  # "7 to 17 years" without a unit: the range ends at its number
        comp = build_comparison(view[s:e], s, e, "between", low, unit, high)
        lop, uop = m.group("lop"), m.group("uop")
        if (lop or uop) and conn not in ("to", "-", "~", "～"):
            continue  # "> 5 and 10": two things, not one range
        if lop and not re.search("[=≥]", lop):
            comp = comp.model_copy(update={"lower_inclusive": False})
        if uop and not re.search("[=≤]", uop):
            comp = comp.model_copy(update={"upper_inclusive": False})  # "1 to < 2 years"
        found.append(comp)
        taken.append((s, e))
    passes = [(single, "p"), (postonly, "q")]
    if references:
        passes.append((bare_ref, "r"))
    for pattern, kind in passes:
        pos = start
        while (m := pattern.search(view, pos, end)) is not None:
            pos = m.end() if m.end() > m.start() else m.end() + 1
            if not free(*m.span()):
                continue
            if kind == "r":
                op, value, unit, ref = matched_operator(m, "p"), 1.0, None, m.group("ref")
            else:
                op = matched_operator(m, "p") if kind == "p" else None
                op = op or matched_operator(m, "q")
                value = parse_number(m.group("v"))
                unit, ref = m.group("u"), m.group("ref")
            if op is None or value is None:
                continue
            s, e = m.start(), end_before_opposite_postfix(m, kind, op)
            while e > s and view[e - 1].isspace():
                e -= 1
            if s < e < m.end():
                pos = e  # "… or older than 95": the postfix word starts the next bound
            found.append(build_comparison(view[s:e], s, e, op, value, unit, ref=ref))
            taken.append((s, e))
    found.sort(key=lambda c: c.start)
    found = _trailing_bounds(view, end, found, free, taken)
    return _share_units(view, _join_bounds(view, found))


def _trailing_bounds(
    view: str,
    end: int,
    found: list[Comparison],
    free: Callable[[int, int], bool],
    taken: list[tuple[int, int]],
) -> list[Comparison]:
    """A bare amount in the same unit after a bound shares its operator: ``> 120 mmHg
    diastolic and/or 180 mmHg systolic`` → ``> 120 mmHg`` and ``> 180 mmHg``."""
    extra: list[Comparison] = []
    for comp in found:
        if comp.operator not in (">", ">=", "<", "<=") or not comp.unit or comp.reference:
            continue
        m = trailing_bound_pattern().match(view, comp.end, end)
        if m is None or not free(m.start("v"), m.end("u")):
            continue
        value = parse_number(m.group("v"))
        if value is None or is_time_unit(m.group("u")):
            continue
        s, e = m.start("v"), m.end("u")
        bound = build_comparison(view[s:e], s, e, comp.operator, value, m.group("u"))
        if bound.unit_normalized is None or bound.unit_normalized != comp.unit_normalized:
            continue
        extra.append(bound)
        taken.append((s, e))
    if not extra:
        return found
    return sorted(found + extra, key=lambda c: c.start)


def _join_bounds(view: str, found: list[Comparison]) -> list[Comparison]:
    """``≥ 30 mm and ≤ 90 mm`` → one ``between`` comparison."""
    out: list[Comparison] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        if (
            b is not None
            and a.operator in (">=", ">")
            and b.operator in ("<=", "<")
            and a.reference == b.reference
            and _JOIN.match(view[a.end : b.start])
            and (a.unit is None or b.unit is None or a.unit_normalized == b.unit_normalized)
            and a.value <= b.value
        ):
            unit = a.unit or b.unit
            joined = build_comparison(
                view[a.start : b.end], a.start, b.end, "between", a.value, unit, b.value
            )
            out.append(
                joined.model_copy(
                    update={
                        "lower_inclusive": a.operator == ">=",
                        "upper_inclusive": b.operator == "<=",
                    }
                )
            )
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _share_units(view: str, found: list[Comparison]) -> list[Comparison]:
    """``> 170 or < 90 mm Hg``: a bare bound takes the unit of the sibling bound after it."""
    out = list(found)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if (
            a.unit is None
            and b.unit is not None
            and a.reference is None
            and b.reference is None
            and _SIBLING.match(view[a.end : b.start])
        ):
            shared = build_comparison(
                a.text, a.start, a.end, a.operator, a.value, b.unit, a.upper_value
            )
            out[i] = shared.model_copy(
                update={"lower_inclusive": a.lower_inclusive, "upper_inclusive": a.upper_inclusive}
            )
    return out


def siblings(view: str, a: Comparison, b: Comparison) -> bool:
    """True when ``b`` follows ``a`` as another limit of the same thing ("> 170 or < 90")."""
    return a.end <= b.start and _SIBLING.match(view[a.end : b.start]) is not None
