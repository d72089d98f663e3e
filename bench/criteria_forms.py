"""Score the parser's numeric comparisons against the LCT criterion-level logical forms.

Each LCT logical form (``lct_logical_forms_dev.jsonl.gz``) writes the numeric
filters of one criterion sentence as ``eq(op(GTEQ), val("18"), temporal_unit(YEAR))``,
``eq(op(LT), val("50"), unit("ml"), per(MINUTE))`` or
``eq(op(BETWEEN), val("0"), val("2"))``. Here every filter with an operator and a
value is a gold constraint, and the parser's comparisons and time windows for
the same sentence are the predictions:

* a comparison matches a filter with the same numbers (a range: both bounds;
  one gold bound may be a bound of a predicted range, and a gold "140 / 90"
  pair two predicted bounds); it is *exact* when the operator agrees too
  (``>=`` GTEQ, ``>`` GT, ``<`` LT, ``<=`` LTEQ, ``==`` EQ, ``between`` BETWEEN);
* a time window matches a filter with a time unit, the same amount and unit
  (LCT writes "within 6 months" as LT or LTEQ; the window's relation carries
  that meaning, so its operator is not compared);
* units: of the matched filters that name a unit, the share whose unit we read
  as the same unit (LCT often writes only the numerator, ``unit("mg")`` for
  mg/dL, so ours must start with theirs, compared without spaces and case).

Printed: constraint recall and precision (numbers) and their exact (operator)
versions, over all forms and per held-out part.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from criteria_corpora import held_out, logical_form, read_jsonl
from trialatlas.features.criteria.units import time_unit_name
from trialatlas.model.criteria import ParsedCriteria

_EQ = re.compile(r"\beq\(((?:[^()]|\([^()]*\))*)\)")
_OP = re.compile(r"\bop\((\w+)\)")
_VAL = re.compile(r'\bval\("([^"]*)"\)')
_UNIT = re.compile(r'\bunit\("([^"]*)"\)')
_TIME = re.compile(r"\btemporal_unit\((\w+)\)")
_PER = re.compile(r"\bper\((\w+)\)")
_OURS = {">=": "GTEQ", ">": "GT", "<": "LT", "<=": "LTEQ", "==": "EQ", "between": "BETWEEN"}
_TIME_UNITS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year"}
_PER_UNITS = {"MINUTE": "min", "HOUR": "h", "DAY": "day", "WEEK": "week", "MONTH": "month"}


@dataclass(frozen=True)
class Filter:
    """One gold numeric filter of a logical form."""

    op: str
    values: tuple[float, ...]
    unit: str | None  # as LCT writes it, with per(…) appended: "ml/min"
    time_unit: str | None  # hour, day, week, month, year


@dataclass
class FormScore:
    forms: int = 0
    gold: int = 0
    pred: int = 0
    gold_found: int = 0
    gold_exact: int = 0
    pred_right: int = 0
    units_named: int = 0
    units_same: int = 0

    def lines(self, title: str) -> list[str]:
        def ratio(a: int, b: int) -> str:
            return f"{a / b:.3f}" if b else "  -  "

        return [
            f"{title}: {self.forms} criterion sentences, {self.gold} gold numeric filters, "
            f"{self.pred} predicted comparisons/windows",
            f"  recall {ratio(self.gold_found, self.gold)} (numbers), "
            f"{ratio(self.gold_exact, self.gold)} (numbers and operator); "
            f"precision {ratio(self.pred_right, self.pred)}; "
            f"unit read the same on {ratio(self.units_same, self.units_named)} "
            f"of {self.units_named} matched filters with a unit",
        ]


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def gold_filters(logical_form: str) -> list[Filter]:
    """The numeric filters (operator and at least one value) of a logical form."""
    out: list[Filter] = []
    for m in _EQ.finditer(logical_form):
        inner = m.group(1)
        op, vals = _OP.search(inner), [_number(v) for v in _VAL.findall(inner)]
        values = tuple(v for v in vals if v is not None)
        if op is None or not values or op.group(1) not in _OURS.values():
            continue
        unit = _UNIT.search(inner)
        per = _PER.search(inner)
        written = unit.group(1) if unit else None
        if written and per:
            written += "/" + _PER_UNITS.get(per.group(1), per.group(1).lower())
        time = _TIME.search(inner)
        time_unit = _TIME_UNITS.get(time.group(1)) if time else None
        out.append(Filter(op.group(1), values, written, time_unit))
    return list(dict.fromkeys(out))


def read_forms(data: Path) -> list[tuple[str, str, list[Filter]]]:
    """``(nct_id, sentence, filters)`` per logical form with at least one filter."""
    out = []
    for row in read_jsonl(data / "lct" / "lct_logical_forms_dev.jsonl.gz"):
        parsed = logical_form(row["content"])
        filters = gold_filters(parsed[2]) if parsed is not None else []
        if parsed is not None and filters:
            out.append((row["nct_id"], parsed[1], filters))
    return out


def _unit_key(unit: str) -> str:
    return re.sub(r"\s+", "", unit.lower()).replace("µ", "u").replace("μ", "u")


_Pred = tuple[str | None, tuple[float, ...], str | None]


def _predictions(parsed: ParsedCriteria) -> list[_Pred]:
    """``(operator, numbers, unit or time unit)`` of every comparison and window."""
    out: list[_Pred] = []
    for criterion in parsed.criteria:
        for c in criterion.comparisons:
            numbers = (c.value,) if c.upper_value is None else (c.value, c.upper_value)
            out.append((_OURS.get(c.operator), numbers, c.unit))
        for w in criterion.windows:
            out.append((None, (w.amount,), w.unit))  # hour, day, week, month, year
    return out


def _same_numbers(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return sorted(a) == sorted(b)


def _hits(filt: Filter, preds: list[_Pred]) -> list[_Pred]:
    """Predictions stating the filter's numbers: the same numbers, or for one gold
    bound a bound of a predicted range ("≥ 18, and < 80" read as 18 to 80)."""
    hits = [p for p in preds if _same_numbers(p[1], filt.values)]
    if not hits and len(filt.values) == 1:
        hits = [p for p in preds if p[0] == "BETWEEN" and filt.values[0] in p[1]]
    if filt.time_unit is not None:
        hits = [p for p in hits if time_unit_name(p[2]) == filt.time_unit]
    return hits


def _exact(filt: Filter, hit: _Pred) -> bool:
    if hit[0] is None or hit[0] == filt.op:
        return True
    if hit[0] == "BETWEEN" and len(filt.values) == 1:  # one bound of a range
        low = filt.values[0] == min(hit[1])
        return filt.op in (("GTEQ", "GT") if low else ("LTEQ", "LT"))
    return False


def _pair_found(filt: Filter, preds: list[_Pred]) -> bool:
    """ "BP > 140 / 90" as one gold filter with two numbers, read as two bounds."""
    if filt.op == "BETWEEN" or len(filt.values) != 2:
        return False
    return all(any(p[1] == (v,) and p[0] == filt.op for p in preds) for v in filt.values)


def score_forms(
    data: Path, parse: Callable[[str], ParsedCriteria], part_of: Callable[[str], str]
) -> dict[str, FormScore]:
    """Scores per part (``held-out`` / ``lexicon-train``) and ``all``."""
    scores: dict[str, FormScore] = {}
    for nct_id, sentence, filters in read_forms(data):
        preds = _predictions(parse(sentence))
        for name in (part_of(nct_id), "all"):
            s = scores.setdefault(name, FormScore())
            s.forms += 1
            s.gold += len(filters)
            s.pred += len(preds)
            for f in filters:
                if _pair_found(f, preds):
                    s.gold_found += 1
                    s.gold_exact += 1
                    continue
                hits = _hits(f, preds)
                if not hits:
                    continue
                s.gold_found += 1
                s.gold_exact += any(_exact(f, p) for p in hits)
                if f.unit:
                    s.units_named += 1
                    s.units_same += any(
                        p[2] is not None and _unit_key(p[2]).startswith(_unit_key(f.unit))
                        for p in hits
                    )
            s.pred_right += sum(
                any(
                    _same_numbers(p[1], f.values)
                    or set(p[1]) <= set(f.values)
                    or (p[0] == "BETWEEN" and set(f.values) <= set(p[1]))
                    for f in filters
                )
                for p in preds
            )
    return scores


def print_form_scores(data: Path, parse: Callable[[str], ParsedCriteria]) -> None:
    scores = score_forms(data, parse, lambda n: "held-out" if held_out(n) else "lexicon-train")
    print("\n== LCT logical forms — numeric filters (comparisons and time windows)")
    for part in ("held-out", "lexicon-train", "all"):
        if part in scores:
            print("\n".join(scores[part].lines(part)))
