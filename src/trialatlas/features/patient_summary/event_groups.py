"""Serious side effects group by group: which posted group is the treatment, which the
comparison, which something else (a run-in period, a total), and the sentences saying
each group's own count, named. Counts of different groups are never added up: a
run-in group and a placebo group are different people at different times, and a sum
("9 of 1563") matches no group anyone could join.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from trialatlas.features.patient_summary.model import Sentence
from trialatlas.features.patient_summary.naming import COMPARATOR_ARM_TYPES, is_placebo_like
from trialatlas.model.results import EventGroup
from trialatlas.model.study import Study

GroupRole = Literal["treatment", "comparison", "other", "total"]
MAX_GROUPS_SAID = 4  # more groups: the first ones, then a pointer to the full results
_OTHER = re.compile(
    r"\b(?:run[- ]?in|lead[- ]?in|wash[- ]?out|screen(?:ing|ed)|pre[- ]?randomi[sz]\w*|"
    r"titration period|follow[- ]?up only|not randomi[sz]ed|non[- ]?randomi[sz]ed)\b",
    re.IGNORECASE,
)
_TOTAL = re.compile(
    r"^\s*(?:total|overall|all (?:participants|patients|subjects|groups|arms))\s*$", re.I
)
_INERT = re.compile(
    r"^\s*(?:normal\s+)?(?:saline|vehicle|dmso)(?:\s+(?:injections?|solution|control|group))?\s*$",
    re.I,
)  # a group given only the inert substance
_WORDS = re.compile(r"[a-z0-9]+")
_ROLE_WORDS = {
    "treatment": "The treatment group",
    "comparison": "The comparison group",
    "other": "The group",
}


@dataclass(frozen=True, slots=True)
class GroupCount:
    """One posted group's serious side effects: its name, its role, its own numbers."""

    title: str
    role: GroupRole
    affected: int
    at_risk: int


Arms = Sequence[tuple[str, str | None]]  # (label, type) of the study's arms


def study_arms(study: Study) -> Arms:
    """The (label, type) pairs :func:`group_role` matches group titles against."""
    return [(arm.label, arm.type) for arm in study.arms]


def group_role(title: str | None, arms: Arms = ()) -> GroupRole:
    """What a posted group is: the treatment, a comparison, a total, or other (run-in …)."""
    name = title or ""
    if _TOTAL.match(name):
        return "total"
    if _OTHER.search(name):
        return "other"
    if is_placebo_like(name) or _INERT.match(name) or _arm_type(name, arms) in COMPARATOR_ARM_TYPES:
        return "comparison"
    return "treatment"


def _arm_type(title: str, arms: Arms) -> str | None:
    """The type of the study arm whose label best matches the group title (most shared words)."""
    words = set(_WORDS.findall(title.lower()))
    best, best_score = None, 0.0
    for label, arm_type in arms:
        arm_words = set(_WORDS.findall(label.lower()))
        if not words or not arm_words:
            continue
        score = len(words & arm_words) / len(words | arm_words)
        if score > best_score:
            best, best_score = arm_type, score
    return best if best_score >= 0.5 else None


def group_counts(
    groups: Sequence[tuple[str, int | None, int | None]], arms: Arms = ()
) -> list[GroupCount]:
    """Each posted group ``(title, affected, at risk)`` with serious-event numbers, in the
    registry's order; a "total" group is left out when the groups themselves are posted."""
    counts = [
        GroupCount(title, group_role(title, arms), affected or 0, at_risk)
        for title, affected, at_risk in groups
        if at_risk
    ]
    if len(counts) > 1:
        counts = [c for c in counts if c.role != "total"] or counts
    return counts


def own_events_sentences(groups: list[EventGroup], study: Study) -> list[Sentence]:
    """This trial's posted serious side effects, one sentence per group, never summed."""
    posted = [(g.title or g.id, g.serious_num_affected, g.serious_num_at_risk) for g in groups]
    counts = group_counts(posted, study_arms(study))
    if not counts:
        return []
    source = ["results.adverse_events.groups"]
    if len(counts) == 1:
        c = counts[0]
        text = (
            f"This trial posted its side effect data. In its one group (“{c.title}”), "
            f"{c.affected} of {c.at_risk} participants had a serious side effect."
        )
        return [Sentence(text=text, sources=source)]
    out = [Sentence(text="This trial posted its side effect data for each group.", sources=source)]
    ordered = sorted(
        counts, key=lambda c: ("treatment", "comparison", "other", "total").index(c.role)
    )
    for c in ordered[:MAX_GROUPS_SAID]:
        out.append(
            Sentence(
                text=f"{_ROLE_WORDS.get(c.role, 'The group')} “{c.title}”: {c.affected} of {c.at_risk} "
                "participants had a serious side effect.",
                sources=source,
            )
        )
    if len(ordered) > MAX_GROUPS_SAID:
        rest = len(ordered) - MAX_GROUPS_SAID
        out.append(
            Sentence(
                text=f"The full registry page lists {rest} more {'group' if rest == 1 else 'groups'}.",
                sources=source,
            )
        )
    return out


def treatment_counts(counts: list[GroupCount]) -> tuple[int, int] | None:
    """Affected and at-risk summed over the treatment groups only, or None without one."""
    treated = [c for c in counts if c.role == "treatment"]
    if not treated:
        return None
    return sum(c.affected for c in treated), sum(c.at_risk for c in treated)
