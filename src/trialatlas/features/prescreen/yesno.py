"""Yes/no (and start-date) questions from a criterion's entities and first sentence.

Order of preference: pregnancy wording; "When did your X start?" for "X for at
least N months"; a rewrite rule of ``phrasing.json`` ("Taking X" → "Do you take
X?"); a question built from the named entities ("In the past 3 months, have you
taken methotrexate?"); and last "Does this apply to you?" with the criterion shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trialatlas.features.prescreen.model import ElapsedCheck, ProfileTerm, YesNoCheck
from trialatlas.features.prescreen.phrasing import (
    RECENT_RELATIONS,
    Rewritten,
    amount_phrase,
    cut_exceptions,
    drop_examples,
    examples_of,
    finish_question,
    join_terms,
    lead_sentence,
    lower_first,
    mentions_judgement,
    plain_window,
    plain_words,
    replace_windows,
    rewrite,
    unescape,
    with_article,
    word_count,
)
from trialatlas.features.prescreen.rules import phrasing
from trialatlas.model.criteria import Criterion, Entity, TimeWindow

ASKABLE = ("pregnancy", "condition", "drug", "procedure", "behaviour", "device")
TYPE_GROUPS = {
    "pregnancy": "About you",
    "behaviour": "About you",
    "condition": "Your condition",
    "drug": "Medicines",
    "procedure": "Past treatments",
    "device": "Other",
}
FALLBACK = "Does this apply to you?"
_SMOKING = re.compile(r"smok|tobacco|cigarette|nicotine|vaping", re.IGNORECASE)
_PREG_FACETS = (
    ("planning", re.compile(r"plan|intend|become pregnant|wish", re.IGNORECASE)),
    ("breastfeeding", re.compile(r"nursing|lactat|breast", re.IGNORECASE)),
    ("pregnant", re.compile(r"pregnan", re.IGNORECASE)),
)
_TO_PHRASE = re.compile(
    r"(?<!limited )(?<!due )(?<!related )(?<!prior )\bto(?:\s+[\w/-]+){0,3}\s*$"
)
_NOT_PREGNANCY = re.compile(r"child|menopaus|steril|contracept", re.IGNORECASE)
_NEGATION_PREFIX = re.compile(r"(?:\bnon|\bnot(?:\s+be)?|\bno)[\s-]*$", re.IGNORECASE)
_QUALIFIER = re.compile(
    r"\b(?:uncontrolled|poorly controlled|severe|significant|unstable|advanced|decompensated|"
    r"untreated|refractory|end[- ]stage|malignant|life[- ]threatening)\b",
    re.IGNORECASE,
)
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
    terms: list[ProfileTerm] = field(default_factory=list)
    require_all: bool = False
    never_label: str | None = None
    help: str | None = None


def specific_entities(
    criterion: Criterion, end: int | None = None, covered: set[str] | None = None
) -> list[Entity]:
    """Askable entities (not generic, not uncertain) up to offset ``end``, de-duplicated."""
    generic = phrasing().generic_terms
    covered = covered or set()
    out: list[Entity] = []
    for entity in criterion.entities:
        if entity.type not in ASKABLE or entity.uncertain:
            continue
        if end is not None and entity.start >= end:
            continue
        name = entity.text.lower()
        if name in generic or name in covered:
            continue
        if any(
            name == e.text.lower() or (e.start <= entity.start and entity.end <= e.end) for e in out
        ):
            continue
        out = [e for e in out if not (entity.start <= e.start and e.end <= entity.end)]
        out.append(entity)
    return out


def _terms(entities: list[Entity], criterion: Criterion | None = None) -> list[ProfileTerm]:
    """Profile terms; a term narrowed by a severity word ("uncontrolled") is marked qualified."""
    out = []
    for e in entities:
        qualified = bool(_QUALIFIER.search(e.text))
        if criterion is not None and not qualified:
            rel = e.start - criterion.start
            qualified = bool(
                _QUALIFIER.search(criterion.text[max(0, rel - 30) : rel].split(",")[-1])
            )
        out.append(
            ProfileTerm(
                type=e.type,  # type: ignore[arg-type]
                text=e.text,
                normalized=e.normalized,
                code=e.code,
                qualified=qualified,
            )
        )
    return out


def _require_all(text: str, names: list[str]) -> bool:
    """``osteoporosis with pathological fracture``, ``X and taken Y``: every one must apply."""
    lowered = text.lower()
    for a, b in zip(names, names[1:], strict=False):
        i, j = lowered.find(a.lower()), lowered.find(b.lower())
        if i < 0 or j < 0 or j < i:
            continue
        between = f" {lowered[i + len(a) : j]} "
        if (
            (" with " in between or " and " in between)
            and "," not in between
            and " or " not in between
        ):
            return True
    return False


def _object_of_to(entity: Entity, source: str, base: int) -> bool:
    """Objects of "to" ("contraindication to MRI") are not what the criterion is about."""
    before = source[max(0, entity.start - base - 40) : entity.start - base].lower()
    return bool(_TO_PHRASE.search(before))


def _asked_about(question: str, entities: list[Entity], source: str, base: int) -> list[Entity]:
    """Entities the question names, except objects of "to"."""
    lowered = question.lower()
    return [
        e
        for e in entities
        if (e.text.lower() in lowered or plain_words(e.text).lower() in lowered)
        and not _object_of_to(e, source, base)
    ]


def _recent_window(windows: list[TimeWindow], end: int) -> TimeWindow | None:
    return next((w for w in windows if w.relation in RECENT_RELATIONS and w.start < end), None)


def _yes_no(
    criterion: Criterion, text: str, group: str, flip: bool, label: str, **extra: object
) -> YesNoSpec:
    inclusion = criterion.kind == "inclusion"
    disqualifying = inclusion == flip  # inclusion: "no" goes against it; exclusion: "yes"
    team = (not inclusion) and mentions_judgement(criterion.text)
    return YesNoSpec(
        text=text,
        group=group,
        check=YesNoCheck(disqualifying=disqualifying, team_decides=team),
        disqualifying_answer="Yes" if disqualifying else "No",
        label=label,
        **extra,  # type: ignore[arg-type]
    )


def _negated_prefix(criterion: Criterion, entity: Entity) -> bool:
    """``non-pregnant``, ``not pregnant``: negations the entity's own span leaves out."""
    rel = entity.start - criterion.start
    return bool(_NEGATION_PREFIX.search(criterion.text[max(0, rel - 10) : rel]))


