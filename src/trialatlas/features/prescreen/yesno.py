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
    exception_spans,
    finish_question,
    join_terms,
    lab_abnormality_spans,
    lead_sentence,
    lower_first,
    mentions_judgement,
    plain_window,
    plain_words,
    replace_windows,
    rewrite,
    unescape,
    with_article,
    without_ever,
    word_count,
)
from trialatlas.features.prescreen.rules import phrasing
from trialatlas.features.prescreen.term_scope import scoped_term
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
_NEGATION_PREFIX = re.compile(
    r"(?:\bnon|\bnot(?:\s+be)?|\bno|\b(?:refrain|abstain)\s+from|\bavoid|\bnot\s+to)[\s-]*$",
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    r"\b(?:uncontrolled|poorly controlled|severe|significant|unstable|advanced|decompensated|"
    r"untreated|refractory|end[- ]stage|malignant|life[- ]threatening)\b",
    re.IGNORECASE,
)
_PREG_WORDS = {"pregnant": "pregnant", "breastfeeding": "breastfeeding"}


_ALREADY_ASKED = re.compile(
    r"^(?:do|does|are|is|have|has|can|will|would|did)\s+(?:you|your)\b[^?]*\?$", re.IGNORECASE
)
_BARE_ADJECTIVE = re.compile(r"^[a-z]+(?:al|ic|ary|ous|ive|ian)$")


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


_ADJACENT = re.compile(r"^[ \t]+(?:[A-Za-z-]+[ \t]+){0,2}$")


def _joined_adjectives(criterion: Criterion) -> list[Entity]:
    """The criterion's entities, a lone adjective the parser split off joined to the name
    right after it ("ovarian" + "cancer" in "ovarian epithelial cancer")."""
    entities = sorted(criterion.entities, key=lambda e: e.start)
    out: list[Entity] = []
    skip: set[int] = set()
    for n, entity in enumerate(entities):
        if n in skip:
            continue
        if entity.type == "condition" and _BARE_ADJECTIVE.match(entity.text.lower()):
            nxt = next(
                (
                    (m, e)
                    for m, e in enumerate(entities[n + 1 :], n + 1)
                    if e.type == "condition" and e.start >= entity.end
                ),
                None,
            )
            if nxt is not None:
                gap = criterion.text[entity.end - criterion.start : nxt[1].start - criterion.start]
                words = gap.lower().split()
                if _ADJACENT.match(gap) and not {"or", "and", "nor"} & set(words):
                    m, other = nxt
                    text = criterion.text[
                        entity.start - criterion.start : other.end - criterion.start
                    ]
                    out.append(
                        other.model_copy(
                            update={
                                "text": text,
                                "start": entity.start,
                                "normalized": None,
                                "code": None,
                            }
                        )
                    )
                    skip.add(m)
                    continue
        out.append(entity)
    return out


def specific_entities(
    criterion: Criterion, end: int | None = None, covered: set[str] | None = None
) -> list[Entity]:
    """Askable entities (not generic, not uncertain) up to offset ``end``, de-duplicated."""
    generic = phrasing().generic_terms
    covered = covered or set()
    exempt = exception_spans(criterion.text) + lab_abnormality_spans(criterion.text)
    out: list[Entity] = []
    for entity in _joined_adjectives(criterion):
        if entity.type not in ASKABLE or entity.uncertain:
            continue
        rel = entity.start - criterion.start
        if any(a <= rel < b for a, b in exempt):
            continue  # "… excluding skin cancers" (an exception), "abnormal urinalysis results"
        if end is not None and entity.start >= end:
            continue
        name = entity.text.lower()
        if name in generic or name in covered:
            continue
        if _CONTRACEPTION.search(name):
            continue  # asked only as "will you use birth control" (contraception_spec)
        if entity.type == "condition" and _BARE_ADJECTIVE.match(name):
            continue  # "gastrointestinal", "renal": an adjective standing for a list
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
        term = ProfileTerm(
            type=e.type,  # type: ignore[arg-type]
            text=e.text,
            normalized=e.normalized,
            code=e.code,
            qualified=qualified,
        )
        if criterion is not None:  # "HER2 positive breast cancer", "other malignancy"
            rel = e.start - criterion.start
            treated = tuple(
                t.end - criterion.start
                for t in criterion.entities
                if t.type in ("drug", "procedure") and t.end <= e.start
            )
            term = scoped_term(term, criterion.text, rel, rel + len(e.text), treated)
        out.append(term)
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


