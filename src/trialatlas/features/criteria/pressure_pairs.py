"""Blood pressure written as one pair: "BP < 140/90 mm Hg" → ``< 140 mmHg`` and ``< 90 mmHg``.

The comparison finder reads "< 140/90 mm Hg" as a bound on 140 and leaves "90 mm Hg"
as a bare amount; a pre-screener would then check the systolic pressure against
the pair's first number only. Here the second number becomes a comparison of its
own (same operator, span "90 mm Hg"), and both take the unit written after the pair.
A pair is a blood pressure when a pressure unit follows it or the criterion speaks
of blood pressure, and its numbers look like one (systolic 60-300 above diastolic 20-200).
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.units import normalize_value
from trialatlas.model.criteria import Comparison

_TAIL = re.compile(r"\s*/\s*(?P<d>\d{2,3})(?![\d.,/])(?:\s*(?P<u>mm\s*hg|mmhg))?", re.IGNORECASE)
_PRESSURE_WORDS = re.compile(
    r"\b(?:blood\s+pressure|BP|SBP|DBP|hypertension|hypotension|hypertensive|systolic|diastolic)\b",
    re.IGNORECASE,
)
_BOUNDS = (">", ">=", "<", "<=")


def _with_unit(comp: Comparison, unit: str, **update: object) -> Comparison:
    value = float(update.get("value", comp.value))  # type: ignore[arg-type]
    norm = normalize_value(value, unit)
    return comp.model_copy(
        update={
            **update,
            "unit": unit,
            "unit_normalized": norm.unit_normalized,
            "canonical_unit": norm.canonical_unit,
            "value_canonical": norm.value_canonical,
        }
    )


def split_pressure_pairs(
    view: str, item_start: int, item_end: int, found: list[Comparison]
) -> list[Comparison]:
    """``found`` with each "systolic/diastolic" bound split in two, in text order."""
    out: list[Comparison] = []
    for comp in found:
        m = _TAIL.match(view, comp.end, item_end)
        if (
            m is None
            or comp.operator not in _BOUNDS
            or comp.unit is not None
            or comp.reference is not None
            or any(o.start < m.end() and m.start() < o.end for o in found if o is not comp)
        ):
            out.append(comp)
            continue
        systolic, diastolic = comp.value, float(m.group("d"))
        if not (60 <= systolic <= 300 and 20 <= diastolic <= 200 and diastolic < systolic):
            out.append(comp)
            continue
        if m.group("u") is None and not _PRESSURE_WORDS.search(view, item_start, item_end):
            out.append(comp)
            continue
        unit = m.group("u") or "mmHg"
        out.append(_with_unit(comp, unit))
        out.append(
            _with_unit(
                comp,
                unit,
                text=view[m.start("d") : m.end()],
                start=m.start("d"),
                end=m.end(),
                value=diastolic,
            )
        )
    return out
