"""Matching a patient's names (conditions, medicines, labs) to a criterion's terms.

Names are compared as normalized word sets: a profile name matches a criterion
term when it says at least as much ("type 2 diabetes mellitus" is a "diabetes"),
when the two are near-identical (``rapidfuzz`` token-sort ratio ≥ 90, for typos
and word order), or when their codes agree (ICD-10 prefix: ``M54.50`` is an
``M54.5``). A vaguer profile name ("pain") never matches a narrower term ("low
back pain"). A drug class term ("immunosuppressants") matches its member drugs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from trialatlas.features.prescreen.rules import class_members

FUZZY_MIN = 90
_NON_WORD = re.compile(r"[^a-z0-9]+")
_STOP = frozenset(
    {"of", "the", "a", "an", "and", "or", "with", "in", "on", "to", "for", "any", "other", "score"}
)


def normalize(name: str) -> str:
    """Lower case, punctuation to spaces, one space between words."""
    return " ".join(_NON_WORD.sub(" ", name.lower()).split())


@lru_cache(maxsize=4096)
def tokens(name: str) -> frozenset[str]:
    """The content words of ``name``, singular (``fractures`` → ``fracture``)."""
    out = set()
    for word in normalize(name).split():
        if word in _STOP:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.add(word)
    return frozenset(out)


def _code_key(code: str | None) -> str:
    return (code or "").replace(".", "").upper().strip()


def codes_match(term_code: str | None, profile_code: str | None) -> bool:
    """ICD-10 style: the profile code equals or refines the term's code."""
    a, b = _code_key(term_code), _code_key(profile_code)
    return len(a) >= 3 and len(b) >= 3 and b.startswith(a)


def name_matches(term: str, profile_name: str, loose: bool = False) -> bool:
    """Does the profile name say (at least) what the criterion term says?

    ``loose`` also accepts a profile name that drops a word of a longer term
    ("back pain VAS" for "low back pain VAS"), for lab and score names.
    """
    a, b = tokens(term), tokens(profile_name)
    if not a or not b:
        return False
    if a <= b and (len(a) >= 2 or len(next(iter(a))) >= 3):
        return True
    if loose and b <= a and len(b) >= 2 and len(b) / len(a) >= 0.66:
        return True
    return fuzz.token_sort_ratio(normalize(term), normalize(profile_name)) >= FUZZY_MIN


def drug_matches(term: str, normalized: str | None, medicine: str) -> bool:
    """A medicine matches a drug term by name, by its normalized name, or by class."""
    if name_matches(term, medicine) or (normalized and name_matches(normalized, medicine)):
        return True
    members = class_members(term)
    if not members:
        return False
    words = tokens(medicine)
    return any(tokens(member) <= words for member in members)
