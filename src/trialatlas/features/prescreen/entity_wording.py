"""A question worded from the named things ("In the past 3 months, have you taken
methotrexate?"), or the criterion's own words when no plain question keeps its meaning."""

from __future__ import annotations

import re

from trialatlas.features.prescreen.phrasing import (
    amount_phrase,
    cut_exceptions,
    drop_examples,
    finish_question,
    join_terms,
    lower_first,
    plain_words,
    replace_windows,
    unescape,
    with_article,
    without_ever,
    word_count,
)
from trialatlas.features.prescreen.rules import phrasing
from trialatlas.model.criteria import Criterion, Entity, TimeWindow

FALLBACK = "Does this apply to you?"
_SMOKING = re.compile(r"smok|tobacco|cigarette|nicotine|vaping", re.IGNORECASE)


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


def entity_question(
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