_TEST_AFTER = re.compile(r"^[\s-]*(?:test|testing|tests)\b", re.IGNORECASE)


def _pregnancy_test(criterion: Criterion, entity: Entity) -> bool:
    """``pregnancy test``, ``pregnancy testing``: a test result, not a pregnancy."""
    if re.search(r"\btest", entity.text, re.IGNORECASE):
        return True
    rel = entity.end - criterion.start
    return bool(_TEST_AFTER.match(criterion.text[rel : rel + 16]))


def pregnancy_spec(criterion: Criterion, entities: list[Entity]) -> YesNoSpec | None:
    """The question "Are you pregnant or breastfeeding, or planning to become pregnant?"."""
    every = [e for e in entities if e.type == "pregnancy"]
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
        return _yes_no(
            criterion,
            "Are you pregnant?",
            "About you",
            criterion.kind == "inclusion",
            "pregnancy",
            terms=[ProfileTerm(type="pregnancy", text="pregnant")],
            help="Answer No if this cannot apply to you.",
        )
    # The parser's own "negated" is not used here: "Pregnant women are excluded" is no negation.
    preg = [e for e in every if not _negated_prefix(criterion, e)]
    flip = not preg
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
    return _yes_no(
        criterion,
        finish_question(text),
        "About you",
        flip,
        "pregnancy",
        terms=terms,
        help="Answer No if this cannot apply to you.",
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
        terms=_terms([condition]),
        never_label=f"I don't have {name}",
        help="The month and year are enough.",
    )


