"""A yes/no question keeps every exception and time window of its criterion.

A plain rewording may drop an exception ("Cancer, other than basal or squamous cell
skin cancer" → "Have you had cancer?"), drop a time window ("Major surgery, other than
diagnostic surgery, within four weeks" → "Have you had major surgery?") or stretch a
window over things it does not govern ("History of … or use of medical marijuana
within 30 days" → "Have you had … in the past 30 days?", where the history is for
life). ``keep_meaning`` checks a question against its criterion's first sentence and
repairs it: a dropped exception is added to the question ("…, except basal cell skin
cancer?"); a window dropped or stretched makes the question the criterion's own words
with the window said plainly ("Does this apply to you: …?"), and the answer is then
never narrowed to a time window it does not have.
"""

from __future__ import annotations

import dataclasses
import re

from trialatlas.features.prescreen.entity_wording import FALLBACK
from trialatlas.features.prescreen.phrasing import (
    RECENT_RELATIONS,
    amount_phrase,
    exception_spans,
    finish_question,
    join_terms,
    lead_sentence,
    lower_first,
    plain_window,
    plain_words,
    replace_windows,
    unescape,
    word_count,
)
from trialatlas.features.prescreen.topic_questions import YesNoSpec
from trialatlas.model.criteria import Criterion, TimeWindow

MAX_OWN_WORDS = 50  # a criterion longer than this is shown as itself ("Does this apply…")
MAX_EXCEPTION_WORDS = 40
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
# words that carry no meaning of their own: time words, numbers, linking words
IGNORED_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "any",
        "all",
        "other",
        "than",
        "except",
        "excepting",
        "excluding",
        "exception",
        "apart",
        "aside",
        "from",
        "not",
        "who",
        "which",
        "when",
        "where",
        "their",
        "them",
        "they",
        "its",
        "into",
        "within",
        "prior",
        "past",
        "last",
        "previous",
        "before",
        "after",
        "since",
        "during",
        "days",
        "day",
        "weeks",
        "week",
        "months",
        "month",
        "years",
        "year",
        "hours",
        "hour",
        "ago",
        "least",
        "more",
        "less",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twelve",
        "patients",
        "patient",
        "subjects",
        "subject",
        "participants",
        "participant",
        "study",
    ]
)
_WINDOW_RELATIONS = RECENT_RELATIONS | {"at least before"}
# Where one item of a run-together registry line ends and the next begins ("… infection
# No other malignancy"), or a list item starts a clause of its own ("…, or have use of").
_ITEM_BREAK = re.compile(
    r"(?<=[a-z0-9)\]])\s+(?=(?:No|Not|Any|Must|Prior|Concurrent|History)\b)"
    r"|,?\s+or\s+(?:have|has|had|having|use|uses|using|current(?:ly)?|active|a history|"
    r"history|lifetime|ever)\b",
)
_HEADING = re.compile(r"^\s*[A-Z][A-Za-z /-]{0,30}:\s+")  # "Other: ", "Cardiovascular: "
_FOR_LIFE = re.compile(r"\b(?:lifetime|ever|at any time)\b", re.IGNORECASE)
_HISTORY = re.compile(r"\b(?:history of|prior history|past history)\b", re.IGNORECASE)


def content_words(text: str) -> set[str]:
    """The words that carry meaning (no time words, numbers or linking words), in the
    everyday wording a question uses ("malignancy" → "cancer")."""
    plain = plain_words(unescape(text)).lower()
    return {w.strip("'-") for w in _WORD.findall(plain)} - IGNORED_WORDS


def exception_phrases(lead: str) -> list[tuple[int, str]]:
    """The exceptions of a first sentence, with their offsets: "except basal cell skin
    cancer", "other than prescribed testosterone"."""
    out = []
    for a, b in exception_spans(lead):
        phrase = lead[a:b].strip().rstrip(" .,;:)")
        if content_words(phrase):
            out.append((a, phrase))
    return out


def _without_windows(text: str, start: int, criterion: Criterion) -> str:
    """``text`` (at ``start`` in the criterion) without its time windows' words: a window
    is kept (or not) on its own, said plainly ("within 2 weeks of study entry")."""
    for w in sorted(criterion.windows, key=lambda w: -w.start):
        at = w.start - criterion.start - start
        if at >= 0 and at + len(w.text) <= len(text):
            text = text[:at] + " " + text[at + len(w.text) :]
    return text


def lead_windows(criterion: Criterion, lead_end: int) -> list[TimeWindow]:
    """Windows of the first sentence that limit how recent (or how old) a thing is."""
    return [
        w
        for w in criterion.windows
        if w.relation in _WINDOW_RELATIONS and w.start - criterion.start < lead_end
    ]


def _states(text: str, window: TimeWindow) -> bool:
    return amount_phrase(window) in text


def _bracketed(lead: str, at: int) -> bool:
    depth = 0
    for ch in lead[:at]:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth > 0:
            depth -= 1
    return depth > 0


def stretched(lead: str, window: TimeWindow, base: int) -> bool:
    """Would asking the whole first sentence "in the past N" stretch the window over things
    it does not govern? True when the window is in brackets beside one thing, when part of
    the sentence is for life ("lifetime", "ever", a history named after the window), or
    when another item or clause begins before it ("…, or have use of X within 30 days")."""
    at = window.start - base
    return bool(
        _bracketed(lead, at)
        or _FOR_LIFE.search(lead)
        or _HISTORY.search(lead, max(at, 0))
        or _ITEM_BREAK.search(lead[: max(at, 0)])
    )


