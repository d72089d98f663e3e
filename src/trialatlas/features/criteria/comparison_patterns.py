"""Patterns of a numeric bound: operators in symbols or words, numbers, units, ranges.

The operator alternations (``≥``, ``at least``, ``no more than``, ``18 years or
older``), ranges (``between 7.5% and 10.0%``, ``18-65``), limits relative to normal
(``> 2 × ULN``) and the bare number that shares a bound's operator (``> 120 mmHg
diastolic and/or 180 mmHg systolic``), compiled once on first use; and the reading of
a match's operator groups. :mod:`.comparison_bounds` runs them over the text.
"""

from __future__ import annotations

import re
from functools import cache

from trialatlas.features.criteria.numbers import NUMBER, NUMBER_START
from trialatlas.features.criteria.units import unit_pattern
from trialatlas.model.criteria import Operator

_W = r"\s+"
_PREFIX = {
    ">=": r"≥\s*/?\s*=?|>\s*/\s*=|>\s*or\s*=(?:\s*to\b)?|>\s*=|=\s?>|=\s*/\s*>|≧|⩾|\bat least\b|\bno less than\b|\bnot less than\b|\b(?:a )?minimum(?: of)?\b|\bmin\.|"
    r"\b(?:greater|more|higher|older) than or equal to\b|\bequal to or (?:greater|more|higher|older) than\b|"
    r"\bequal or (?:greater|more|higher|older) than\b|\b(?:greater|more|higher|older) or equal to\b",
    "<=": r"≤\s*/?\s*=?|<\s*/\s*=|<\s*or\s*=(?:\s*to\b)?|<\s*=|=\s?<|=\s*/\s*<|≦|⩽|\bat most\b|\bno more than\b|\bnot more than\b|\bnot exceeding\b|\bnot to exceed\b|"
    r"\bdoes not exceed\b|\bup to\b|\b(?:a )?maximum(?: of)?\b|\bmax\.|\b(?:less|lower|smaller) than or equal to\b|"
    r"\bequal to or (?:less|lower|smaller|younger) than\b|\bequal or (?:less|lower|younger) than\b|"
    r"\bno (?:greater|higher|older) than\b|\bnot (?:greater|higher|older) than\b|"
    r"\b(?:less|lower|younger) or equal to\b|\byounger than or equal to\b",
    ">": r"(?<![<>=])>(?!\s*/?\s*=|\s*or\s*=)|\b(?:over|above|older than) the age of\b|"
    r"\b(?:greater|more|higher|larger|older|longer) than\b|\babove\b|\bover\b|"
    r"\bexceeding\b|\bexceeds?\b|\bin excess of\b",
    "<": r"(?<![<>=])<(?!\s*/?\s*=|\s*or\s*=)|\b(?:under|below|younger than) the age of\b|"
    r"\b(?:less|lower|fewer|smaller|younger|shorter) than\b|\bbelow\b|\bunder\b",
    "==": r"(?<![<>=!/≥≤])(?<![<>]\s)(?<![<>]/)=(?![<>=]|\s?[<>]|\s*/\s*[<>])|\bequal to\b|\bequals\b",
}
_POSTFIX = {
    ">=": r"or (?:more|greater|higher|older|above|over|longer)|and (?:above|over|older|greater|more|up)|\+|or greater than",
    "<=": r"or (?:less|fewer|lower|younger|below|under|smaller)|and (?:below|under|younger|less)",
}
_REF = (
    r"(?P<ref>ULN|UNL|upper limits? (?:of )?(?:the )?norm(?:al)?(?: range| values?)?|"
    r"upper normal limits?|(?:(?<=x\s)|(?<=×\s)|(?<=\*\s)|(?<=x)|(?<=×)|(?<=times\s))(?:top\s+|upper\s+)?normal(?:\s+(?:range|values?|limits?))?|"
    r"LLN|lower limits? of (?:the )?normal(?: range)?|lower normal limits?)"
)
_AGE_WORDS = r"(?:\s*(?:years?|yrs?)?\s*(?:of age|old|of life))"