_LEAD_MODIFIER = re.compile(r"\b(unexplained|unintentional|unintended)\s+$", re.IGNORECASE)


def _with_lead_modifier(criterion: Criterion, entity: Entity) -> str:
    """``unexplained fever`` when the word stands right before the entity ``fever``: a
    fever with a known cause does not count, so the question keeps the word."""
    rel = entity.start - criterion.start
    m = _LEAD_MODIFIER.search(criterion.text, max(0, rel - 20), max(0, rel))
    name = lower_first(entity.text)
    return f"{m.group(1).lower()} {name}" if m is not None else name


def _entity_question(
    criterion: Criterion, entities: list[Entity], window: TimeWindow | None, lead: str
) -> str | None:
    kind = entities[0].type
    if kind == "pregnancy":
        return None  # "Does this apply to you?" with the criterion shown reads better
    same = [e for e in entities if e.type == kind] or entities
    names = [_with_lead_modifier(criterion, e) for e in same]
    listed = with_article(names[0]) if len(names) == 1 else join_terms(names)
    prefix = f"In the past {amount_phrase(window)}, " if window else ""
    lowered = lead.lower()
    if kind == "drug":
        body = f"have you taken {listed}" if window else f"do you take {listed}"
    elif kind == "procedure":
        body = f"have you had {listed}"
        if "positive" in lowered:
            body += " with a positive result"
    elif kind == "behaviour" and all(_SMOKING.search(n) for n in names):
        body = (
            "have you smoked"
            if window or "history" in lowered or "former" in lowered
            else "do you smoke"
        )
    elif kind in ("condition", "behaviour"):
        if window or "history" in lowered or "prior" in lowered:
            body = f"have you had {listed}"
        elif criterion.kind == "inclusion" and "diagnos" in lowered:
            body = f"have you been diagnosed with {listed}"
        elif any(w in lowered for w in ("active", "current", "ongoing")):
            body = f"do you currently have {listed}"
        else:
            body = f"do you have {listed}"
    else:
        body = f"do you have {listed}"
    text = finish_question(plain_words(prefix + body))
    return text if word_count(text) <= phrasing().max_question_words else None


def _rewritten(
    criterion: Criterion, lead: str, first_type: str | None, window: TimeWindow | None
) -> tuple[Rewritten, str | None] | None:
    """The first rewrite short enough, shortest wording first, with the dropped examples."""
    body, _ = cut_exceptions(lead)
    body = replace_windows(body, 0, criterion.windows, criterion.start)
    limit = phrasing().max_question_words
    needed = [p for w in criterion.windows if (p := plain_window(w)) and p in body]
    for candidate in dict.fromkeys((drop_examples(body, True), drop_examples(body, False), body)):
        if word_count(candidate) < 3 or not all(p in candidate for p in needed):
            continue  # keep the time limit; never ask a two-word question
        found = rewrite(candidate, first_type, window is not None)
        if found is not None and word_count(found.text) <= limit:
            shown = examples_of(body) if candidate != body else None
            return found, (f"For example: {unescape(shown)}." if shown else None)
    return None


