"""Inclusion criteria met by any one of their items: "at least one of the following:".

The lead-in is a header (it asks nothing itself); its items are asked one by one,
and their verdicts are combined into one verdict for the lead-in: met when any
item is met, not met only when every item was checked and none is met,
unknown otherwise (an unknown never counts as met). Exclusion lists ("any of the
following excludes") need nothing: every item excludes on its own.
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.document import make_view
from trialatlas.features.prescreen.model import Alternatives, CriterionVerdict
from trialatlas.features.prescreen.phrasing import shorten
from trialatlas.model.criteria import ParsedCriteria

_ANY_OF = re.compile(
    r"\b(?:at\s+least\s+)?(?:one|1|any)\s+(?:\(1\)\s+)?(?:or\s+more\s+)?of\s+the\s+following\b"
    r"|\beither\s+of\s+the\s+following\b",
    re.IGNORECASE,
)
_ALL_OF = re.compile(r"\b(?:all|each|every)\s+of\s+the\s+following\b", re.IGNORECASE)


def find_alternatives(parsed: ParsedCriteria) -> list[Alternatives]:
    """Inclusion lead-ins that ask for one of their (nested) items."""
    out: list[Alternatives] = []
    for index, criterion in enumerate(parsed.criteria):
        text = make_view(criterion.text)
        if criterion.kind != "inclusion" or not _ANY_OF.search(text) or _ALL_OF.search(text):
            continue
        members = parsed.children(index)
        if len(members) >= 2:
            out.append(Alternatives(index=index, text=criterion.text, members=list(members)))
    return out


def combine_alternatives(
    groups: list[Alternatives], verdicts: list[CriterionVerdict]
) -> list[CriterionVerdict]:
    """``verdicts`` with the items of each group replaced by one verdict for the group."""
    out = list(verdicts)
    for group in groups:
        inside = [v for v in out if v.source == "criteria" and v.index in group.members]
        if not inside:
            continue
        met = [v for v in inside if v.verdict == "met"]
        checked_all = len({v.index for v in inside}) == len(group.members)
        if met:
            verdict, reason = (
                "met",
                "One of these is enough, and this one is met: " + _quote(met[0]),
            )
        elif checked_all and all(v.verdict == "not_met" for v in inside):
            verdict = "not_met"
            reason = "None of these is met: " + " ".join(v.reason for v in inside)
        else:
            verdict = "unknown"
            reason = "One of these is enough; none is met yet, so the study team checks: " + (
                "; ".join(_quote(v) for v in inside if v.verdict != "not_met")
                or "the items we could not ask about"
            )
        first = out.index(inside[0])
        combined = CriterionVerdict(
            key=f"any{group.index}",
            index=group.index,
            kind="inclusion",
            source="criteria",
            text=group.text,
            verdict=verdict,  # type: ignore[arg-type]
            reason=reason,
            question_ids=list(dict.fromkeys(q for v in inside for q in v.question_ids)),
        )
        out = [v for v in out if v not in inside]
        out.insert(first, combined)
    return out


def _quote(verdict: CriterionVerdict) -> str:
    return f"“{shorten(' '.join(verdict.text.split()), 80)}”"