def _older_window(windows: list[TimeWindow], end: int) -> TimeWindow | None:
    """``at least 2 weeks before randomization``: the event is at least that old."""
    return next((w for w in windows if w.relation == "at least before" and w.start < end), None)


# "Do you have HIV positive?" → "Have you tested positive for HIV?"
_TESTED_POSITIVE = re.compile(
    r"^Do you (?:currently )?have (?:a )?(?P<x>HIV(?:-1|-2|-1/2)?|HBV|HCV|HTLV(?:-?I{1,2}|-?[12])?|"
    r"hepatitis [BC](?: virus)?|HBsAg|hepatitis B surface antigen|tuberculosis|TB|syphilis|"
    r"COVID-19|SARS-CoV-2|CMV|EBV|PPD|Quanti[Ff][Ee][Rr][Oo][Nn])[- ](?:sero)?positive\?$",
    re.IGNORECASE,
)


def _yes_no(
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


_LEADING_NO = re.compile(r"^[\W_]*(?:no|not)\b\s*", re.IGNORECASE)
_RESTATED_TYPES = frozenset({"condition", "drug", "pregnancy", "behaviour", "procedure", "device"})


def restates_exclusion(criterion: Criterion) -> bool:
    """ "No clinically evident brain metastases", "Not pregnant", "Not currently taking
    theophylline" under an exclusion heading restate the exclusion (the registry's double
    negative): the thing named excludes, so a yes goes against it. Never the absence of
    something good ("No venous access", "Not a surgical candidate", "not able to …":
    ``positive_things`` in ``phrasing.json``), which excludes as written."""
    if criterion.kind != "exclusion":
        return False
    text = unescape(criterion.text)
    match = _LEADING_NO.match(text)
    if match is None:
        return False
    rest = text[match.end() :]
    if any(p.match(rest) for p in phrasing().positive_things):
        return False
    lead_end = criterion.start + lead_sentence(criterion.text)[1]
    named = [
        e
        for e in criterion.entities
        if e.type in _RESTATED_TYPES and criterion.start + match.end() <= e.start < lead_end
    ]
    return bool(named)


def _negated_prefix(criterion: Criterion, entity: Entity) -> bool:
    """``non-pregnant``, ``not pregnant``: negations the entity's own span leaves out."""
    rel = entity.start - criterion.start
    return bool(_NEGATION_PREFIX.search(criterion.text[max(0, rel - 16) : rel]))


_LIST_GAP = re.compile(r"^\s*(?:,|/|\bor\b|\bnor\b|\band\b)(?:\s*(?:or|and)\b)?\s*$", re.I)


def _negated_list(criterion: Criterion, entities: list[Entity]) -> set[int]:
    """Ids of the negated entities: a negation covers the list it begins ("not pregnant or
    nursing", "no pregnancy, breast feeding")."""
    out: set[int] = set()
    previous: Entity | None = None
    for entity in sorted(entities, key=lambda e: e.start):
        listed = previous is not None and id(previous) in out
        if listed and previous is not None:
            gap = criterion.text[previous.end - criterion.start : entity.start - criterion.start]
            listed = bool(_LIST_GAP.match(gap))
        if listed or _negated_prefix(criterion, entity):
            out.add(id(entity))
        previous = entity
    return out


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
    negated = _negated_list(criterion, every)
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
    return _yes_no(
        criterion,
        finish_question(text),
        "About you",
        flip,
        "pregnancy",
        terms=terms,
        help="Answer No if this cannot apply to you.",
    )


_CONTRACEPTION = re.compile(r"contracept|birth[- ]control", re.IGNORECASE)
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
    if not _CONTRACEPTION.search(lead):
        return None
    if criterion.kind == "inclusion":
        if not _WILL_USE.search(lead) or _WILL_NOT_USE.search(lead):
            return None
        flip = False
    else:
        if not _WILL_NOT_USE.search(lead):
            return None  # "using hormonal contraception" excludes: a question of its own
        flip = True
    return _yes_no(
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
    return _yes_no(
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
        terms=_terms([condition]),
        never_label=f"I don't have {name}",
        help="The month and year are enough.",
    )


_LEAD_MODIFIER = re.compile(r"\b(unexplained|unintentional|unintended)\s+$", re.IGNORECASE)
_SENTENCE_OPEN = re.compile(r"(?:^|[.;:!?]\s+|\n\s*)[\W_]*$")


def entity_name(criterion: Criterion, entity: Entity) -> str:
    """The entity as the registry wrote it, lower-cased only where a sentence starts with
    it ("Methotrexate use" → "methotrexate"): a capital mid-sentence is a name ("Humira",
    "Down syndrome", "Crohn's disease") and stays. A brand at the start keeps it too (a
    drug whose dictionary name is another word)."""
    rel = entity.start - criterion.start
    if not _SENTENCE_OPEN.search(criterion.text[: max(rel, 0)]):
        return entity.text
    brand = (
        entity.type == "drug"
        and entity.normalized is not None
        and entity.normalized.lower() != entity.text.lower()
        and entity.text[:1].isupper()
        and not entity.text.isupper()
    )
    return entity.text if brand else lower_first(entity.text)


def _with_lead_modifier(criterion: Criterion, entity: Entity) -> str:
    """``unexplained fever`` when the word stands right before the entity ``fever``: a
    fever with a known cause does not count, so the question keeps the word."""
    rel = entity.start - criterion.start
    m = _LEAD_MODIFIER.search(criterion.text, max(0, rel - 20), max(0, rel))
    name = entity_name(criterion, entity)
    return f"{m.group(1).lower()} {name}" if m is not None else name


# Words between two named things that join them into one ("AML associated with
# congenital syndromes"): listing the two names alone would lose the meaning.
_RELATION = re.compile(
    r"^\s+(?:\w+\s+)?(?:associated with|due to|secondary to|related to|caused by|"
    r"induced by|complicated by|with|without|in the setting of|resulting from|"
    r"attributable to|following)\s+(?:[\w'-]+\s+){0,2}$",
    re.IGNORECASE,
)
# A head that needs its object: "contraindication to GBCAs", "allergy to penicillin".
_NEEDS_OBJECT = re.compile(
    r"\b(?:contraindications?|reactions?|allerg(?:y|ies)|hypersensitivit(?:y|ies)|"
    r"intolerances?|sensitivit(?:y|ies)|exposures?|resistance|refractory|"
    r"adverse events?|side effects?|complications?)$",
    re.IGNORECASE,
)
_OBJECT = re.compile(r"^\s+(?:to|of|against|from|with)\s+[^,;.()\n]+", re.IGNORECASE)
# A word before the thing that turns its meaning around: "inadequate contraception" is
# no contraception, "lack of response" no response.
_DEFICIENCY = re.compile(
    r"\b(?:inadequate|insufficient|ineffective|inappropriate|unreliable|poor|lack of|"
    r"absence of|absent|without|failure (?:of|to use)|not using|unable to|inability to|"
    r"unwilling(?:ness)? to|no access to|loss of|intolerance of|intolerant of)\s+"
    r"(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_EXAMPLE_ASIDE = re.compile(
    r"\((?:e\.?\s?g\.?|i\.?e\.?|including|such as|for example)[^()]*\)", re.IGNORECASE
)


def _in_example(criterion: Criterion, entity: Entity) -> bool:
    rel = entity.start - criterion.start
    return any(m.start() <= rel < m.end() for m in _EXAMPLE_ASIDE.finditer(criterion.text))


def turned_around(criterion: Criterion, entity: Entity) -> bool:
    """Is the entity preceded by a word that reverses it ("inadequate contraception")?"""
    rel = entity.start - criterion.start
    return _DEFICIENCY.search(criterion.text, max(0, rel - 40), max(0, rel)) is not None


def _phrase_span(criterion: Criterion, same: list[Entity]) -> tuple[str, str] | None:
    """The registry's own words from the first named thing to the last, when listing
    the names alone would change the meaning (``AML associated with congenital
    syndromes``: "joined", every name must apply; ``contraindications or adverse
    reaction to GBCAs``: "object", no name alone says it); None when the names are a
    plain list."""
    ordered = sorted(same, key=lambda e: e.start)
    text, base = criterion.text, criterion.start
    joined = not any(
        _RELATION.match(text[a.end - base : b.start - base])
        for a, b in zip(ordered, ordered[1:], strict=False)
    )
    last = ordered[-1]
    end = last.end - base
    obj = _OBJECT.match(text[end:]) if _NEEDS_OBJECT.search(last.text) else None
    if joined and obj is None:
        return None
    if obj is not None:
        end += obj.end()
    span = text[ordered[0].start - base : end]
    if "(" in span and ")" not in span:
        return None
    first = entity_name(criterion, ordered[0])
    return first + span[len(ordered[0].text) :], ("object" if obj is not None else "joined")


def faithful_fallback(criterion: Criterion, lead: str) -> str:
    """ "Does this apply to you: inadequate contraception?" — the criterion's own words
    when no plain question keeps its meaning (the plain fallback when they are long)."""
    body, _ = cut_exceptions(lead)
    body = replace_windows(drop_examples(body, True), 0, criterion.windows, criterion.start)
    body = plain_words(unescape(body)).strip(" ,;:.")
    if not body or word_count(body) > 15 or not body[0].isalpha():
        return FALLBACK
    return finish_question(f"Does this apply to you: {lower_first(body)}")


def _entity_question(
    criterion: Criterion,
    entities: list[Entity],
    window: TimeWindow | None,
    lead: str,
    older: TimeWindow | None = None,
) -> tuple[str, str] | None:
    """The question naming the entities, and how: "names" (a list of names), "joined"
    (the registry's phrase joining them: every name must apply) or "object" (the
    phrase with an object no name carries: a profile cannot answer it). None when it
    cannot be worded faithfully (a reversing word before the name, a question too long)."""
    kind = entities[0].type
    if kind == "pregnancy":
        return None  # "Does this apply to you?" with the criterion shown reads better
    same = [e for e in entities if e.type == kind] or entities
    same = [e for e in same if not _in_example(criterion, e)] or same
    if any(turned_around(criterion, e) for e in same):
        return None
    phrase = _phrase_span(criterion, same)
    names = [_with_lead_modifier(criterion, e) for e in same]
    if phrase is not None:
        listed = phrase[0]
    else:
        listed = with_article(names[0]) if len(names) == 1 else join_terms(names)
    prefix = f"In the past {amount_phrase(window)}, " if window else ""
    lowered = lead.lower()
    if older is not None and window is None:  # "at least 2 weeks before randomization"
        ago = f"at least {amount_phrase(older)} ago"
        verb = "did you take" if kind == "drug" else "did you have"
        body = f"{verb} {listed} {ago}"
    elif kind == "drug":
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
    text = without_ever(finish_question(plain_words(prefix + body)))
    if word_count(text) > phrasing().max_question_words:
        return None
    return text, (phrase[1] if phrase is not None else "names")


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
    older = None if window is not None else _older_window(criterion.windows, end)
    # An inclusion "at least 4 weeks since prior chemotherapy" (or "stopped X at least 2
    # weeks before") rules out X in the past 4 weeks; someone who never had X meets it.
    since = older is not None and criterion.kind == "inclusion" and not remainder
    if since:
        window, older = older, None
    first_type = entities[0].type if entities else None
    label = lead if len(lead) <= 80 else lead[:77].rstrip() + "…"
    if remainder:
        entities = [e for e in entities if e.type != "pregnancy"]
        if not entities:
            return None
        # "adequate cardiac function (no cardiac disease, LVEF ≥ 40%)": a negated entity
        # is what the criterion rules out, so a yes goes against it
        present = [e for e in entities if not (e.negated or _negated_prefix(criterion, e))]
        flip = not present and not restates_exclusion(criterion)
        entities = present or entities
        worded = _entity_question(criterion, entities, window, lead)
        if worded is None:
            return None
        text, how = worded
        group = TYPE_GROUPS.get(entities[0].type, "Other")
        return _yes_no(
            criterion,
            text,
            group,
            flip,
            label,
            window_days=window.days if window else None,
            terms=[] if how == "object" else _terms(entities, criterion),
            require_all=how == "joined",
        )
    spec = (
        pregnancy_spec(criterion, entities)
        or contraception_spec(criterion, kept)
        or negative_test_spec(criterion, kept)
    )
    if spec is not None:
        return spec
    for duration in criterion.windows:
        if duration.start < end:
            spec = onset_spec(criterion, entities, duration)
            if spec is not None:
                return spec
    positive = [e for e in entities if not e.negated]
    restated = restates_exclusion(criterion)
    flip = (bool(entities) and not positive and not restated) or since
    used = [
        e for e in (positive or entities) if not _object_of_to(e, criterion.text, criterion.start)
    ]
    extra = {
        "window_days": window.days if window else None,
        "before_days": older.days if older else None,
        "terms": _terms(used, criterion),
        "require_all": _require_all(criterion.text, [e.text for e in used]),
    }
    asked = _ALREADY_ASKED.match(unescape(kept).strip())
    if asked is not None and word_count(kept) <= phrasing().max_question_words:
        return _yes_no(criterion, finish_question(asked.group(0)), "Other", False, label)
    rewritten = None if since else _rewritten(criterion, lead, first_type, window)
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
        flip = found.rule.flip and not restated
        return _yes_no(criterion, found.text, group, flip, label, **extra)
    if used:
        worded = _entity_question(criterion, used, window, lead, older)
        if worded is not None:
            text, how = worded
            if how == "object":
                extra["terms"], extra["require_all"] = [], False
            elif how == "joined":
                extra["require_all"] = True
            return _yes_no(
                criterion, text, TYPE_GROUPS.get(used[0].type, "Other"), flip, label, **extra
            )
    extra["terms"], extra["require_all"] = [], False  # the whole criterion: no profile shortcut
    text = faithful_fallback(criterion, lead) if used else FALLBACK
    return _yes_no(
        criterion, text, TYPE_GROUPS.get(first_type or "", "Other"), False, label, **extra
    )


_PERMISSION = re.compile(
    r"\b(?:are|is|will be|may be|can be|would be)\s+(?:still\s+|also\s+)?"
    r"(?:eligible|allowed|permitted|acceptable)"
    r"\s*(?:$|[,.;:(]|\b(?:if|provided|as long as|when|only|after|unless|but|to enrol)\b)",
    re.IGNORECASE,
)


# "Prior tamoxifen allowed", "Bilateral breast disease allowed if …" (registry shorthand
# without a verb); never "No prior chemotherapy allowed" or "not allowed".
_BARE_PERMISSION = re.compile(
    r"(?<!\bnot )(?<!\bbe )\b(?:allowed|permitted)\b"
    r"\s*(?:$|[,.;:(]|\b(?:if|provided|as long as|when|only|after|unless|but|for)\b)",
    re.IGNORECASE,
)
_NO_START = re.compile(r"^\W*(?:no|not|none|never|without)\b", re.IGNORECASE)


def _permission_match(lead: str) -> re.Match[str] | None:
    match = _PERMISSION.search(lead)
    if match is None and not _NO_START.match(lead):
        match = _BARE_PERMISSION.search(lead)
    return match


def is_plain_allowance(criterion: Criterion) -> bool:
    """ "Prior tamoxifen allowed", "Patients with diabetes are eligible.": allowed with no
    condition, so nothing to check."""
    lead, _ = lead_sentence(criterion.text)
    match = _permission_match(lead)
    return (
        match is not None
        and not lead[match.end() :].strip(" .,;:)")
        and not re.search(r"[,;(]", lead[: match.start()])
    )


def is_permission(criterion: Criterion) -> bool:
    """``Patients with X are eligible if …``: a permission, not a requirement."""
    lead, _ = lead_sentence(criterion.text)
    return _permission_match(lead) is not None


def permission_spec(criterion: Criterion) -> YesNoSpec | None:
    """ "Have you had X?" for a permission: no meets it, yes leaves it to the study team
    (whether the conditions after "if" hold), never "not met". None when X cannot be named."""
    lead, _ = lead_sentence(criterion.text)
    match = _permission_match(lead)
    if match is None:
        return None
    end = criterion.start + match.start()
    entities = [
        e for e in specific_entities(criterion, end) if not e.negated and e.type != "pregnancy"
    ]
    if not entities:
        return None
    worded = _entity_question(criterion, entities, None, lead[: match.start()])
    if worded is None:
        return None
    text, _ = worded
    return YesNoSpec(
        text=text,
        group=TYPE_GROUPS.get(entities[0].type, "Other"),
        check=YesNoCheck(disqualifying=True, team_decides=True),
        disqualifying_answer="Yes (the study team checks the conditions)",
        label=lead if len(lead) <= 80 else lead[:77].rstrip() + "…",
        terms=_terms(entities, criterion),
    )
