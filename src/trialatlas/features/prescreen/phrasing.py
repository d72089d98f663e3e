"""Plain wording for pre-screening questions: sentence helpers and rule-based rewrites.

A yes/no question is made from the criterion's first sentence: exceptions cut off
("…, except for …"), time windows said plainly ("in the past 3 months"), then a
rewrite rule from ``phrasing.json`` turns it into a question ("Taking X" → "Do you
take X?"). Examples in brackets or after "such as" are dropped when the question
would be too long; the criterion itself is always shown next to the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialatlas.features.prescreen.rules import Rewrite, phrasing
from trialatlas.model.criteria import TimeWindow

_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(\"“])|;\s*$|\n+")
_SPACES = re.compile(r"\s+")
_PAREN_EXAMPLE = re.compile(r"\s*\((?:e\.?g\.?|i\.?e\.?|including|such as)[^()]*\)", re.IGNORECASE)
_TRAILING = re.compile(r"[\s.;:,!?]+$")
_ALLOWED_END = re.compile(r"\s+(?:is |are )?(?:not )?(?:allowed|permitted)$", re.IGNORECASE)
_DOUBLE_TIME = re.compile(
    r"\b(?:in|within|during|over) the (in the past|at least)\b", re.IGNORECASE
)
_DANGLING = re.compile(r"[\s,;]+(?:or|and|and/or)$", re.IGNORECASE)
_MD_ESCAPE = re.compile(r"\\([<>*_#\[\]()~`|\\-])")
_EMPHASIZED_AND = re.compile(r"\s+AND\s+")
RECENT_RELATIONS = frozenset({"within", "in the past", "before"})
_WORD_PART = re.compile(r"[^\s\-/]+")


def is_acronym(word: str) -> bool:
    """True for a short form that keeps its case: "HIV", "COPD", "NSAIDs", "HbA1c", "CD4"."""
    part = _WORD_PART.match(word)
    core = part.group() if part else word
    return len(core) > 1 and any(c.isupper() or c.isdigit() for c in core[1:])


def shorten(text: str, limit: int = 90) -> str:
    """``text`` cut to ``limit`` characters with "…" when longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, unless its first word is an acronym
    ("Hepatitis B" → "hepatitis B", "HIV positive" stays, "Non-Hodgkin" → "non-Hodgkin")."""
    if not text or is_acronym(text):
        return text
    return text[0].lower() + text[1:]


def lower_words(text: str) -> str:
    """Every word of ``text`` in lower case but the acronyms ("CD4 Count" → "CD4 count")."""
    return " ".join(w if is_acronym(w) else w.lower() for w in text.split(" "))


def lead_sentence(text: str) -> tuple[str, int]:
    """The first sentence of ``text`` and its end offset in ``text``."""
    match = _SENTENCE_END.search(text)
    end = match.start() if match else len(text)
    return text[:end].strip(), end


def sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end offsets of the sentence of ``text`` that holds ``position``."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() >= position:
            return start, match.start()
        start = match.end()
    return start, len(text)


def cut_exceptions(sentence: str) -> tuple[str, bool]:
    """``"X, except for Y"`` → (``"X"``, True): exceptions are left to the criterion text."""
    lowered = sentence.lower()
    cuts = [lowered.find(m) for m in phrasing().exception_markers if m in lowered]
    cuts = [c for c in cuts if c > 0]
    if not cuts:
        return sentence, False
    return sentence[: min(cuts)].rstrip(" ,;:"), True


_EXCEPTION = re.compile(
    r"\b(?:except(?:ing)?|excluding|other than|with the exception of|apart from|aside from)\b",
    re.IGNORECASE,
)
# Where an exception written without brackets ends: the end of its sentence or item, the
# next item of a registry line that runs items together ("… skin cancer Any prior …"), or
# examples of the main class ("illnesses other than liver disease, including heart failure")
_EXCEPTION_END = re.compile(
    r"[;\n]|\.\s+(?=[A-Z(])|\s(?=(?:No|Not|Any|Must|Prior|Concurrent|Patients?|Negative|"
    r"Fertile|Recovered|At least)\b)|,?\s+(?:including|such as|e\.g\.)"
)
_CLOSING = {"(": ")", "[": "]"}


def exception_spans(text: str, pattern: re.Pattern[str] = _EXCEPTION) -> list[tuple[int, int]]:
    """Offsets in ``text`` of what "except …", "excluding …", "other than …" exempt:
    to the closing bracket when the exception is in brackets ("(except for rifamycins)"),
    else to the end of its sentence or item. The things named there are exceptions,
    never what the criterion is about. ``pattern``: the words that open an exception."""
    spans = []
    for match in pattern.finditer(text):
        at = match.start()
        stack: list[str] = []
        for ch in text[:at]:
            if ch in _CLOSING:
                stack.append(ch)
            elif stack and ch == _CLOSING[stack[-1]]:
                stack.pop()
        if stack:
            close = text.find(_CLOSING[stack[-1]], match.end())
            end = close if close >= 0 else len(text)
        else:
            found = _EXCEPTION_END.search(text, match.end())
            end = found.start() if found else len(text)
        spans.append((at, end))
    return spans


def lab_abnormality_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of "abnormal … laboratory results", "laboratory abnormalities": results
    the study team reads, so the tests named there are never asked as things a patient
    had ("Have you had urinalysis?")."""
    return [m.span() for p in phrasing().lab_abnormalities for m in p.finditer(text)]


