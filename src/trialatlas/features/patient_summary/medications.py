""" "Will I have to stop taking my current medications?" — from the eligibility criteria.

Rules, small and focused: an exclusion item that names a medicine or a class of
medicines (keyword list below) keeps people out; its time window ("within 3 months
prior to enrollment") says for how long; "stop", "discontinue" or "washout" means
a medicine must be stopped; an inclusion item asking for a "stable dose" means one
must be kept. Items about misuse, allergies or exceptions ("except for …") are left
to the full list. The answer always ends by sending the reader to the trial team.
"""

from __future__ import annotations

import re

from trialatlas.features.patient_summary.criteria_items import (
    CriteriaItem,
    Window,
    criteria_items,
    find_windows,
    window_phrase,
)
from trialatlas.features.patient_summary.model import Answer, Sentence
from trialatlas.features.patient_summary.prose import lower_first, word_count
from trialatlas.model.study import Study

SOURCE = "eligibility.criteria_text"
QUESTION = "Will I have to stop taking my current medications?"
MAX_ITEMS = 5

_MEDICINE = re.compile(
    r"\b(?:medications?|medicines?|drugs?|pharmacotherapy|(?:therapy|treatment|treated)\s+with|"
    r"steroids?|corticosteroids?|glucocorticoids?|prednisone|prednisolone|immunosuppress\w*|"
    r"immunomodulat\w*|anticoagula\w*|antiplatelets?|aspirin|warfarin|heparins?|clopidogrel|"
    r"insulin|chemotherapy|antibiotics?|antivirals?|opioids?|narcotics?|nsaids?|statins?|"
    r"hormone\s+(?:therapy|replacement|treatment)|contraceptives?|vaccines?|inhibitors?|"
    r"biologics?|dmards?|methotrexate|anti-?rheumatic|antidepressants?|antipsychotics?|"
    r"anticonvulsants?|antiepileptics?|supplements?|immunotherapy|antineoplastics?|"
    r"antiretrovirals?|cytotoxic|chemotherapeutic|hormonal\s+therapy|[a-z]{4,}mab)\b",
    re.IGNORECASE,
)
_SKIP = re.compile(
    r"abuse|misuse|dependen|addict|illicit|recreational|allerg|hypersensitiv|intoleran|"
    r"contraindicat|able to swallow|swallow|complian|comply|drug[- ]eluting|drug use|"
    r"alcohol|inability|unable|willing|consent|interaction|known sensitivity",
    re.IGNORECASE,
)
_EXCEPT = re.compile(r"\b(?:except|other than|unless|with the exception)\b", re.IGNORECASE)
_STUDY_DRUG = re.compile(
    r"\b(?:participat\w*|enrol\w*|took part)\b.*\b(?:study|studies|trial|trials)\b|"
    r"\binvestigational\s+(?:drug|agent|product|medication|therapy|treatment)s?\b|"
    r"\bexperimental\s+(?:drug|agent|medication|therapy|treatment)s?\b",
    re.IGNORECASE,
)
_STOP = re.compile(r"\b(?:wash[- ]?out|discontinu\w*|stop(?:ped)?|withdraw\w* from)\b", re.I)
_STABLE = re.compile(r"\bstable\s+(?:dose|doses|dosage|regimen)s?\s+(?:of\s+)?(?P<rest>.+)", re.I)
_LEAD = re.compile(
    r"^(?:(?:current|prior|previous|concurrent|concomitant|chronic|regular|ongoing|recent)\s+)?"
    r"(?:(?:use|usage|intake|receipt)\s+of|taking|takes|take|using|uses|receiving|received|"
    r"treatment\s+with|treated\s+with|therapy\s+with|exposure\s+to|on)\s+(?P<rest>.+)",
    re.IGNORECASE,
)
_SUBJECT_LEAD = re.compile(
    r"^(?:subjects?|patients?|participants?|people|individuals?|those)\s+(?:who\s+(?:are|were|have|had)\s+)?"
    r"(?:currently\s+)?",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"\s+or\s+(?:having|have|has|with|being)\b|\s+(?:at|for|during|in)\s+the\b|\s+prior\s+to\b|"
    r"\s+before\b|\s+that\b|\s+which\b|\s+who\b|[;:]|,\s+(?:or|and)?\s*(?:having|have)\b|\.\s|\.$",
    re.IGNORECASE,
)
_AMOUNT = r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>hours?|days?|weeks?|months?|years?)"
_SINCE = re.compile(
    rf"^(?:at\s+least|more\s+than|over|≥|>)\s*{_AMOUNT}\s+(?:since|from|after)\s+(?:the\s+)?"
    r"(?:(?:prior|last|previous|completion\s+of|end\s+of)\s+)*(?P<rest>.+)",
    re.IGNORECASE,
)
_NO_CONCURRENT = re.compile(
    r"^no\s+(?:other\s+)?(?:concurrent|concomitant|current|simultaneous|ongoing)\s+(?P<rest>.+)",
    re.I,
)
_NO_PRIOR = re.compile(r"^no\s+(?:prior|previous|history\s+of|past)\s+(?P<rest>.+)", re.I)
_ALLOWED = re.compile(
    r"^(?P<when>concurrent|concomitant|prior|previous)\s+(?P<rest>.+?)\s+(?:is\s+|are\s+)?"
    r"(?:allowed|permitted)\b",
    re.IGNORECASE,
)
_NOT_A_NOUN = frozenset(
    [
        "must",
        "have",
        "has",
        "had",
        "be",
        "been",
        "is",
        "are",
        "was",
        "were",
        "no",
        "not",
        "patients",
        "patient",
        "subjects",
        "subject",
        "history",
        "prior",
        "previous",
        "known",
        "failed",
        "able",
        "requires",
        "requiring",
        "who",
        "which",
        "that",
        "during",
        "while",
        "after",
        "before",
        "for",
        "in",
        "with",
        "without",
        "or",
        "and",
    ]
)
_TRAILING_WORDS = re.compile(
    r"(?:\s+(?:less|more|greater|fewer)\s+than|\s+at\s+least|\s+for|\s+no)+$", re.I
)
_DETERMINER = re.compile(r"^(?:any|all|the|a|an|current|concurrent|chronic|ongoing)\s+", re.I)
_PROCEDURE_WORDS = re.compile(
    r"\b(?:injections?|infusions?|shots?|procedures?|vaccin\w*|transfusions?)\b", re.I
)


