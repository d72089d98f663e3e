"""Shared treatments and conditions of two trials, in the registry's own words.

Each treatment or condition of a trial (its names as registered and its MeSH browse
terms) becomes a :class:`Term`: the words that say what it is, in order, without the
words that only say how it is given ("injection", "autologous", a salt) and with the
abbreviations the registry uses spelled out ("BM-MSC" → "bone marrow mesenchymal
stem cells"; rules in ``data/related/terms.json``). English names put the thing
last ("bone marrow *stem cells*"), so two terms name the same thing when one is the
other's ending ("mesenchymal stem cells" ⊂ "bone marrow mesenchymal stem cells"),
and a similar thing when they end alike in two words or more ("wharton jelly
mesenchymal stem cells" ~ "bone marrow mesenchymal stem cells"). How much a shared
term says is its rarity in the store (weighted by the caller).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from trialatlas.store.base import BriefIntervention, StudyBrief

Field = Literal["interventions", "conditions"]
COMPARATOR_ARMS = frozenset({"PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION"})
_WORD = re.compile(r"[a-z0-9]+(?:['’\-][a-z0-9]+)*")
_TYPE_PREFIX = re.compile(r"^\s*[a-z][a-z /]{1,30}:\s+", re.IGNORECASE)
_TREATMENT_SPLIT = re.compile(
    r"\s*(?:[()\[\];,+/]|\band\b|\bplus\b|\bwith\b|\bvs\.?|\bversus\b)\s*", re.I
)
_CONDITION_SPLIT = re.compile(r"\s*[()\[\];]\s*")
_STOPWORDS = frozenset(
    {"a", "an", "the", "of", "in", "for", "to", "on", "at", "by", "or", "and", "with"}
)
TERM_CACHE = 100_000  # names read into terms, kept per process (a few hundred bytes each)
_UNITS = frozenset({"mg", "mcg", "ug", "g", "kg", "ml", "l", "iu", "units", "unit", "x", "mg/kg"})


@dataclass(frozen=True, slots=True)
class Rules:
    abbreviations: dict[str, str]
    form_words: frozenset[str]
    generic: frozenset[str]
    comparators: frozenset[str]


@functools.cache
def rules() -> Rules:
    """The shipped rules (``data/related/terms.json``), read once."""
    text = resources.files("trialatlas.data").joinpath("related/terms.json").read_text("utf-8")
    data = json.loads(text)
    return Rules(
        abbreviations={k.lower(): v for k, v in data["abbreviations"].items()},
        form_words=frozenset(w.lower() for w in data["form_words"]),
        generic=frozenset(w.lower() for w in data["generic_terms"]),
        comparators=frozenset(w.lower() for w in data["comparators"]),
    )


@dataclass(frozen=True, slots=True)
class Term:
    """One treatment or condition: the words to show and the keys to compare."""

    display: str
    keys: tuple[str, ...]
    words: tuple[str, ...]  # the shown word of each key


@dataclass(frozen=True, slots=True)
class SharedTerm:
    """What two trials have in common: ``same`` thing, or only a similar one."""

    field: Field
    display: str
    same: bool


def treatment_terms(brief: StudyBrief) -> list[Term]:
    """The tested treatments (comparators such as placebo left out), names and MeSH terms."""
    names: list[str] = []
    for iv in brief.interventions:
        if not _is_comparator(iv):
            names += [iv.name, *iv.other_names]
    names += [_uninvert(t) for t in brief.intervention_mesh]
    return _merged([_name_terms(name, True) for name in names])


def condition_terms(brief: StudyBrief) -> list[Term]:
    """The conditions as registered and as MeSH terms ("Osteoarthritis, Knee" → knee osteoarthritis)."""
    names = [*brief.conditions, *(_uninvert(t) for t in brief.condition_mesh)]
    return _merged([_name_terms(name, False) for name in names])


def shared_terms(field: Field, mine: list[Term], theirs: list[Term]) -> list[SharedTerm]:
    """What ``theirs`` shares with ``mine``, in the words of the shorter name."""
    out: dict[str, SharedTerm] = {}
    # two terms share nothing unless their last keys are equal: only those pairs are compared
    by_last: dict[str, list[Term]] = {}
    for b in theirs:
        by_last.setdefault(b.keys[-1], []).append(b)
    for a in mine:
        for b in by_last.get(a.keys[-1], ()):
            shared = _compare(field, a, b)
            if shared is not None and (
                shared.display not in out or (shared.same and not out[shared.display].same)
            ):
                out[shared.display] = shared
    return list(out.values())


def _compare(field: Field, a: Term, b: Term) -> SharedTerm | None:
    common = _common_suffix(a.keys, b.keys)
    if not common:
        return None
    if common == len(a.keys) or common == len(b.keys):
        shorter = a if len(a.keys) <= len(b.keys) else b
        return SharedTerm(field=field, display=shorter.display, same=True)
    if field == "interventions" and common >= 2:
        # the ending both names share, in this trial's own words
        return SharedTerm(field=field, display=" ".join(a.words[-common:]), same=False)
    return None


def _common_suffix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _is_comparator(iv: BriefIntervention) -> bool:
    if iv.arm_types and all(t in COMPARATOR_ARMS for t in iv.arm_types):
        return True
    return _names_comparator(iv.name)


@functools.lru_cache(maxsize=TERM_CACHE)
def _names_comparator(name: str) -> bool:
    words = " ".join(_WORD.findall(name.lower()))
    return _comparator_pattern().search(words) is not None


@functools.cache
def _comparator_pattern() -> re.Pattern[str]:
    """Any comparator of the rules as a whole word (one pattern, compiled once)."""
    names = sorted(rules().comparators, key=lambda c: (-len(c), c))
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in names) + r")\b")


def _uninvert(term: str) -> str:
    """MeSH's inverted headings read naturally: ``Carcinoma, Non-Small-Cell Lung`` →
    ``Non-Small-Cell Lung Carcinoma`` (only a single comma is turned)."""
    head, sep, tail = term.partition(", ")
    if not sep or "," in tail:
        return term
    return f"{tail} {head}"


@functools.lru_cache(maxsize=TERM_CACHE)
def _name_terms(name: str, treatment: bool) -> tuple[Term, ...]:
    """The terms of one registered name (its parts split at "and", commas, brackets…):
    a pure function of the name, so the names many trials share are read once."""
    if treatment:
        parts = _TREATMENT_SPLIT.split(_TYPE_PREFIX.sub("", name))
    else:
        parts = _CONDITION_SPLIT.split(name)
    return tuple(_merged([(t,) for t in (_term(p, treatment) for p in parts) if t is not None]))


def _merged(groups: list[tuple[Term, ...]]) -> list[Term]:
    """The terms in order, each set of keys once (its first term)."""
    out: dict[tuple[str, ...], Term] = {}
    for group in groups:
        for term in group:
            if term.keys not in out:
                out[term.keys] = term
    return list(out.values())


def _term(text: str, treatment: bool) -> Term | None:
    r = rules()
    shown: list[str] = []
    keys: list[str] = []
    words: list[str] = []
    for token in _WORD.findall(text.lower()):
        token = re.sub(r"['’]s$", "", token)
        expansion = r.abbreviations.get(token)
        if expansion is not None:
            for word in expansion.split():
                shown.append(word)
                for part in _parts(word):
                    keys.append(_key(part))
                    words.append(part)
            continue
        parts = _parts(token)
        kept = [p for p in parts if not _dropped(p, treatment)]
        if not kept:
            continue
        shown.append(token if kept == parts else " ".join(kept))
        keys += [_key(p) for p in kept]
        words += kept
    display = " ".join(shown)
    if not keys or display in r.generic or sum(c.isalpha() for c in display) < 3:
        return None
    return Term(display=display, keys=tuple(keys), words=tuple(words))


def _parts(token: str) -> list[str]:
    """Hyphenated words compare part by part, except a ``non-`` prefix (non-small ≠ small)."""
    if token.startswith("non-"):
        return [token]
    return [p for p in token.split("-") if p]


def _dropped(word: str, treatment: bool) -> bool:
    if word in _STOPWORDS:
        return True
    if not treatment:
        return False
    return word in rules().form_words or word in _UNITS or word.isdigit()


def _key(word: str) -> str:
    """Plural and singular compare alike (cells/cell, MSCs/MSC)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