def examples_of(sentence: str) -> str | None:
    """The examples an aside gives (``(e.g. a, b)`` → ``a, b``), for a question's help line."""
    match = _PAREN_EXAMPLE.search(sentence)
    if match is not None:
        inner = match.group(0).strip()[1:-1]
        inner = re.sub(
            r"^(?:e\.?g\.?|i\.?e\.?|including|such as)[,:]?\s*", "", inner, flags=re.IGNORECASE
        )
        return inner.strip(" ,;.") or None
    lowered = sentence.lower()
    cuts = [(lowered.find(m), m) for m in phrasing().example_markers if m in lowered]
    cuts = [c for c in cuts if c[0] > 0]
    if not cuts:
        return None
    at, marker = min(cuts)
    tail = _EMPHASIZED_AND.split(sentence[at + len(marker) :], maxsplit=1)[0]
    ends = [tail.lower().find(m) for m in phrasing().trailing_markers]
    if any(e >= 0 for e in ends):  # "(e.g. a, b), as determined by …": not an example
        tail = tail[: min(e for e in ends if e >= 0)]
    tail = re.sub(
        r"^(?:but not limited to|e\.?g\.?)[,:]?\s*", "", tail.strip(), flags=re.IGNORECASE
    )
    return tail.strip(" ,;.()") or None


def drop_examples(sentence: str, aggressive: bool) -> str:
    """Remove ``(e.g. …)`` asides; ``aggressive`` also cuts at "such as", "including", …."""
    out = _PAREN_EXAMPLE.sub("", sentence)
    if aggressive:
        lowered = out.lower()
        markers = phrasing().example_markers + phrasing().trailing_markers
        cuts = [lowered.find(m) for m in markers if m in lowered]
        cuts = [c for c in cuts if c > 0]
        if cuts:
            tail = out[min(cuts) :]
            out = out[: min(cuts)].rstrip(" ,;:")
            also = _EMPHASIZED_AND.split(tail, maxsplit=1)
            if len(also) == 2:  # "X, such as …, AND Y": Y is a requirement, not an example
                out = f"{out} and {drop_examples(also[1], True)}"
    return out.rstrip(" ,;:")


def amount_phrase(window: TimeWindow) -> str:
    """``3 months``, ``1 month``, ``1.5 years``."""
    amount = int(window.amount) if float(window.amount).is_integer() else window.amount
    unit = window.unit if amount == 1 else f"{window.unit}s"
    return f"{amount} {unit}"


def plain_window(window: TimeWindow) -> str | None:
    """How a recent-time window reads in a question (``in the past 3 months``), or None."""
    if window.relation in RECENT_RELATIONS:
        return f"in the past {amount_phrase(window)}"
    if window.relation == "at least before":
        return f"at least {amount_phrase(window)} ago"
    return None


_TIME_LIMIT = re.compile(
    r"\b(?:in the (?:past|last|previous)|within|during the (?:past|last)|since|recently)\b"
    r"|\bago\b",
    re.IGNORECASE,
)
_EVER = re.compile(r"\s+ever\b(?=\s)", re.IGNORECASE)


def without_ever(question: str) -> str:
    """ "Have you ever had X in the past 12 months?" → "Have you had X in the past 12
    months?": "ever" contradicts a time limit."""
    if _TIME_LIMIT.search(question):
        return _EVER.sub("", question, count=1)
    return question


