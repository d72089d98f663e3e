"""Entities inferred from the ones chosen: short forms and test results.

A short form that defines an entity takes its type ("Tuberculin Skin Test
(**TST**)"); untyped short forms listed with a drug are drugs ("prednisone, **TAC**,
or **MMF**"); an infection named with a test result is measured too ("**HIV**
positive").
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.entity_candidates import RANK_RULE, Candidate
from trialatlas.features.criteria.entity_rules import Serology

_ABBREVIATION_AFTER = re.compile(
    r"[ \t]*[(\[][ \t]*(?P<a>(?=[\w-]*[A-Z])[A-Za-z][\w-]{0,10})[ \t]*[)\]]"
)
_ABBREVIATION_BEFORE = re.compile(
    r"(?<![\w-])(?P<a>(?=[\w-]*[A-Z][\w-]*[A-Z])[A-Za-z][\w-]{0,10})[ \t]*[(\[][ \t]*$"
)
_ROMAN = re.compile(r"[IVX]+")
# a short form ("MMF", "PCV13") listed with drugs: "prednisone, TAC, or MMF"
_SHORT_FORM = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?![\w-])")
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and/or|and|or)?|/|\band/or\b|\bor\b|\band\b)\s*")
_SHORT_FORM_MAX = 8
_ABBREVIATED_TYPES = frozenset({"condition", "drug", "procedure", "measurement", "device"})


def listed_short_forms(
    view: str, start: int, end: int, chosen: list[Candidate], taken: list[tuple[int, int]]
) -> list[Candidate]:
    """Untyped short forms in a list with a drug are drugs: "prednisone, **TAC**, or
    **MMF**", "DTaP, **IPV**, **PCV13**" (each found one extends the list)."""
    drugs = [(c.start, c.end) for c in chosen if c.type == "drug"]
    if not drugs:
        return []
    occupied = [(c.start, c.end) for c in chosen] + taken
    forms = [
        m.span()
        for m in _SHORT_FORM.finditer(view, start, end)
        if m.end() - m.start() <= _SHORT_FORM_MAX
        and not any(m.start() < oe and os < m.end() for os, oe in occupied)
    ]
    out: list[Candidate] = []
    grown = True
    while grown and forms:
        grown = False
        for s, e in list(forms):
            if any(
                _LIST_GAP.fullmatch(view, de, s) or _LIST_GAP.fullmatch(view, e, ds)
                for ds, de in drugs
                if de <= s or e <= ds
            ):
                out.append(Candidate(s, e, "drug", RANK_RULE))
                drugs.append((s, e))
                forms.remove((s, e))
                grown = True
    return out


def serology_results(
    view: str, start: int, end: int, chosen: list[Candidate], rules: Serology
) -> list[Candidate]:
    """An infection named with a test result is measured too: "**HIV** positive",
    "positive for **hepatitis B**", "**HBsAg** reactive". The measurement shares the
    entity's span; the condition stays (the pre-screener asks about the infection)."""
    if rules.agents is None or rules.before is None and rules.after is None:
        return []
    measured = {(c.start, c.end) for c in chosen if c.type == "measurement"}
    out: list[Candidate] = []
    for c in chosen:
        if c.type == "measurement" or (c.start, c.end) in measured:
            continue
        agent = rules.agents.fullmatch(view, c.start, c.end)
        if agent is None:
            continue
        hit = "result" in agent.re.groupindex and agent.group("result") is not None  # "HIV+"
        hit = hit or rules.after is not None and rules.after.match(view, c.end, end) is not None
        if not hit and rules.before is not None:
            hit = rules.before.search(view, max(start, c.start - 90), c.start) is not None
        if hit:
            out.append(Candidate(c.start, c.end, "measurement", RANK_RULE))
            measured.add((c.start, c.end))
    return out


def abbreviations(
    view: str, limit: int, chosen: list[Candidate], taken: list[tuple[int, int]]
) -> list[Candidate]:
    """Short forms that define an entity take its type: "Tuberculin Skin Test (**TST**)",
    "**ALT** (alanine aminotransferase)"."""
    occupied = [(c.start, c.end) for c in chosen] + taken
    out: list[Candidate] = []
    for c in chosen:
        if c.type not in _ABBREVIATED_TYPES:
            continue
        m = _ABBREVIATION_AFTER.match(view, c.end, limit)
        if m is None:
            m = _ABBREVIATION_BEFORE.search(view, max(0, c.start - 16), c.start)
        if m is None or m.group("a").lower() == view[c.start : c.end].lower():
            continue
        if _ROMAN.fullmatch(m.group("a")):
            continue  # "(IV)", "(II)": a stage or route, not a short form
        s, e = m.span("a")
        if any(s < oe and os < e for os, oe in occupied):
            continue
        out.append(Candidate(s, e, c.type, RANK_RULE))
        occupied.append((s, e))
    return out
