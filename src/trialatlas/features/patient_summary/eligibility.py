"""Eligibility in plain words: who can join, who cannot, then the full lists.

Who can join: ages from the structured fields; whom the trial is for ("The trial is
for women with breast cancer": group by age and sex, and the condition); how long it
must have lasted (an inclusion item such as "Low back pain for at least 6 months");
the diagnosis the first inclusion items ask for ("Clinical diagnosis of …"); up to two key thresholds; consent and birth control when the criteria ask
for them. Who cannot: the kinds of exclusion the list contains (pregnancy, cancer,
infections, heart problems, …), named by category, never more specific than the
text. The full inclusion and exclusion lists follow, as the registry gives them.
"""

from __future__ import annotations

import re

from trialatlas.features.criteria_text import criteria_outline
from trialatlas.features.patient_summary.criteria_items import (
    CriteriaItem,
    criteria_items,
    find_windows,
)
from trialatlas.features.patient_summary.criteria_lists import patient_criteria
from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import Eligibility, Sentence
from trialatlas.features.patient_summary.naming import Naming
from trialatlas.features.patient_summary.prose import (
    join_words,
    lower_first,
    shorten,
    with_period,
    word_count,
)
from trialatlas.model.study import Age, Study

CRITERIA = "eligibility.criteria_text"
MAX_THRESHOLDS = 2
MAX_CATEGORIES = 5
_EXCLUSION_CATEGORIES = (
    (r"pregnan|breast-?feed|nursing|lactat", "are pregnant or breastfeeding"),
    (r"malignan|cancer|tumou?r|carcinoma|neoplas", "have some types of cancer"),
    (r"infection|infectious|\bhiv\b|hepatitis|tubercul|sepsis", "have certain infections"),
    (r"heart|cardiac|cardiovascular|myocard|angina|arrhythm|coronary", "have some heart problems"),
    (r"kidney|renal|creatinine|dialysis", "have some kidney problems"),
    (r"liver|hepatic|bilirubin|cirrhosis|\balt\b|\bast\b", "have some liver problems"),
    (r"psychiatr|mental illness|psychosis|schizo|bipolar|suicid", "have some mental health conditions"),
    (r"alcohol|drug abuse|substance|illicit|addict", "misuse alcohol or drugs"),
    (r"allerg|hypersensitiv", "have certain allergies"),
    (r"surgery|surgical|procedure|fusion|ablation|injection|transplant", "had certain procedures or treatments"),
    (r"another (?:clinical )?(?:study|trial)|investigational|experimental (?:drug|device|treatment)|participation in", "took part in certain other studies"),
    (r"medication|medicine|\bdrugs?\b|steroid|immunosuppress|anticoagul|chemotherapy", "take certain medicines"),
)  # fmt: skip
_CATEGORY_PATTERNS = [(re.compile(p, re.IGNORECASE), words) for p, words in _EXCLUSION_CATEGORIES]
_THRESHOLD = re.compile(
    r"\b(?:at least|no more than|not more than|no less than|between|greater than|less than|"
    r"more than|or more|or less|or higher|or lower|up to)\b\s*\d|[≥≤<>]\s*=?\s*\d",
    re.IGNORECASE,
)
_AGE_WORDS = re.compile(r"\b(?:years? (?:of age|old)|aged?\b|age of)", re.IGNORECASE)
_NOT_NOUN_START = re.compile(
    r"^(?:have|has|had|must|be|is|are|with|no|not|patients?|subjects?|at|available|able|willing|"
    r"agree|stable|on|receiving|taking|treated|use|using)\b",
    re.IGNORECASE,
)


def eligibility_summary(study: Study, names: Naming, glossary: Glossary) -> Eligibility:
    """The plain paragraph and the full criteria lists of one study."""
    text = study.eligibility.criteria_text
    items = criteria_items(text)
    sentences = _who_can_join(study, names, items, glossary)
    sentences += _who_cannot_join(items)
    shown = patient_criteria(criteria_outline(text))
    if shown.text_left_out:
        where = "Some rules are" if shown.sections else "The rules are"
        sentences.append(
            Sentence(
                text=f"{where} written out in full on the registry record. The trial team decides who can join.",
                sources=[CRITERIA],
            )
        )
    elif items:
        sentences.append(
            Sentence(
                text="The full lists are below. The trial team decides who can join.",
                sources=[CRITERIA],
            )
        )
    else:
        sentences.append(
            Sentence(
                text="The record does not list any other rules for who can join.",
                sources=[CRITERIA],
            )
        )
    return Eligibility(
        sentences=sentences, criteria=shown.sections, text_left_out=shown.text_left_out
    )


def _age_text(age: Age) -> str:
    return age.text.strip().lower()


