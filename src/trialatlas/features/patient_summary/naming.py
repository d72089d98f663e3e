"""The plain title: the tested treatment and the condition in words a patient knows.

``plain_title(study)`` → "BM-MSC Injection for Low Back Pain": the experimental
arm's intervention (name tidied: no type prefix, doses or dosing schedule) and the
condition the titles name when the record lists several (brief title first: "…
Prevention of Erectile Dysfunction After Radical Prostatectomy" is about erectile
dysfunction, not prostate cancer), else the most recognizable one; a name too long
for a title gives way ("Low Back Pain" beats "Lumbar Facet Arthropathy"). Comparators (placebo, sham, usual care)
are never the treatment. Nothing is invented: a record without interventions gets
"Study of <condition>", one without conditions keeps its own brief title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import PlainTitle
from trialatlas.features.patient_summary.prose import clean_text, join_words, title_case
from trialatlas.model.study import Intervention, Study

COMPARATOR_ARM_TYPES = frozenset(
    {"PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION", "ACTIVE_COMPARATOR"}
)
_TYPE_PREFIX = re.compile(
    r"^(?:drug|biological|device|procedure|procedure/surgery|radiation|behavioral|genetic|"
    r"dietary supplement|combination product|diagnostic test|other)\s*:\s*",
    re.IGNORECASE,
)
_PLACEBO_LIKE = re.compile(
    r"\b(?:placebo|sham|vehicle|dummy|saline control|no (?:intervention|treatment)|"
    r"usual care|standard (?:of )?care|treatment as usual|control group|waitlist|wait-list)\b",
    re.IGNORECASE,
)
_DOSE = re.compile(
    r"\s*\b\d+(?:[.,]\d+)?\s*(?:-\s*\d+(?:[.,]\d+)?\s*)?(?:mg|mcg|µg|ug|g|ml|mL|l|IU|iu|units?|"
    r"mg/kg|mg/m2|mg/m²|%|x\s*10\S*|cells?|doses?)\b.*$"
)
_SCHEDULE = re.compile(
    r"\s+(?:(?:once|twice|three times|four times)\s+(?:a\s+)?(?:daily|weekly|a day|a week|monthly)"
    r"(?:\s+dosing)?|(?:low|high|medium|single|multiple|fixed)[- ]dose|dosing|dose level\s*\S*|"
    r"as determined in .*|cohort\s*\S*|arm\s*\S*|group\s*\S*|"
    r"(?:for|in)\s+(?:the\s+)?\w+\s+(?:group|arm|cohort|patients))\s*$",
    re.IGNORECASE,
)
_ALTERNATIVE = re.compile(r"\s+(?:or|versus|vs\.?|compared (?:with|to))\s+.*$", re.IGNORECASE)
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
MAX_QUESTION_NAME_WORDS = 3  # a longer name makes the question repeat the trial's title
MAX_QUESTION_NAME_CHARS = 30
_HEALTHY = re.compile(r"\bhealthy\b", re.IGNORECASE)
# Condition entries too general to name a trial by ("Disease", "Humans").
_GENERIC_CONDITIONS = frozenset(
    {
        "disease", "diseases", "syndrome", "syndromes", "disorder", "disorders", "humans",
        "human", "prolapse", "infection", "infections", "inflammation", "emergencies",
        "chronic disease", "pathologic processes", "wounds and injuries",
        "anatomical pathological conditions", "physiological phenomena",
    }
)  # fmt: skip


@dataclass
class Naming:
    """The names the rest of the summary uses, with the record fields they came from."""

    treatment: str | None
    treatment_sources: list[str] = field(default_factory=list)
    condition: str | None = None
    condition_sources: list[str] = field(default_factory=list)
    condition_term: str | None = None  # the chosen condition as the record writes it
    condition_in_text: str | None = None  # the condition for use inside a sentence

    @property
    def question_name(self) -> str | None:
        """The treatment as a question names it: its name when short (``BM-MSC Injection``),
        ``this treatment`` when the name is long, None when nothing is tested."""
        if not self.treatment:
            return None
        short = len(self.treatment.split()) <= MAX_QUESTION_NAME_WORDS
        return (
            self.treatment
            if short and len(self.treatment) <= MAX_QUESTION_NAME_CHARS
            else "this treatment"
        )

    @property
    def treatment_or_study(self) -> str:
        """``BM-MSC Injection``, or ``the study`` when nothing is tested."""
        return self.treatment or "the study"


def tidy_intervention_name(name: str) -> str:
    """``Drug: Poziotinib Once Daily Dosing or Twice Daily…`` → ``Poziotinib``."""
    text = clean_text(_TYPE_PREFIX.sub("", clean_text(name)))
    without_parens = _PARENS.sub("", text).strip()
    if without_parens:
        text = without_parens
    text = _ALTERNATIVE.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _SCHEDULE.sub("", text).strip()
    dose_free = _DOSE.sub("", text).strip(" ,;-")
    if dose_free:
        text = dose_free
    if text.count(",") >= 2 or (", " in text and len(text.split()) > 4):
        text = text.split(",")[0]  # MeSH-style lists: "Angioplasty, Transluminal, …"
    return title_case(text.strip(" ,;:.-")) if text else clean_text(name)


def short_list(names: list[str], most: int = 3) -> str:
    """``A, B and C``; past ``most`` names: ``A, B and 4 more``."""
    names = list(dict.fromkeys(n for n in names if n))
    if len(names) <= most:
        return join_words(names)
    return f"{', '.join(names[: most - 1])} and {len(names) - most + 1} more"


def is_placebo_like(name: str) -> bool:
    return bool(_PLACEBO_LIKE.search(name))


def _arm_intervention_names(study: Study) -> tuple[list[str], list[str]]:
    """Names given by experimental arms (or non-comparator arms), with their sources."""
    names: list[str] = []
    sources: list[str] = []
    for wanted in ({"EXPERIMENTAL"}, None):
        for i, arm in enumerate(study.arms):
            if wanted is not None and arm.type not in wanted:
                continue
            if wanted is None and arm.type in COMPARATOR_ARM_TYPES:
                continue
            for name in arm.intervention_names:
                if not is_placebo_like(name):
                    names.append(name)
                    sources.append(f"arms[{i}].intervention_names")
            for j, iv in enumerate(study.interventions):
                if arm.label in iv.arm_labels and not is_placebo_like(iv.name):
                    names.append(iv.name)
                    sources.append(f"interventions[{j}].name")
        if names:
            return names, sources
    for j, iv in enumerate(study.interventions):
        if not is_placebo_like(iv.name):
            names.append(iv.name)
            sources.append(f"interventions[{j}].name")
    return names, sources


def tested_interventions(study: Study) -> list[tuple[int, Intervention]]:
    """The interventions of the tested treatment (index into ``study.interventions``)."""
    names, _ = _arm_intervention_names(study)
    tidy = {tidy_intervention_name(n).lower() for n in names}
    return [
        (i, iv)
        for i, iv in enumerate(study.interventions)
        if tidy_intervention_name(iv.name).lower() in tidy
    ]


def treatment_name(study: Study) -> tuple[str | None, list[str]]:
    """The tested treatment as a short name, and the fields it came from."""
    names, sources = _arm_intervention_names(study)
    chosen: list[str] = []
    chosen_sources: list[str] = []
    for name, source in zip(names, sources, strict=True):
        tidy = tidy_intervention_name(name)
        first = tidy.split(" ")[0].lower()
        if tidy and not any(first == c.split(" ")[0].lower() for c in chosen):
            chosen.append(tidy)
            chosen_sources.append(source)
    if not chosen:
        return None, []
    if len(chosen) > 2 or len(" ".join(chosen)) > 50:
        return f"{chosen[0]} and Other Treatments", chosen_sources
    return join_words(chosen), chosen_sources


def uninvert(term: str) -> str:
    """MeSH order to reading order: ``Lupus Erythematosus, Systemic`` → ``Systemic Lupus Erythematosus``."""
    parts = [p.strip() for p in term.split(",")]
    if len(parts) == 2 and parts[1] and len(parts[1].split()) <= 3 and " of" not in parts[1]:
        return f"{parts[1]} {parts[0]}"
    return term


def condition_name(study: Study, glossary: Glossary) -> tuple[str | None, list[str], str | None]:
    """The condition a patient would recognize first, in lay words where the glossary has
    them; its source field; and the term as the record writes it."""
    candidates: list[tuple[tuple[int, int, int, int], str, str, str]] = []
    listed = {c.strip().lower() for c in study.conditions}
    for i, raw in enumerate(study.conditions):
        candidates.append(_scored(raw, f"conditions[{i}]", glossary, i, listed))
    for i, mesh in enumerate(study.condition_mesh):
        candidates.append(
            _scored(mesh.term, f"condition_mesh[{i}].term", glossary, 100 + i, listed)
        )
    candidates = [c for c in candidates if c[1] and c[1].lower() not in _GENERIC_CONDITIONS]
    if not candidates:
        return None, [], None
    # Several conditions: the one the titles name is the one the trial targets
    # ("… Prevention of Erectile Dysfunction After Radical Prostatectomy" lists
    # prostate cancer too); a name too long for a title still gives way.
    # Words of the treatments' names alone do not name a condition ("Vaccinia-HIV …
    # Vaccine"); with another word they do ("Ocular Hypertension" beside "Ocular … Drops").
    treatment_words = _words(" ".join(iv.name for iv in study.interventions))
    brief = _words(study.identification.brief_title)
    official = _words(study.identification.official_title or "")
    named: dict[str, tuple[int, int]] = {}  # raw term → (title level, telling words)
    for _, shown, _, raw in candidates:
        if _HEALTHY.search(raw) or _NOT_TARGET.search(raw):
            continue
        for level, words in ((2, brief), (1, official)):
            size = _names(words, raw, treatment_words) or _names(words, shown, treatment_words)
            if size:
                named[raw] = (level, size)
                break
    # Brief title first; among the same level the plainer, then the more specific name
    # ("Sleep Apnea", not "Apnea").
    _, text, source, raw = min(
        candidates,
        key=lambda c: (
            c[0][1],
            -named.get(c[3], (0, 0))[0],
            c[0][0],
            -named.get(c[3], (0, 0))[1],
            *c[0][2:],
        ),
    )
    return text, [source], raw


# Listed beside the condition treated, but not what a trial treats or targets.
_NOT_TARGET = re.compile(r"^(?:pregnancy|necrosis|humans?|volunteers?)$", re.IGNORECASE)
_TITLE_WORD = re.compile(r"[a-z0-9]+")
_FILLER = frozenset(
    {"and", "or", "of", "the", "with", "in", "a", "an", "nos", "type", "disease", "diseases"}
)


_SAME_WORD = {
    "carcinoma": "cancer", "neoplasm": "cancer", "tumor": "cancer", "tumour": "cancer",
    "malignancy": "cancer", "prostatic": "prostate", "renal": "kidney", "pulmonary": "lung",
    "hepatic": "liver", "cardiac": "heart", "gastric": "stomach",
}  # fmt: skip


def _stem(word: str) -> str:
    word = word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
    return _SAME_WORD.get(word, word)


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _TITLE_WORD.findall(text.lower())}


def _names(title_words: set[str], term: str, treatment_words: set[str]) -> int:
    """How many telling words ``term`` has when the titles hold every one of them and
    one at least is not a word of the treatments' names, else 0."""
    words = {w for w in _words(uninvert(term)) if w not in _FILLER}
    if not words or not words <= title_words or words <= treatment_words:
        return 0
    return len(words)


