"""A number question keeps the exceptions of its limit.

"Hemoglobin < 9 g/dL, unless due to thalassemia" asked as "What is your hemoglobin?"
would lose the exception, and a low hemoglobin from thalassemia would read as "not
met". ``keep_limit_exceptions`` finds the exceptions written with the limit (from the
comparison to the next limit of its sentence, an exception beginning there is kept whole:
"unless …", "except …", "other than …", "excluding …"), adds them to the question ("… (The trial makes an exception: unless
due to thalassemia.)") and to its check, so that a value against the limit leaves the
verdict to the study team.
"""

from __future__ import annotations

import dataclasses
import re

from trialatlas.features.prescreen.numbers import NumberSpec
from trialatlas.features.prescreen.phrasing import (
    exception_spans,
    plain_words,
    sentence_bounds,
    unescape,
)
from trialatlas.model.criteria import Comparison, Criterion

# the words that open an exception of a limit: the yes/no questions' words and "unless"
LIMIT_EXCEPTION = re.compile(
    r"\b(?:except(?:ing)?|excluding|other than|with the exception of|apart from|aside from"
    r"|unless)\b",
    re.IGNORECASE,
)
NOTE = "The trial makes an exception:"


def _start(comparison: Comparison) -> int:
    subject = comparison.subject
    return min(comparison.start, subject.start) if subject is not None else comparison.start


def limit_scope(criterion: Criterion, comparison: Comparison) -> tuple[int, int]:
    """Offsets (in the criterion's text) of the words that belong to ``comparison``: from
    its subject to the next limit's operator in its sentence ("… except less than 5 mg/dl
    in …" starts in this limit's words), or to the sentence's end."""
    rel = max(comparison.start - criterion.start, 0)
    lo, hi = sentence_bounds(criterion.text, rel)
    later = [c.start - criterion.start for c in criterion.comparisons if c.start > comparison.start]
    return max(lo, min(rel, _start(comparison) - criterion.start)), min([hi, *later])


def exception_offsets(criterion: Criterion, comparison: Comparison) -> list[tuple[int, int]]:
    """Offsets (in the criterion's text) of the exceptions that begin among the words of
    ``comparison`` (see :func:`limit_scope`), each whole to its end ("except for patients
    with Gilbert's syndrome who must have a total bilirubin less than 3.0 mg/dl"); in
    brackets an exception runs to the closing one, and a ";" ends it first."""
    lo, hi = limit_scope(criterion, comparison)
    sentence_lo, sentence_hi = sentence_bounds(criterion.text, lo)
    sentence = criterion.text[sentence_lo:sentence_hi]
    spans = []
    for a, b in exception_spans(sentence, LIMIT_EXCEPTION):
        if lo <= sentence_lo + a < hi:  # else another limit's exception
            cut = sentence.find(";", a, b)
            spans.append((sentence_lo + a, sentence_lo + (b if cut < 0 else cut)))
    return spans


def _phrase(text: str) -> str:
    phrase = plain_words(unescape(text)).strip().rstrip(" .,;:(")
    return phrase.rstrip(")") if phrase.count("(") < phrase.count(")") else phrase


def limit_exceptions(criterion: Criterion, comparison: Comparison) -> list[str]:
    """The exceptions of ``comparison``'s limit in plain words ("unless due to
    thalassemia")."""
    phrases = [_phrase(criterion.text[a:b]) for a, b in exception_offsets(criterion, comparison)]
    return [p for p in phrases if len(p.split()) > 1]


def keep_limit_exceptions(
    spec: NumberSpec, criterion: Criterion, comparison: Comparison
) -> NumberSpec:
    """``spec`` with the exceptions of its limit in its question and its check; ``spec``
    itself when the limit has none. What an exception names ("thalassemia") is covered
    by this question: never asked on its own as if it ruled people out."""
    phrases = limit_exceptions(criterion, comparison)
    if not phrases:
        return spec
    text = f"{spec.text} ({NOTE} {'; '.join(phrases)}.)"
    check = spec.check.model_copy(update={"exceptions": phrases})
    base = criterion.start
    excepted = {
        e.text.lower()
        for e in criterion.entities
        for a, b in exception_offsets(criterion, comparison)
        if a <= e.start - base < b
    }
    return dataclasses.replace(spec, text=text, check=check, covers=spec.covers | excepted)
