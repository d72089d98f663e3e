"""Corrections to the chosen entity candidates, by the words around them.

A generic medicine noun joins the drug before it ("anticoagulant **medication**") or
is left out alone; a bare "syndrome" after a capitalised name is that named condition
("Down syndrome"); a name before "agonist" or "inhibitor" is a class of drugs ("PD-1
inhibitor"); kinds of other trials and the study's own product used only to date
something are no medicines taken. The word lists come from ``entity_patterns.json``
(:class:`~.entity_rules.GenericNouns`) or are written here.
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.entity_candidates import Candidate
from trialatlas.features.criteria.entity_rules import GenericNouns
from trialatlas.features.criteria.lexicon import Token

_WORDS = re.compile(r"[\w-]+")


def refine_generic(
    tokens: list[Token], chosen: list[Candidate], rules: GenericNouns
) -> list[Candidate]:
    """Generic medicine nouns: "anticoagulant **medication**" joins the drug before it;
    alone, "the following medications:", "drug abuse", "drug screen" are left out."""
    if not rules.nouns:
        return chosen
    index = {t.start: i for i, t in enumerate(tokens)}
    out: list[Candidate] = []
    for c in chosen:
        i = index.get(c.start)
        if (
            c.type != "drug"
            or i is None
            or tokens[i].end != c.end
            or tokens[i].norm not in rules.nouns
        ):
            out.append(c)
            continue
        prev = out[-1] if out else None
        if prev is not None and prev.type == "drug" and i > 0 and tokens[i - 1].end == prev.end:
            out[-1] = Candidate(prev.start, c.end, "drug", prev.rank)
            continue
        before = tokens[i - 1].norm if i > 0 else ""
        after = tokens[i + 1].norm if i + 1 < len(tokens) else ""
        if before in rules.not_after or after in rules.not_before:
            continue
        out.append(c)
    return out


_EPONYM_HEADS = frozenset({"syndrome", "disease", "palsy", "phenomenon", "anomaly", "sarcoma"})
_NOT_EPONYM = frozenset(
    {
        "Other",
        "Any",
        "Active",
        "Known",
        "Severe",
        "Chronic",
        "Acute",
        "History",
        "Current",
        "Significant",
        "Serious",
        "Major",
        "Prior",
        "Previous",
        "Untreated",
        "Uncontrolled",
        "Concurrent",
        "Documented",
        "Confirmed",
        "Diagnosis",
        "Evidence",
        "Presence",
        "Patients",
        "Subjects",
        "No",
        "Not",
        "The",
        "A",
        "An",
        "Or",
        "And",
        "With",
        "Without",
        "Mild",
        "Moderate",
        "Stable",
        "Unstable",
        "Rare",
        "Inherited",
        "Genetic",
        "Congenital",
    }
)


def eponyms(tokens: list[Token], chosen: list[Candidate]) -> list[Candidate]:
    """A bare "syndrome" or "disease" after a capitalised name is that named condition:
    "Asperger syndrome", "Cushing's disease", "Down syndrome" (not "Other syndrome")."""
    index = {t.start: i for i, t in enumerate(tokens)}
    out: list[Candidate] = []
    for c in chosen:
        i = index.get(c.start)
        if c.type == "condition" and i is not None and i > 0 and tokens[i].end == c.end:
            name = tokens[i - 1]
            if (
                tokens[i].norm in _EPONYM_HEADS
                and name.text[:1].isupper()
                and name.text[1:2].islower()
                and name.text not in _NOT_EPONYM
                and not any(o.start <= name.start < o.end for o in chosen)
            ):
                c = Candidate(name.start, c.end, c.type, c.rank)
        out.append(c)
    return out


_CLASS_HEADS = frozenset(
    {
        "agonist",
        "agonists",
        "antagonist",
        "antagonists",
        "analog",
        "analogs",
        "analogue",
        "analogues",
        "inhibitor",
        "inhibitors",
        "blocker",
        "blockers",
        "modulator",
        "modulators",
    }
)


def drug_classes(tokens: list[Token], chosen: list[Candidate]) -> list[Candidate]:
    """A name before "agonist", "inhibitor", "blocker" … is a class of drugs: "LHRH
    agonist", "PD-1 inhibitor", "EGFR inhibitors" (a target named alone stays what it is)."""
    index = {t.end: i for i, t in enumerate(tokens)}
    taken = {(c.start, c.end) for c in chosen}
    out: list[Candidate] = []
    for c in chosen:
        i = index.get(c.end)
        if (
            c.type in ("drug", "measurement", "condition")
            and i is not None
            and i + 1 < len(tokens)
            and tokens[i + 1].norm in _CLASS_HEADS
            and not any(
                s <= tokens[i + 1].start < e for s, e in taken if (s, e) != (c.start, c.end)
            )
        ):
            c = Candidate(c.start, tokens[i + 1].end, "drug", c.rank)
        out.append(c)
    return out


def dates_only(view: str, start: int, c: Candidate, rules: GenericNouns) -> bool:
    """True when a study-product mention only dates something ("before receiving **study
    drug**", "first **study drug** administration")."""
    if rules.anchor_before is not None and rules.anchor_before.search(
        view, max(start, c.start - 60), c.start
    ):
        return True
    return rules.anchor_after is not None and rules.anchor_after.match(view, c.end) is not None


def drop_study_kinds(
    view: str, start: int, chosen: list[Candidate], rules: GenericNouns
) -> list[Candidate]:
    """Kinds of other trials are no medicines taken: "participating in an
    **investigational drug** or device study" has no drug entity (``study_*`` rules);
    nor is the study's own product when it only dates something ("prior to the
    first dose of **study drug**", "after last **study drug** administration":
    ``anchor_*`` rules)."""
    if not rules.study_words or rules.study_before is None and rules.study_after is None:
        return chosen
    out: list[Candidate] = []
    for c in chosen:
        words = _WORDS.findall(view[c.start : c.end].lower())
        if c.type == "drug" and words and all(w in rules.study_words for w in words):
            if dates_only(view, start, c, rules):
                continue
            before = None
            if rules.study_before is not None:
                before = rules.study_before.search(view, max(start, c.start - 120), c.start)
            if before is not None and rules.use_words and rules.use_words.search(before.group()):
                before = None
            after = rules.study_after.match(view, c.end) if rules.study_after else None
            if before is not None or after is not None:
                continue
        out.append(c)
    return out