def _scored(
    raw: str, source: str, glossary: Glossary, order: int, listed: set[str]
) -> tuple[tuple[int, int, int, int], str, str, str]:
    text = uninvert(clean_text(raw))
    if text.lower() in ("healthy", "healthy volunteer", "healthy volunteers", "healthy subjects"):
        text = "Healthy Volunteers"
    lay = glossary.lay_name(text)
    shown = title_case(lay) if lay else text
    if shown.islower():
        shown = title_case(shown)
    jargon = 0 if lay else glossary.jargon_count(text)
    in_both = 0 if raw.strip().lower() in listed else 1
    too_long = 1 if len(shown.split()) > 6 else 0
    return (jargon, too_long, in_both, order), shown, source, raw


def naming(study: Study, glossary: Glossary) -> Naming:
    """Treatment and condition names for one study."""
    treatment, t_sources = treatment_name(study)
    condition, c_sources, raw = condition_name(study, glossary)
    in_text = glossary.running_name(condition) if condition else None
    return Naming(treatment, t_sources, condition, c_sources, raw, in_text)


def plain_title(study: Study, names: Naming) -> PlainTitle:
    """``<treatment> for <condition>`` (or the closest honest form the record allows)."""
    official = study.identification.official_title or None
    treatment, condition = names.treatment, names.condition
    sources = names.treatment_sources + names.condition_sources
    if treatment and condition:
        joiner = "in" if _HEALTHY.search(condition) else "for"
        text = f"{treatment} {joiner} {condition}"
    elif condition:
        text = f"Study of {condition}"
    elif treatment:
        text = f"Study of {treatment}"
    else:
        text = study.title
        sources = ["identification.brief_title"]
    if official is None and study.identification.brief_title != text:
        official = study.identification.brief_title
    return PlainTitle(
        text=text,
        treatment=treatment,
        condition=condition,
        registry_title=official,
        sources=sources or ["identification.brief_title"],
    )
