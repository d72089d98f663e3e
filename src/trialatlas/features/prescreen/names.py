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


_ROMAN = re.compile(r"^[ivx]+$")
_OPPOSITE_PREFIXES = (("hyper", "hypo"), ("pre", "post"), ("intra", "extra"), ("over", "under"))


def normalize(name: str) -> str:
    """Lower case, punctuation to spaces, one space between words."""
    return " ".join(_NON_WORD.sub(" ", name.lower()).split())


@lru_cache(maxsize=4096)
def tokens(name: str) -> frozenset[str]:
    """The content words of ``name``, singular (``fractures`` → ``fracture``)."""
    out: set[str] = set()
    words = normalize(name).split()
    for n, word in enumerate(words):
        if word in _STOP or (word == "non" and n + 1 < len(words)):
            continue
        if n > 0 and words[n - 1] == "non":  # "non small cell" is no "small cell"
            word = f"non{word}"
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


def _opposite(x: str, y: str) -> bool:
    return any(
        (x.startswith(p) and y.startswith(q)) or (x.startswith(q) and y.startswith(p))
        for p, q in _OPPOSITE_PREFIXES
    )


def _spelling_variant(a: frozenset[str], b: frozenset[str]) -> bool:
    """Can the words two names do not share be spellings of each other? Not when one is
    a number, a letter or a roman numeral ("type 1" / "type 2", "hepatitis B" / "C",
    "stage II" / "III") or they are opposites ("hypertension" / "hypotension")."""
    only_a, only_b = a - b, b - a
    if any(w.startswith("non") and w[3:] in (a | b) for w in only_a | only_b):
        return False  # "non small cell" against "small cell"
    for word in only_a | only_b:
        if len(word) <= 2 or any(c.isdigit() for c in word) or _ROMAN.match(word):
            return False
    return not any(_opposite(x, y) for x in only_a for y in only_b)


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
    if not _spelling_variant(a, b):
        return False
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