def _who_can_join(
    study: Study, names: Naming, items: tuple[CriteriaItem, ...], glossary: Glossary
) -> list[Sentence]:
    e = study.eligibility
    out: list[Sentence] = []
    age_sources = ["eligibility.minimum_age", "eligibility.maximum_age"]
    low, high = e.minimum_age, e.maximum_age
    if low and high:
        out.append(
            Sentence(
                text=f"People aged {_age_text(low)} to {_age_text(high)} can join.",
                sources=age_sources,
            )
        )
    elif low:
        adult = low.days >= 18 * 365 and low.text.lower().endswith(("year", "years"))
        who = "Adults" if adult else "People"
        number = (
            _age_text(low).replace(" years", "").replace(" year", "") if adult else _age_text(low)
        )
        out.append(Sentence(text=f"{who} aged {number} and older can join.", sources=age_sources))
    elif high:
        out.append(
            Sentence(text=f"People up to {_age_text(high)} old can join.", sources=age_sources)
        )
    else:
        out.append(Sentence(text="The record sets no age limits.", sources=age_sources))
    condition = _condition_sentences(study, names, items, glossary)
    if e.sex in ("FEMALE", "MALE") and not condition:  # else the condition sentence says it
        who = "women" if e.sex == "FEMALE" else "men"
        out.append(Sentence(text=f"Only {who} can join.", sources=["eligibility.sex"]))
    if e.healthy_volunteers:
        out.append(
            Sentence(
                text="Healthy volunteers can join.", sources=["eligibility.healthy_volunteers"]
            )
        )
    out += condition
    out += _thresholds(items, glossary)
    inclusion_text = " ".join(i.text for i in items if i.kind != "exclusion").lower()
    if "consent" in inclusion_text:
        how = "in writing " if "written" in inclusion_text else ""
        out.append(
            Sentence(text=f"You must be able to agree {how}to take part.", sources=[CRITERIA])
        )
    if re.search(r"contracep|birth control", " ".join(i.text for i in items), re.IGNORECASE):
        out.append(
            Sentence(
                text="People who could become pregnant must follow the trial's birth control rules.",
                sources=[CRITERIA],
            )
        )
    return out


def _group(study: Study) -> str:
    """Who the trial is for in one word: men, women, children, adults or people."""
    e = study.eligibility
    adult = e.minimum_age is not None and e.minimum_age.days >= 18 * 365 - 5
    child = e.maximum_age is not None and e.maximum_age.days < 19 * 365
    if e.sex in ("FEMALE", "MALE"):
        if adult:
            return "women" if e.sex == "FEMALE" else "men"
        return (
            "girls"
            if e.sex == "FEMALE" and child
            else "females"
            if e.sex == "FEMALE"
            else ("boys" if child else "males")
        )
    return "children" if child else "adults" if adult else "people"


def _condition_sentences(
    study: Study, names: Naming, items: tuple[CriteriaItem, ...], glossary: Glossary
) -> list[Sentence]:
    """Who the trial is for (group and condition), how long the condition must have
    lasted, and the diagnosis the first inclusion criteria ask for."""
    if not names.condition or "healthy" in names.condition.lower():
        return []
    group = _group(study)
    sources = [*names.condition_sources, "eligibility.minimum_age", "eligibility.maximum_age"]
    if study.eligibility.sex in ("FEMALE", "MALE"):
        sources.append("eligibility.sex")
    out = [
        Sentence(text=f"The trial is for {group} with {names.condition_in_text}.", sources=sources)
    ]
    duration = _duration_sentence(items)
    if duration is not None:
        out.append(duration)
    diagnosis = _diagnosis_sentence(items, names, glossary)
    if diagnosis is not None:
        out.append(diagnosis)
    return out


def _duration_sentence(items: tuple[CriteriaItem, ...]) -> Sentence | None:
    for item in items:
        if item.kind == "exclusion":
            continue
        for window in find_windows(item.text):
            if window.relation not in ("for at least", "for"):
                continue
            subject = (
                item.text[: item.text.find(window.text)].strip(" ,;:-")
                if window.text in item.text
                else ""
            )
            if (
                not subject
                or word_count(subject) > 6
                or _NOT_NOUN_START.match(subject)
                or _DANGLING_END.search(subject)
                or ":" in subject
            ):
                continue
            least = "at least " if window.relation == "for at least" else ""
            return Sentence(
                text=f"Their {lower_first(subject)} must have lasted {least}{window.length}.",
                sources=[CRITERIA],
            )
    return None


