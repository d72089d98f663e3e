"""The lay glossary: medical and research terms → words a patient uses.

Rules are data (``trialatlas/data/glossary.json``), loaded once into typed entries.
An entry either *replaces* the term ("arthropathy" → "joint disease") or *explains*
it once, keeping the term ("allogeneic (from a donor)"), for words a patient will
meet again at the clinic. Terms in capitals (acronyms) match case-sensitively,
all others case-insensitively; the longest term wins; a term never matches inside
a longer word or a hyphenated name ("BM-MSCs" is not "MSCs").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from trialatlas.features.patient_summary.readability import count_syllables

GLOSSARY_FILE = "glossary.json"
Use = Literal["replace", "explain"]

# Everyday words that are long but plain: not counted as jargon when choosing a title.
_PLAIN_LONG_WORDS = frozenset(
    [
        "diabetes",
        "disease",
        "diseases",
        "infection",
        "infections",
        "depression",
        "arthritis",
        "allergy",
        "allergies",
        "pregnancy",
        "injury",
        "injuries",
        "disorder",
        "disorders",
        "obesity",
        "asthma",
        "anxiety",
        "condition",
        "conditions",
        "healthy",
        "volunteers",
        "smoking",
        "alcohol",
        "addiction",
        "memory",
        "vision",
        "hearing",
        "surgery",
        "operation",
        "pressure",
        "emergency",
        "migraine",
        "tobacco",
        "coronavirus",
        "covid-19",
        "influenza",
        "epilepsy",
    ]
)
_ACRONYMS_PATIENTS_KNOW = frozenset({"HIV", "AIDS", "COVID-19", "ALS", "ADHD", "COPD"})
_WORD = re.compile(r"[A-Za-z][\w'-]*")
# Common words of condition names, written in lower case inside a sentence.
_COMMON_WORDS = frozenset(
    [
        "low",
        "back",
        "pain",
        "acute",
        "chronic",
        "cancer",
        "cancers",
        "disease",
        "diseases",
        "disorder",
        "disorders",
        "syndrome",
        "heart",
        "failure",
        "blood",
        "pressure",
        "high",
        "type",
        "breast",
        "lung",
        "lungs",
        "prostate",
        "colon",
        "colorectal",
        "rectal",
        "skin",
        "liver",
        "kidney",
        "bladder",
        "brain",
        "bone",
        "bones",
        "joint",
        "joints",
        "knee",
        "hip",
        "spine",
        "neck",
        "head",
        "stomach",
        "pancreatic",
        "ovarian",
        "cervical",
        "uterine",
        "thyroid",
        "advanced",
        "solid",
        "tumor",
        "tumors",
        "metastatic",
        "early",
        "stage",
        "severe",
        "mild",
        "moderate",
        "major",
        "minor",
        "healthy",
        "volunteers",
        "adult",
        "adults",
        "child",
        "children",
        "infection",
        "infections",
        "virus",
        "viral",
        "bacterial",
        "injury",
        "injuries",
        "fracture",
        "fractures",
        "weight",
        "loss",
        "sleep",
        "smoking",
        "alcohol",
        "use",
        "dependence",
        "abuse",
        "depression",
        "anxiety",
        "stroke",
        "pregnancy",
        "preterm",
        "birth",
        "obesity",
        "overweight",
        "diabetes",
        "asthma",
        "allergy",
        "allergies",
        "arthritis",
        "eye",
        "eyes",
        "vision",
        "hearing",
        "dental",
        "oral",
        "teeth",
        "tooth",
        "gum",
        "mental",
        "health",
        "cell",
        "cells",
        "small",
        "large",
        "non",
        "and",
        "or",
        "of",
        "with",
        "without",
        "in",
        "the",
        "to",
        "for",
        "on",
        "at",
        "lower",
        "upper",
        "left",
        "right",
        "primary",
        "secondary",
        "recurrent",
        "related",
        "induced",
        "associated",
        "dry",
        "wet",
        "inflammatory",
        "chronic-pain",
        "low-back",
    ]
)


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """One term with its lay words; ``use`` says whether to replace or explain it."""

    term: str
    lay: str
    use: Use = "replace"

    @property
    def case_sensitive(self) -> bool:
        return sum(c.isupper() for c in self.term) >= 2


class Glossary:
    """Term lookup and plain-language rewriting over a list of entries."""

    def __init__(self, entries: list[GlossaryEntry]) -> None:
        self.entries = entries
        self._folded = {e.term.lower(): e for e in entries if not e.case_sensitive}
        self._exact = {e.term: e for e in entries if e.case_sensitive}
        self._vocabulary = frozenset(
            w.lower() for e in entries for w in re.findall(r"[A-Za-z]+", f"{e.term} {e.lay}")
        )
        folded = sorted(self._folded, key=len, reverse=True)
        exact = sorted(self._exact, key=len, reverse=True)
        alternatives = []
        if folded:
            alternatives.append("(?i:" + "|".join(_term_pattern(t) for t in folded) + ")")
        alternatives += [_term_pattern(t) for t in exact]
        self._pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, term: str) -> GlossaryEntry | None:
        """The entry for exactly this term (spaces normalized), or None."""
        key = " ".join(term.split())
        return self._exact.get(key) or self._folded.get(key.lower())

    def lay_name(self, term: str) -> str | None:
        """Lay words that can stand in for the whole term ("Hypertension" → "high blood pressure")."""
        entry = self.lookup(term)
        return entry.lay if entry is not None and entry.use == "replace" else None

    def jargon_count(self, text: str) -> int:
        """How many words of ``text`` a patient may not know (glossary terms, long technical words)."""
        count = 0
        words = [part for w in _WORD.findall(text) for part in w.split("-") if part]
        for word in words:
            if word in _ACRONYMS_PATIENTS_KNOW or word.lower() in _PLAIN_LONG_WORDS:
                continue
            if (
                self.lookup(word) is not None
                or count_syllables(word) >= 4
                or word.isupper()
                and len(word) >= 2
            ):
                count += 1
        return count

    def running_name(self, term: str) -> str:
        """A title-cased condition for use inside a sentence: ``Low Back Pain`` → ``low back pain``.

        Only everyday words and glossary words are lowered; names and codes keep their
        capitals (``Parkinson Disease`` → ``Parkinson disease``, ``HIV`` stays)."""
        words = term.split(" ")
        out = []
        for word in words:
            plain = word.lower()
            lowerable = word[:1].isupper() and word[1:] == word[1:].lower()
            if lowerable and (plain in _COMMON_WORDS or plain in self._vocabulary):
                out.append(plain)
            else:
                out.append(word)
        return " ".join(out)

    def plain(self, text: str, explained: set[str] | None = None) -> str:
        """``text`` with replace-terms swapped for lay words and explain-terms explained once.

        ``explained`` collects the terms already explained on this page part, so a
        term is explained the first time only. Articles before a replaced term are
        fixed ("an arthropathy" → "a joint disease").
        """
        if explained is None:
            explained = set()
        out: list[str] = []
        last = 0
        for match in self._pattern.finditer(text):
            entry = self.lookup(match.group(0))
            if entry is None:  # pragma: no cover - the pattern only holds known terms
                continue
            before = text[last : match.start()]
            if entry.use == "explain":
                key = entry.lay.lower()
                already = key in explained or text[match.end() : match.end() + 2] == " ("
                out.append(before + match.group(0))
                if not already:
                    out.append(f" ({entry.lay})")
                    explained.add(key)
            else:
                lay = entry.lay
                if _starts_sentence(text, match.start()):
                    lay = lay[0].upper() + lay[1:]
                out.append(_fix_article(before, lay) + lay)
            last = match.end()
        out.append(text[last:])
        return "".join(out)


def _term_pattern(term: str) -> str:
    return r"\s+".join(re.escape(part) for part in term.split())


def _starts_sentence(text: str, pos: int) -> bool:
    head = text[:pos].rstrip()
    return not head or head[-1] in ".!?" or (pos > 0 and text[pos].isupper() and head[-1] in ":(")


def _fix_article(before: str, lay: str) -> str:
    """Make ``a``/``an`` right before the replaced words agree with them."""
    match = re.search(r"\b(a|an|A|An)\s+$", before)
    if match is None:
        return before
    article = "an" if lay[:1].lower() in "aeio" else "a"
    if match.group(1)[0].isupper():
        article = article.capitalize()
    return before[: match.start(1)] + article + before[match.end(1) :]


@cache
def load_glossary() -> Glossary:
    """The bundled glossary (read once per process)."""
    data = resources.files("trialatlas") / "data" / GLOSSARY_FILE
    return parse_glossary(data.read_text(encoding="utf-8"))


def parse_glossary(text: str) -> Glossary:
    """A glossary from the JSON text of a glossary file (``{"entries": [...]}``)."""
    raw = json.loads(text)
    entries = []
    for item in raw["entries"]:
        use = item.get("use", "replace")
        if use not in ("replace", "explain"):
            raise ValueError(f"glossary term {item.get('term')!r}: use must be replace or explain")
        if not item.get("term") or not item.get("lay"):
            raise ValueError(f"glossary entry {item!r}: term and lay words are required")
        entries.append(GlossaryEntry(term=item["term"], lay=item["lay"], use=use))
    return Glossary(entries)
