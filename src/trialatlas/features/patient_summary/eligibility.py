"""Eligibility in plain words: who can join, who cannot, then the full lists.

Who can join: ages and sex from the structured fields; the condition and how long
it must have lasted (an inclusion item such as "Low back pain for at least 6
months"); up to two key thresholds; consent and birth control when the criteria ask
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
_NOT_NOUN_START = re.compile(r"^(?:have|has|had|must|be|is|are|with|no|not|patients?|subjects?|at)\b", re.I)


def eligibility_summary(study: Study, names: Naming, glossary: Glossary) -> Eligibility:
    """The plain paragraph and the full criteria lists of one study."""
    text = study.eligibility.criteria_text
    items = criteria_items(text)
    sentences = _who_can_join(study, names, items, glossary)
    sentences += _who_cannot_join(items)
    if items:
        sentences.append(
            Sentence(
                text="The full lists are below. The trial team decides who can join.",
                sources=[CRITERIA],
            )
        )
    else:
        sentences.append(
            Sentence(text="The record does not list any other rules for who can join.", sources=[CRITERIA])
        )
    return Eligibility(sentences=sentences, criteria=criteria_outline(text))


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
        out.append(Sentence(text=f"People aged {_age_text(low)} to {_age_text(high)} can join.", sources=age_sources))
    elif low:
        adult = low.days >= 18 * 365 and low.text.lower().endswith(("year", "years"))
        who = "Adults" if adult else "People"
        number = _age_text(low).replace(" years", "").replace(" year", "") if adult else _age_text(low)
        out.append(Sentence(text=f"{who} aged {number} and older can join.", sources=age_sources))
    elif high:
        out.append(Sentence(text=f"People up to {_age_text(high)} old can join.", sources=age_sources))
    else:
        out.append(Sentence(text="The record sets no age limits.", sources=age_sources))
    if e.sex in ("FEMALE", "MALE"):
        who = "women" if e.sex == "FEMALE" else "men"
        out.append(Sentence(text=f"Only {who} can join.", sources=["eligibility.sex"]))
    if e.healthy_volunteers:
        out.append(Sentence(text="Healthy volunteers can join.", sources=["eligibility.healthy_volunteers"]))
    condition = _condition_sentence(names, items)
    if condition is not None:
        out.append(condition)
    out += _thresholds(items, glossary)
    inclusion_text = " ".join(i.text for i in items if i.kind != "exclusion").lower()
    if "consent" in inclusion_text:
        how = "in writing " if "written" in inclusion_text else ""
        out.append(Sentence(text=f"You must be able to agree {how}to take part.", sources=[CRITERIA]))
    if re.search(r"contracep|birth control", " ".join(i.text for i in items), re.IGNORECASE):
        out.append(
            Sentence(
                text="People who could become pregnant must follow the trial's birth control rules.",
                sources=[CRITERIA],
            )
        )
    return out


def _condition_sentence(names: Naming, items: tuple[CriteriaItem, ...]) -> Sentence | None:
    if not names.condition or "healthy" in names.condition.lower():
        return None
    for item in items:
        if item.kind == "exclusion":
            continue
        for window in find_windows(item.text):
            if window.relation not in ("for at least", "for"):
                continue
            subject = item.text[: item.text.find(window.text)].strip(" ,;:-") if window.text in item.text else ""
            if not subject or word_count(subject) > 6 or _NOT_NOUN_START.match(subject):
                continue
            least = "at least " if window.relation == "for at least" else ""
            return Sentence(
                text=f"Their {lower_first(subject)} must have lasted {least}{window.length}.",
                sources=[CRITERIA],
            )
    return Sentence(
        text=f"The trial is for people with {names.condition_in_text}.",
        sources=names.condition_sources,
    )


def _thresholds(items: tuple[CriteriaItem, ...], glossary: Glossary) -> list[Sentence]:
    out: list[Sentence] = []
    explained: set[str] = set()
    for item in items:
        if item.kind == "exclusion" or not _THRESHOLD.search(item.text) or _AGE_WORDS.search(item.text):
            continue
        if any(w.relation in ("for at least", "for") for w in find_windows(item.text)):
            continue
        short = shorten(item.text.split(". ")[0], 18)
        if short is None:
            continue
        short = glossary.plain(short, explained)
        lead = "Some scores or test results must be in a set range, for example:" if not out else "Also:"
        out.append(Sentence(text=f"{lead} {with_period(lower_first(short))}", sources=[CRITERIA]))
        if len(out) >= MAX_THRESHOLDS:
            break
    return out


def _who_cannot_join(items: tuple[CriteriaItem, ...]) -> list[Sentence]:
    exclusions = [i.text for i in items if i.kind == "exclusion"]
    exclusions += [i.text for i in items if i.kind == "criteria" and re.match(r"(?:no|not)\b", i.text, re.I)]
    if not exclusions:
        return []
    found: list[tuple[int, str]] = []
    for pattern, words in _CATEGORY_PATTERNS:
        for position, text in enumerate(exclusions):
            if pattern.search(text):
                found.append((position, words))
                break
    if not found:
        return [Sentence(text="Some people cannot join. The list below says who.", sources=[CRITERIA])]
    chosen = [words for _, words in sorted(found)[:MAX_CATEGORIES]]
    return [
        Sentence(
            text=f"People cannot join if they {join_words(chosen, 'or')}.",
            sources=[CRITERIA],
        )
    ]