_DANGLING_END = re.compile(
    r"\b(?:of|for|with|to|in|on|at|by|and|or|the|a|an|as|than)$", re.IGNORECASE
)
_HOW = (
    r"(?:clinical|confirmed|documented|established|definite|definitive|current|primary|known|"
    r"(?:histologically|cytologically|pathologically|radiographically|clinically)"
    r"(?:\s+(?:and|or|and/or)\s+\w+)?(?:\s+(?:confirmed|proven|documented|verified))?)"
)
_DIAGNOSIS = re.compile(
    r"^(?:(?:patients?|subjects?|participants?|adults?|men|women|children|males?|females?)\s+"
    r"(?:\w+\s+){0,3}?(?:with|who have|having)\s+(?:an?\s+)?)?"
    rf"(?:(?:a|an|the)\s+)?(?P<how>(?:{_HOW}\s+)*)"
    r"diagnos(?:is|ed)\s+(?:of|with|as(?:\s+having)?)\s+(?P<what>.+)$"
    r"|^(?P<how2>(?:histologically|cytologically|pathologically)(?:\s+(?:and|or|and/or)\s+\w+)?\s+"
    r"(?:confirmed|proven|documented|verified))\s+(?:diagnosis\s+of\s+)?(?P<what2>.+)$",
    re.IGNORECASE,
)
_WHAT_END = re.compile(
    r"\s*(?:[.;:(]|,\s*(?:as|defined|according|based|confirmed|which|who|and\s+(?:be|have|is|are))\b|"
    r"\s(?:as\s+(?:defined|determined|confirmed|documented)|according\s+to|by\s+(?:a|an|the)\b|"
    r"based\s+on|confirmed\s+by|using)\b)",
    re.IGNORECASE,
)
MAX_DIAGNOSIS_WORDS = 12


def _diagnosis_sentence(
    items: tuple[CriteriaItem, ...], names: Naming, glossary: Glossary
) -> Sentence | None:
    """``Clinical diagnosis of symptomatic facet joint arthropathy involving the L1-S1
    facets`` → "They must have a diagnosis of …", from the first inclusion criteria only."""
    for item in [i for i in items if i.kind != "exclusion"][:3]:
        match = _DIAGNOSIS.match(item.text.strip())
        if match is None:
            continue
        what = match.group("what") or match.group("what2") or ""
        what = _WHAT_END.split(what, 1)[0].strip(" ,;:-")
        if (
            word_count(what) < 1
            or word_count(what) > MAX_DIAGNOSIS_WORDS
            or _DANGLING_END.search(what)
        ):
            continue
        if (
            what.lower() in (names.condition or "").lower()
            or what.lower() in (names.condition_term or "").lower()
        ):
            return None  # the sentence before already says it
        how = (match.group("how") or match.group("how2") or "").lower()
        confirmed = (
            "confirmed "
            if re.search(r"confirm|proven|document|verified|histolog|cytolog|patholog|definit", how)
            else ""
        )
        what = glossary.plain(lower_first(what), set())
        return Sentence(
            text=f"They must have a {confirmed}diagnosis of {what}.", sources=[CRITERIA]
        )
    return None


_CAPS_LABELS = re.compile(r"^(?:[A-Z][A-Z /&-]{3,}[A-Z]:\s*)+")  # "DISEASE CHARACTERISTICS: "


def _thresholds(items: tuple[CriteriaItem, ...], glossary: Glossary) -> list[Sentence]:
    out: list[Sentence] = []
    explained: set[str] = set()
    for item in items:
        if (
            item.kind == "exclusion"
            or not _THRESHOLD.search(item.text)
            or _AGE_WORDS.search(item.text)
        ):
            continue
        if any(w.relation in ("for at least", "for") for w in find_windows(item.text)):
            continue
        short = shorten(_CAPS_LABELS.sub("", item.text).split(". ")[0], 18)
        if short is None:
            continue
        short = glossary.plain(short, explained)
        lead = (
            "Some scores or test results must be in a set range, for example:"
            if not out
            else "Also:"
        )
        out.append(Sentence(text=f"{lead} {with_period(lower_first(short))}", sources=[CRITERIA]))
        if len(out) >= MAX_THRESHOLDS:
            break
    return out


def _who_cannot_join(items: tuple[CriteriaItem, ...]) -> list[Sentence]:
    exclusions = [i.text for i in items if i.kind == "exclusion"]
    exclusions += [
        i.text for i in items if i.kind == "criteria" and re.match(r"(?:no|not)\b", i.text, re.I)
    ]
    if not exclusions:
        return []
    found: list[tuple[int, str]] = []
    for pattern, words in _CATEGORY_PATTERNS:
        for position, text in enumerate(exclusions):
            if pattern.search(text):
                found.append((position, words))
                break
    if not found:
        return [
            Sentence(text="Some people cannot join. The list below says who.", sources=[CRITERIA])
        ]
    chosen = [words for _, words in sorted(found)[:MAX_CATEGORIES]]
    return [
        Sentence(
            text=f"People cannot join if they {join_words(chosen, 'or')}.",
            sources=[CRITERIA],
        )
    ]