def yes_no_spec(
    criterion: Criterion, covered: set[str] | None = None, remainder: bool = False
) -> YesNoSpec | None:
    """The yes/no (or start-date) question for a criterion; ``remainder``: only entities
    not already asked about by number questions, worded from the entities."""
    lead, lead_end = lead_sentence(criterion.text)
    kept, cut = cut_exceptions(lead)
    end = criterion.start + (len(kept) if cut else lead_end)
    entities = specific_entities(criterion, None if remainder else end, covered)
    window = _recent_window(criterion.windows, end)
    first_type = entities[0].type if entities else None
    label = lead if len(lead) <= 80 else lead[:77].rstrip() + "…"
    if remainder:
        entities = [e for e in entities if e.type != "pregnancy"]
        if not entities:
            return None
        # "adequate cardiac function (no cardiac disease, LVEF ≥ 40%)": a negated entity
        # is what the criterion rules out, so a yes goes against it
        present = [e for e in entities if not (e.negated or _negated_prefix(criterion, e))]
        flip = not present
        entities = present or entities
        text = _entity_question(criterion, entities, window, lead)
        if text is None:
            return None
        group = TYPE_GROUPS.get(entities[0].type, "Other")
        return _yes_no(
            criterion,
            text,
            group,
            flip,
            label,
            window_days=window.days if window else None,
            terms=_terms(entities, criterion),
            require_all=False,
        )
    spec = pregnancy_spec(criterion, entities)
    if spec is not None:
        return spec
    for duration in criterion.windows:
        if duration.start < end:
            spec = onset_spec(criterion, entities, duration)
            if spec is not None:
                return spec
    positive = [e for e in entities if not e.negated]
    flip = bool(entities) and not positive
    used = [
        e for e in (positive or entities) if not _object_of_to(e, criterion.text, criterion.start)
    ]
    extra = {
        "window_days": window.days if window else None,
        "terms": _terms(used, criterion),
        "require_all": _require_all(criterion.text, [e.text for e in used]),
    }
    rewritten = _rewritten(criterion, lead, first_type, window)
    if rewritten is not None:
        found, extra["help"] = rewritten
        group = found.rule.group or TYPE_GROUPS.get(first_type or "", "Other")
        asked = _asked_about(found.text, used, criterion.text, criterion.start)
        chosen = _asked_about(
            f"{found.text} {extra['help'] or ''}", used, criterion.text, criterion.start
        )
        if found.rule.terms:
            chosen = [e for e in chosen if e.type == found.rule.terms]
        extra["terms"] = _terms(chosen, criterion)
        extra["require_all"] = _require_all(found.text, [e.text for e in asked])
        return _yes_no(criterion, found.text, group, found.rule.flip, label, **extra)
    if used:
        text = _entity_question(criterion, used, window, lead)
        if text is not None:
            return _yes_no(
                criterion, text, TYPE_GROUPS.get(used[0].type, "Other"), flip, label, **extra
            )
    extra["terms"], extra["require_all"] = [], False  # the whole criterion: no profile shortcut
    return _yes_no(
        criterion, FALLBACK, TYPE_GROUPS.get(first_type or "", "Other"), False, label, **extra
    )


_PERMISSION = re.compile(
    r"\b(?:are|is|will be|may be|can be|would be)\s+(?:still\s+|also\s+)?"
    r"(?:eligible|allowed|permitted|acceptable)"
    r"\s*(?:$|[,.;:(]|\b(?:if|provided|as long as|when|only|after|unless|but|to enrol)\b)",
    re.IGNORECASE,
)


def is_permission(criterion: Criterion) -> bool:
    """``Patients with X are eligible if …``: a permission, not a requirement."""
    lead, _ = lead_sentence(criterion.text)
    return _PERMISSION.search(lead) is not None


def permission_spec(criterion: Criterion) -> YesNoSpec | None:
    """"Have you had X?" for a permission: no meets it, yes leaves it to the study team
    (whether the conditions after "if" hold), never "not met". None when X cannot be named."""
    lead, _ = lead_sentence(criterion.text)
    match = _PERMISSION.search(lead)
    if match is None:
        return None
    end = criterion.start + match.start()
    entities = [
        e for e in specific_entities(criterion, end) if not e.negated and e.type != "pregnancy"
    ]
    if not entities:
        return None
    text = _entity_question(criterion, entities, None, lead[: match.start()])
    if text is None:
        return None
    return YesNoSpec(
        text=text,
        group=TYPE_GROUPS.get(entities[0].type, "Other"),
        check=YesNoCheck(disqualifying=True, team_decides=True),
        disqualifying_answer="Yes (the study team checks the conditions)",
        label=lead if len(lead) <= 80 else lead[:77].rstrip() + "…",
        terms=_terms(entities, criterion),
    )