def replace_windows(
    sentence: str, sentence_start: int, windows: list[TimeWindow], base: int
) -> str:
    """Swap each window written in the sentence for its plain form.

    ``base`` is the criterion's start offset (window offsets index the whole input),
    ``sentence_start`` the sentence's offset inside the criterion text.
    """
    out = sentence
    for window in sorted(windows, key=lambda w: -w.start):
        plain = plain_window(window)
        rel = window.start - base - sentence_start
        if plain is None or rel < 0 or rel + len(window.text) > len(out):
            continue
        if out[rel : rel + len(window.text)] != window.text:
            continue
        out = out[:rel] + plain + out[rel + len(window.text) :]
    return out


def plain_words(text: str) -> str:
    """Everyday words for a few medical ones (malignancy → cancer)."""
    for pattern, word in phrasing().plain_words:
        text = pattern.sub(word, text)
    return text


def unescape(text: str) -> str:
    """Registry text escapes Markdown (``\\>``); the character itself is meant."""
    return _MD_ESCAPE.sub(r"\1", text)


def finish_question(text: str) -> str:
    """One line, capitalized, ending in a question mark."""
    text = _SPACES.sub(" ", unescape(text)).strip()
    text = _TRAILING.sub("", text)
    text = _DANGLING.sub("", text)  # "… positive for metastasis OR" (the next item follows)
    text = _DOUBLE_TIME.sub(r"\1", text)  # "in the 4 weeks" with its window made plain
    text = text.replace(" ,", ",").replace("( ", "(").replace(" )", ")")
    if not text:
        return ""
    return text[0].upper() + text[1:] + "?"


def word_count(text: str) -> int:
    return len(text.split())


def join_terms(terms: list[str], conjunction: str = "or") -> str:
    """``a``, ``a or b``, ``a, b, or c``."""
    if len(terms) <= 1:
        return "".join(terms)
    if len(terms) == 2:
        return f"{terms[0]} {conjunction} {terms[1]}"
    return f"{', '.join(terms[:-1])}, {conjunction} {terms[-1]}"


def with_article(term: str) -> str:
    """``medial branch block`` → ``a medial branch block`` (countable heads only)."""
    words = term.split()
    if not words or words[0].lower() in {"a", "an", "the", "any"}:
        return term
    if words[-1].lower() in phrasing().countable_heads:
        return ("an " if term[0].lower() in "aeiou" else "a ") + term
    return term


@dataclass(frozen=True)
class Rewritten:
    """A question made by a rewrite rule."""

    text: str
    rule: Rewrite


def rewrite(sentence: str, first_type: str | None, has_window: bool) -> Rewritten | None:
    """The first rule that matches ``sentence``, filled in; None when none matches."""
    body = _TRAILING.sub("", sentence.strip())
    body = _ALLOWED_END.sub("", body)  # "No prior chemotherapy allowed"
    for rule in phrasing().rewrites:
        match = rule.pattern.match(body)
        if match is None:
            continue
        templates = rule.templates
        key = "window" if has_window and "window" in templates else (first_type or "default")
        template = templates.get(key) or templates["default"]
        groups = {k: (v or "").strip() for k, v in match.groupdict().items()}
        if not all(groups.values()):
            continue
        text = template.format(**groups)
        text = re.sub(r"\bor having\b", "or have", text)
        return Rewritten(text=without_ever(finish_question(plain_words(text))), rule=rule)
    return None


def is_conditional(sentence: str) -> bool:
    """``If present, …``: the limit only applies to people who have the thing."""
    lowered = sentence.lower().lstrip()
    return any(lowered.startswith(s) for s in phrasing().conditional_starts)


def mentions_judgement(text: str) -> bool:
    """Does the criterion leave a decision to the investigator ("clinically significant")?"""
    lowered = text.lower()
    return any(p in lowered for p in phrasing().judgement)


def team_only(text: str) -> bool:
    """Phrases that make a criterion the investigator's call ("as determined by the investigator")."""
    return any(p.search(text) for p in phrasing().team_only)


def team_test(text: str, named: bool) -> bool:
    """Does the sentence rest on the study team's tests or records ("life expectancy",
    "CD19 expression by flow cytometry")? ``named``: it also names something the patient
    can be asked about, which keeps "histologically confirmed breast cancer" a question."""
    if any(p.search(text) for p in phrasing().team_tests):
        return True
    return not named and any(p.search(text) for p in phrasing().team_tests_unless_named)