# First characters an operator / a number can start with: a lookahead that lets the
# regex engine skip every other position cheaply (the alternations are long).
_PREFIX_START = r"(?=[<>=≥≤≧≦⩾⩽]|\b[abdefghilmnosuy])"


def _op_group(ops: dict[str, str], prefix: str) -> str:
    names = {">=": "ge", "<=": "le", ">": "gt", "<": "lt", "==": "eq"}
    return "|".join(f"(?P<{prefix}{names[op]}>{body})" for op, body in ops.items())


def _spaced(pattern: str) -> str:
    return pattern.replace(" ", r"\s+")


@cache
def bound_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The single bound, postfix-only bound, range and bare-reference patterns."""
    unit = unit_pattern()
    value = rf"(?P<v>{NUMBER})\s*(?P<u>{unit})?"
    uln = rf"(?:\s*(?:x|×|\*|times|-?fold)?\s*(?:the\s+)?(?:institutional\s+|local\s+|site\s+)?{_spaced(_REF)})?"
    prefix = _spaced(_op_group(_PREFIX, "p"))
    postfix = _spaced(_op_group(_POSTFIX, "q"))
    single = re.compile(
        rf"{_PREFIX_START}(?:{prefix})\s*(?:of\s+|:\s*)?{value}{uln}(?:{_AGE_WORDS}?\s*(?:{postfix}))?",
        re.IGNORECASE,
    )
    postonly = re.compile(
        rf"{NUMBER_START}{value}{uln}{_AGE_WORDS}?\s*(?:{postfix})", re.IGNORECASE
    )
    ranged = re.compile(
        rf"(?=\b[bfr]|[>≥=]|{NUMBER_START})(?:(?P<between>between|from|range\s+of|ranging\s+from)\s+(?:the\s+ages?\s+of\s+)?)?"
        rf"(?P<lop>(?:>\s*/?\s*=?|≥|=>)\s*)?(?P<v>{NUMBER})\s*(?P<u1>{unit})?\s*"
        rf"(?P<conn>-|~|～|to|and|through|until)\s*(?P<uop>(?:<\s*/?\s*=?|≤|=<)\s*)?(?P<w>{NUMBER})\s*(?P<u>{unit})?",
        re.IGNORECASE,
    )
    bare_ref = re.compile(
        rf"{_PREFIX_START}(?:{prefix})\s*(?:the\s+)?(?:institutional\s+)?{_spaced(_REF)}",
        re.IGNORECASE,
    )
    return single, postonly, ranged, bare_ref


@cache
def trailing_bound_pattern() -> re.Pattern[str]:
    """A bare number with a unit after a bound and "and/or": ``> 120 mmHg diastolic
    and/or 180 mmHg systolic`` (at most two words between, no digits)."""
    return re.compile(
        rf"(?:\s+[A-Za-z][A-Za-z-]*){{0,2}}\s*,?\s*(?:and\s*/\s*or|or|and)\s+"
        rf"(?P<v>{NUMBER})\s*(?P<u>{unit_pattern()})",
        re.IGNORECASE,
    )


def matched_operator(m: re.Match[str], prefix: str) -> Operator | None:
    """The operator whose named group (``prefix`` + ge/le/gt/lt/eq) matched, or None."""
    for name, op in (("ge", ">="), ("le", "<="), ("gt", ">"), ("lt", "<"), ("eq", "==")):
        try:
            if m.group(prefix + name):
                return op  # type: ignore[return-value]
        except IndexError:
            continue
    return None


_DIRECTION = {">=": 1, ">": 1, "<=": -1, "<": -1}


def end_before_opposite_postfix(m: re.Match[str], kind: str, op: str) -> int:
    """End of a prefix bound without a postfix pointing the other way: in "younger than
    18 years of age or older than 95", "or older" belongs to the next bound."""
    if kind != "p":
        return m.end()
    for name, post in (("qge", ">="), ("qle", "<=")):
        try:
            start = m.start(name)
        except IndexError:
            continue
        if start >= 0 and _DIRECTION[post] != _DIRECTION.get(op, 0):
            return start  # the caller trims the space before it
    return m.end()