def own_words(criterion: Criterion, lead: str) -> str:
    """ "Does this apply to you: <the first sentence, windows said plainly>?", or the plain
    fallback when the sentence is too long to read as a question."""
    body = replace_windows(lead, 0, criterion.windows, criterion.start)
    body = _HEADING.sub("", plain_words(unescape(body))).strip(" ,;:.")
    if not body or word_count(body) > MAX_OWN_WORDS or not body[0].isalpha():
        return FALLBACK
    return finish_question(f"Does this apply to you: {lower_first(body)}")


def _as_own_words(criterion: Criterion, lead: str, spec: YesNoSpec) -> YesNoSpec:
    return dataclasses.replace(
        spec,
        text=own_words(criterion, lead),
        window_days=None,
        before_days=None,
        # a profile listing the thing cannot say it falls in the criterion's words (its
        # window, its exceptions); a complete list without it still says no
        terms=[t.model_copy(update={"qualified": True}) for t in spec.terms],
        require_all=False,
    )


def _with_exceptions(spec: YesNoSpec, missing: list[str]) -> YesNoSpec | None:
    plain = [plain_words(unescape(p)) for p in missing]
    if sum(word_count(p) for p in plain) > MAX_EXCEPTION_WORDS:
        return None
    body = spec.text.rstrip(" ?")
    return dataclasses.replace(spec, text=f"{body}, {'; '.join(plain)}?")


def keep_meaning(criterion: Criterion, spec: YesNoSpec, remainder: bool = False) -> YesNoSpec:
    """``spec`` repaired so that it keeps every exception and time window of the
    criterion's first sentence (see the module's doc). ``remainder``: the question asks
    what the criterion's number questions leave, whose windows may be theirs."""
    if spec.text == FALLBACK or spec.answer_type != "yes_no":
        return spec
    lead, _ = lead_sentence(criterion.text)
    offset = criterion.text.find(lead) if lead else 0
    for window in lead_windows(criterion, offset + len(lead)):
        asked = window.days in (spec.window_days, spec.before_days)
        if asked and stretched(lead, window, criterion.start + offset):
            return _as_own_words(criterion, lead, spec)
        if not asked and not remainder and not _states(spec.text, window):
            return _as_own_words(criterion, lead, spec)
    question = content_words(spec.text)
    missing = [
        p
        for at, p in exception_phrases(lead)
        if not content_words(_without_windows(p, offset + at, criterion)) <= question
    ]
    if not missing:
        return spec
    repaired = _with_exceptions(spec, missing)
    if repaired is None:
        return _as_own_words(criterion, lead, spec)
    return repaired


def with_listed_exceptions(spec: YesNoSpec, items: list[str]) -> YesNoSpec:
    """ "No second malignancy within 5 years except:" with its exceptions listed as items
    under it: the question names them ("…, except nonmelanomatous skin cancer?")."""
    if not items or spec.text == FALLBACK or spec.answer_type != "yes_no":
        return spec
    names = [lower_first(plain_words(unescape(i)).strip(" .;,")) for i in items]
    listed = join_terms([n for n in names if n])
    if not listed or content_words(listed) <= content_words(spec.text):
        return spec
    return dataclasses.replace(spec, text=f"{spec.text.rstrip(' ?')}, except {listed}?")


TOPIC = re.compile(r"pregnan|breast|nursing|contracept|birth control", re.IGNORECASE)


def keep_topic_exceptions(criterion: Criterion, spec: YesNoSpec) -> YesNoSpec:
    """A pregnancy or birth control question keeps the exceptions about its topic ("…
    birth control, other than oral contraceptives?"), never another item's."""
    lead, _ = lead_sentence(criterion.text)
    question = content_words(spec.text)
    missing = [
        p
        for _, p in exception_phrases(lead)
        if TOPIC.search(p) and not content_words(p) <= question
    ]
    if not missing:
        return spec
    return _with_exceptions(spec, missing) or _as_own_words(criterion, lead, spec)


def keep_limit_meaning(criterion: Criterion, spec: YesNoSpec, start: int, end: int) -> YesNoSpec:
    """A limit asked as a yes/no ("bilirubin at most 1.5 times the upper limit of normal")
    keeps the exceptions and the time window written after it, up to the next limit
    (offsets ``start``/``end`` in the criterion): "…, except with Gilbert's syndrome?"."""
    segment = criterion.text[start:end]
    missing = [
        p
        for at, p in exception_phrases(segment)
        if not content_words(_without_windows(p, start + at, criterion)) <= content_words(spec.text)
    ]
    if missing:
        spec = _with_exceptions(spec, missing) or spec
    for window in criterion.windows:
        rel = window.start - criterion.start
        if start <= rel < end and window.relation in _WINDOW_RELATIONS:
            said = plain_window(window) or ""
            if said and amount_phrase(window) not in spec.text:
                spec = dataclasses.replace(spec, text=f"{spec.text.rstrip(' ?')} ({said})?")
    return spec