def medications_answer(study: Study) -> Answer:
    """The medication answer: what the criteria say about medicines, or that they say nothing."""
    text = study.eligibility.criteria_text
    if not text or not text.strip():
        sentences = [
            Sentence(
                text="The record does not list who can join, so it says nothing about medicines.",
                sources=[SOURCE],
            )
        ]
        return Answer(id="medications", question=QUESTION, sentences=sentences + _closing())
    items = criteria_items(text)
    found = list({s.text: s for s in map(_item_sentence, items) if s is not None}.values())
    stops = any(_STOP.search(item.text) and _MEDICINE.search(item.text) for item in items)
    sentences: list[Sentence] = []
    if not found:
        sentences.append(
            Sentence(
                text="The criteria do not say that you need to stop any of your medicines.",
                sources=[SOURCE],
            )
        )
    else:
        lead = (
            "You may need to stop some medicines before you join."
            if stops
            else "The trial does not say that everyone must stop their current medicines."
        )
        sentences.append(Sentence(text=lead, sources=[SOURCE]))
        sentences.append(
            Sentence(text="But it does list medicines that affect who can join:", sources=[SOURCE])
        )
        sentences += found[:MAX_ITEMS]
        if len(found) > MAX_ITEMS:
            sentences.append(
                Sentence(
                    text="The full list of who cannot join names more medicines.", sources=[SOURCE]
                )
            )
    return Answer(id="medications", question=QUESTION, sentences=sentences + _closing())


def _closing() -> list[Sentence]:
    return [
        Sentence(
            text="Please discuss your specific medications with the trial team.",
            sources=[SOURCE],
        ),
        Sentence(text="Do not stop any medicine without talking to your doctor.", sources=[SOURCE]),
    ]


def _item_sentence(item: CriteriaItem) -> Sentence | None:
    """One sentence for a criterion about medicines, or None when it is not one."""
    text = item.text
    if text.endswith(":") or not _MEDICINE.search(text) or _SKIP.search(text):
        return None
    if item.parent is not None and _EXCEPT.search(item.parent):
        return None
    windows = [w for w in find_windows(text) if w.relation not in ("for", "after")]
    patterned = _patterned_sentence(text, windows)
    if patterned is not None or item.kind == "criteria":
        return patterned
    if item.kind == "inclusion":
        return _inclusion_sentence(text, windows)
    if _STUDY_DRUG.search(text):
        window = _recent(windows)
        when = f" {window_phrase(window)}" if window else ""
        return _sentence(
            f"You cannot join if you took an experimental drug in another study{when}."
        )
    phrase = _medicine_phrase(text, windows)
    if phrase is None:
        return None
    window = _recent(windows)
    verb = "had" if _PROCEDURE_WORDS.search(phrase) else ("took" if window else "take")
    when = f" {window_phrase(window)}" if window else ""
    if when and ", including" in phrase:
        when = "," + when
    exceptions = " (there are some exceptions)" if _EXCEPT.search(text) else ""
    return _sentence(f"You cannot join if you {verb} {phrase}{when}{exceptions}.")


