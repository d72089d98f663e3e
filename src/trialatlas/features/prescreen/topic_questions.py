"""The yes/no question spec, and the questions with set wording: pregnancy,
breastfeeding, birth control, a negative pregnancy test, and "When did your X start?"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trialatlas.features.prescreen.entity_scope import (
    CONTRACEPTION,
    negated_list,
    profile_terms,
    restates_exclusion,
)
from trialatlas.features.prescreen.model import ElapsedCheck, ProfileTerm, YesNoCheck
from trialatlas.features.prescreen.phrasing import (
    amount_phrase,
    finish_question,
    join_terms,
    lower_first,
    mentions_judgement,
)
from trialatlas.model.criteria import Criterion, Entity, TimeWindow

_PREG_FACETS = (
    ("planning", re.compile(r"plan|intend|become pregnant|wish", re.IGNORECASE)),
    ("breastfeeding", re.compile(r"nursing|lactat|breast", re.IGNORECASE)),
    ("pregnant", re.compile(r"pregnan", re.IGNORECASE)),
)
_NOT_PREGNANCY = re.compile(r"child|menopaus|steril|contracept", re.IGNORECASE)
_PREG_WORDS = {"pregnant": "pregnant", "breastfeeding": "breastfeeding"}


@dataclass(frozen=True)
class YesNoSpec:
    """A yes/no question (or a start-date question) before it is numbered and grouped."""

    text: str
    group: str
    check: YesNoCheck | ElapsedCheck
    disqualifying_answer: str
    label: str
    answer_type: str = "yes_no"
    window_days: float | None = None
    before_days: float | None = None
    terms: list[ProfileTerm] = field(default_factory=list)
    require_all: bool = False
    never_label: str | None = None
    help: str | None = None


# "Do you have HIV positive?" → "Have you tested positive for HIV?"
_TESTED_POSITIVE = re.compile(
    r"^Do you (?:currently )?have (?:a )?(?P<x>HIV(?:-1|-2|-1/2)?|HBV|HCV|HTLV(?:-?I{1,2}|-?[12])?|"
    r"hepatitis [BC](?: virus)?|HBsAg|hepatitis B surface antigen|tuberculosis|TB|syphilis|"
    r"COVID-19|SARS-CoV-2|CMV|EBV|PPD|Quanti[Ff][Ee][Rr][Oo][Nn])[- ](?:sero)?positive\?$",
    re.IGNORECASE,
)


def yes_no(
    criterion: Criterion, text: str, group: str, flip: bool, label: str, **extra: object
) -> YesNoSpec:
    inclusion = criterion.kind == "inclusion"
    disqualifying = inclusion == flip  # inclusion: "no" goes against it; exclusion: "yes"
    team = (not inclusion) and mentions_judgement(criterion.text)
    return YesNoSpec(
        text=_TESTED_POSITIVE.sub(r"Have you tested positive for \g<x>?", text),
        group=group,
        check=YesNoCheck(disqualifying=disqualifying, team_decides=team),
        disqualifying_answer="Yes" if disqualifying else "No",
        label=label,
        **extra,  # type: ignore[arg-type]
    )


_PLACE_AFTER = re.compile(
    r"^[\s-]*(?:homes?|facilit|care\b|staff|students?|assistants?|personnel|schools?)",
    re.IGNORECASE,
)


def _nursing_place(criterion: Criterion, entity: Entity) -> bool:
    """``nursing home``, ``nursing staff``: a place or a job, not breastfeeding."""
    rel = entity.end - criterion.start
    return bool(_PLACE_AFTER.match(criterion.text[rel : rel + 16]))


_TEST_AFTER = re.compile(r"^[\s-]*(?:test|testing|tests)\b", re.IGNORECASE)


def _pregnancy_test(criterion: Criterion, entity: Entity) -> bool:
    """``pregnancy test``, ``pregnancy testing``: a test result, not a pregnancy."""
    if re.search(r"\btest", entity.text, re.IGNORECASE):
        return True
    rel = entity.end - criterion.start
    return bool(_TEST_AFTER.match(criterion.text[rel : rel + 16]))


def pregnancy_spec(criterion: Criterion, entities: list[Entity]) -> YesNoSpec | None:
    """The question "Are you pregnant or breastfeeding, or planning to become pregnant?"."""
    every = [e for e in entities if e.type == "pregnancy" and not _nursing_place(criterion, e)]
    if any(_NOT_PREGNANCY.search(e.text) for e in every):
        return None  # childbearing potential, menopause: contraception rules, too varied to reword
    tests = [e for e in every if _pregnancy_test(criterion, e)]
    if tests:
        # "negative pregnancy test" (inclusion) / "positive pregnancy test" (exclusion) asks
        # whether the patient is pregnant, a yes going against it; "pregnancy testing is
        # required" asks nothing a patient can answer (never "Are you pregnant?" needing a yes)
        lowered = criterion.text.lower()
        wanted = "negative" if criterion.kind == "inclusion" else "positive"
        if wanted not in lowered:
            return None
        return yes_no(
            criterion,
            "Are you pregnant?",
            "About you",
            criterion.kind == "inclusion",
            "pregnancy",
            terms=[ProfileTerm(type="pregnancy", text="pregnant")],
            help="Answer No if this cannot apply to you.",
        )
    # The parser's own "negated" is not used here: "Pregnant women are excluded" is no negation.
    negated = negated_list(criterion, every)
    preg = [e for e in every if id(e) not in negated]
    flip = not preg and not restates_exclusion(criterion)
    preg = preg or every
    if not preg:
        return None
    facets: list[str] = []
    for entity in preg:
        for facet, pattern in _PREG_FACETS:
            if pattern.search(entity.text):
                if facet not in facets:
                    facets.append(facet)
                break
    if not facets:
        return None
    states = [_PREG_WORDS[f] for f in ("pregnant", "breastfeeding") if f in facets]
    text = f"Are you {join_terms(states)}" if states else "Are you"
    if "planning" in facets:
        text += ", or planning to become pregnant" if states else " planning to become pregnant"
    if "during the study" in criterion.text.lower() and "planning" in facets:
        text += " during the study"
    terms = [ProfileTerm(type="pregnancy", text=f) for f in facets]
    return yes_no(
        criterion,
        finish_question(text),
        "About you",
        flip,
        "pregnancy",
        terms=terms,
        help="Answer No if this cannot apply to you.",
    )


_WILL_USE = re.compile(
    r"\b(?:must|should|shall|agrees?|agreement|willing(?:ness)?|consents?|required|"
    r"use|uses|using|practi[cs]e|employ|commit)\b",
    re.IGNORECASE,
)
_WILL_NOT_USE = re.compile(
    r"\b(?:inadequate|insufficient|ineffective|unwilling(?:ness)?|not willing|refus\w*|"
    r"unable|not using|not use|without|lack of|fail\w*|not agree|does not|do not|no)\b"
    r"[^.;]*(?:contracept|birth[- ]control)",
    re.IGNORECASE,
)
CONTRACEPTION_QUESTION = (
    "If you could become pregnant or father a child, will you use effective birth control "
    "during the study?"
)


def contraception_spec(criterion: Criterion, lead: str) -> YesNoSpec | None:
    """ "Fertile patients must use effective contraception" (inclusion) and "Inadequate
    contraception", "unwilling to use birth control" (exclusion): one question on using
    birth control, a no going against both. Never "Have you had contraception?"."""
    if not CONTRACEPTION.search(lead):
        return None
    if criterion.kind == "inclusion":
        if not _WILL_USE.search(lead) or _WILL_NOT_USE.search(lead):
            return None
        flip = False
    else:
        if not _WILL_NOT_USE.search(lead):
            return None  # "using hormonal contraception" excludes: a question of its own
        flip = True
    return yes_no(
        criterion,
        CONTRACEPTION_QUESTION,
        "About you",
        flip,
        "birth control during the study",
        help="Answer Yes if you cannot become pregnant or father a child.",
    )


_NEGATIVE_TEST = re.compile(
    r"^\W*(?:a |have a |must have a )?negative (?:serum |urine |urinary |blood |beta[- ]?hcg |"
    r"\w+ )?(?:pregnancy|hcg|β-hcg|beta-hcg) test",
    re.IGNORECASE,
)


def negative_test_spec(criterion: Criterion, lead: str) -> YesNoSpec | None:
    """ "Negative pregnancy test" (inclusion): a pregnancy rules it out."""
    if criterion.kind != "inclusion" or not _NEGATIVE_TEST.search(lead):
        return None
    return yes_no(
        criterion,
        "Are you pregnant?",
        "About you",
        True,
        "pregnancy",
        terms=[ProfileTerm(type="pregnancy", text="pregnant")],
        help="Answer No if this cannot apply to you. The study team will do the test.",
    )


def onset_spec(
    criterion: Criterion, entities: list[Entity], window: TimeWindow
) -> YesNoSpec | None:
    """``Low back pain for at least 6 months`` → "When did your low back pain start?"."""
    before = [e for e in entities if e.type == "condition" and 0 <= window.start - e.end <= 4]
    if not before or window.relation not in ("for at least", "for"):
        return None
    condition = before[-1]
    name = lower_first(condition.text)
    inside_meets = criterion.kind == "inclusion"
    check = ElapsedCheck(
        min_days=window.days, inside_meets=inside_meets, never_meets=not inside_meets
    )
    need = f"at least {amount_phrase(window)} ago"
    return YesNoSpec(
        text=f"When did your {name} start?",
        group="Your condition",
        check=check,
        disqualifying_answer=(
            f"Less than {amount_phrase(window)} ago" if inside_meets else need[0].upper() + need[1:]
        ),
        label=f"your {name} started",
        answer_type="date",
        terms=profile_terms([condition]),
        never_label=f"I don't have {name}",
        help="The month and year are enough.",
    )