def _sentence(text: str) -> Sentence:
    return Sentence(text=text, sources=[SOURCE])


def _patterned_sentence(text: str, windows: list[Window]) -> Sentence | None:
    """The registry's classic "prior/concurrent therapy" lines: "At least 4 weeks since prior
    chemotherapy", "No concurrent steroids", "No prior biologic therapy", "… allowed"."""
    more = " (see the full list for details)" if "(" in text else ""
    since = _SINCE.match(text)
    if since is not None:
        phrase = _trim_phrase(re.split(r"\s+and\s+recovered", since.group("rest"))[0])
        if phrase is None:
            return None
        amount, unit = since.group("amount"), since.group("unit").lower()
        unit = unit if unit.endswith("s") or amount != "1" else unit
        return _sentence(
            f"At least {amount} {unit} must have passed since your last {phrase}{more}."
        )
    concurrent = _NO_CONCURRENT.match(text)
    if concurrent is not None:
        phrase = _trim_phrase(concurrent.group("rest"))
        return _sentence(f"You cannot take {phrase} during the study{more}.") if phrase else None
    prior = _NO_PRIOR.match(text)
    if prior is not None:
        phrase = _trim_phrase(prior.group("rest"))
        if phrase is None:
            return None
        window = _recent(windows)
        if window is not None:
            return _sentence(f"You cannot join if you had {phrase} {window_phrase(window)}{more}.")
        return _sentence(f"You cannot join if you have ever had {phrase}{more}.")
    allowed = _ALLOWED.match(text)
    if allowed is not None:
        rest = allowed.group("rest")
        both = re.match(r"(?:and/or|or|and)\s+(?:concurrent|concomitant|prior)\s+", rest, re.I)
        phrase = _trim_phrase(rest[both.end() :] if both else rest)
        if phrase is None:
            return None
        if both:
            return _sentence(
                f"You may have had {phrase} before, and you may take it during the study{more}."
            )
        if allowed.group("when").lower() in ("prior", "previous"):
            return _sentence(f"You can join if you had {phrase} before{more}.")
        return _sentence(f"You may take {phrase} during the study{more}.")
    return None


def _inclusion_sentence(text: str, windows: list[Window]) -> Sentence | None:
    match = _STABLE.search(text)
    if match is None:
        return None
    phrase = _trim_phrase(match.group("rest"))
    if phrase is None:
        return None
    duration = next((w for w in windows if w.relation in ("for at least", "at least before")), None)
    when = f" for at least {duration.length}" if duration else ""
    return Sentence(text=f"You must be on a stable dose of {phrase}{when}.", sources=[SOURCE])


def _recent(windows: list[Window]) -> Window | None:
    """The window that says how recent a medicine must be to exclude (not a washout exception)."""
    for w in windows:
        if w.relation in ("within", "in the past", "before"):
            return w
    return None


def _medicine_phrase(text: str, windows: list[Window]) -> str | None:
    """The medicine or class the item names: ``systemic immunosuppressant medications``."""
    first = text.split(". ")[0]
    for window in windows:
        at = first.find(window.text)
        if at > 0:
            first = first[:at]
            break
    cut = first != text.split(". ")[0]
    first = _SUBJECT_LEAD.sub("", first.strip())
    lead = _LEAD.match(first)
    if lead is not None:
        first = lead.group("rest")
    if not _MEDICINE.search(first):
        return None
    words = first.split()
    if (
        not words
        or words[0].lower() in _NOT_A_NOUN
        or (lead is None and not cut and len(words) > 8)
    ):
        return None
    return _trim_phrase(first)


def _trim_phrase(text: str) -> str | None:
    text = re.sub(
        r"\s*\((?:including|incl\.?|such as|e\.g\.,?|eg)\s+([^)]*)\)", r", including \1,", text
    )
    text = re.sub(r"\s*\([^)]*\)", "", text)
    end = _CLAUSE_END.search(text)
    if end is not None:
        text = text[: end.start()]
    text = _TRAILING_WORDS.sub("", text.strip(" ,;:.-(")).strip(" ,;:.-(")
    text = _DETERMINER.sub("", text)
    medicine = _MEDICINE.search(text) if text else None
    if medicine is None or word_count(text) > 14 or word_count(text[: medicine.start()]) > 3:
        return None
    if re.search(r"requir|screen|\btest", text[: medicine.start()], re.IGNORECASE):
        return None
    if text.split()[0].lower() in _NOT_A_NOUN:
        return None
    return lower_first(text)
