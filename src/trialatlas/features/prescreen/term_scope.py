"""How far a criterion's own words narrow one of its terms, for answers from a profile.

A profile (or a note read into one) that lists "breast cancer" says nothing about
"HER2 positive breast cancer", "bilateral breast cancer", "breast cancers of rare
histological type", "other malignancy" or "radiotherapy for breast cancer". A
profile answers yes only when its item is the criterion's subject or narrower, so:

- the words that narrow the term in the criterion ("HER2 positive", "bilateral",
  "noninvasive" before it; "of rare histological type" after it) join the term's
  text, and its normalized name and code (which name the broad concept) are
  dropped: a profile item must then name all of it ("HER2-positive breast cancer"
  is a yes, "breast cancer" stays unknown);
- a term qualified by "other", "another", "additional" or "second" is never the
  patient's own finding, and a condition that is only what a treatment is for
  ("chemotherapy for metastatic disease", "anti-cancer", "cancer therapy") does not
  answer the question on its own: both are marked ``qualified`` (a listed item
  leaves them unknown; a complete profile that lacks them still says no).
"""

from __future__ import annotations

import re

from trialatlas.features.prescreen.model import ProfileTerm

_WORD = re.compile(r"[A-Za-z0-9][\w/+'-]*")
_CLAUSE_END = re.compile(r"[,;:()\[\]]|\.\s|\s[-–]\s")
_LOOK_BACK = 60
_MAX_MODIFIERS = 4
_OTHER = frozenset({"other", "another", "additional", "second", "secondary", "further"})
# words that do not narrow what follows them ("known HIV", "prior active cancer")
_NEUTRAL = frozenset(
    {
        "a", "an", "the", "any", "all", "his", "her", "their", "its", "own", "also",
        "known", "documented", "confirmed", "proven", "biopsy-proven", "diagnosed",
        "histologically", "cytologically", "pathologically", "radiologically",
        "clinically", "prior", "previous", "previously", "past", "current", "currently",
        "concurrent", "concomitant", "active", "ongoing", "existing", "pre-existing",
        "preexisting", "newly", "recent", "recently", "suspected", "underlying",
    }
)  # fmt: skip
# words that end the noun phrase the term heads ("history of", "patients with", "has")
_BOUNDARY = frozenset(
    {
        "of", "with", "for", "has", "have", "had", "having", "is", "are", "was", "were",
        "be", "been", "and", "or", "nor", "no", "not", "without", "in", "on", "by", "to",
        "from", "than", "at", "as", "who", "which", "that", "if", "due", "because",
        "after", "before", "during", "within", "since", "following", "including",
        "include", "includes", "such", "like", "except", "excluding", "either", "both",
        "patient", "patients", "subject", "subjects", "participant", "participants",
        "women", "men", "people", "individuals", "history", "hx", "diagnosis",
        "evidence", "presence", "suffer", "suffers", "suffering", "require", "requires",
        "requiring", "receive", "received", "receiving", "undergoing", "underwent",
        "present", "presents", "presenting", "must", "may", "should", "will", "can",
        "e.g", "eg", "i.e", "ie", "etc", "vs", "versus", "+/-", "and/or", "treated",
    }
)  # fmt: skip
_TREATMENT = (
    r"therap(?:y|ies)|treatments?|chemotherapy|radiotherapy|radiation|irradiation|surgery|"
    r"resection|regimens?|lines?|agents?|drugs?|medications?|medicines?|management"
)
_FOR_TREATMENT = re.compile(
    rf"(?:\b(?:{_TREATMENT})\b[^.;]{{0,80}}?(?:\bfor|\bto treat|\bused in|\bused for)|"
    r"\b(?:treatment|management|therapy) of)\s+(?:(?:the|a|an|their|his|her|its)\s+)?$",
    re.IGNORECASE,
)
_FOR_GAP = re.compile(
    r"^[^,;.()]{0,30}?\b(?:for|to treat)\s+(?:(?:the|a|an|their|his|her|its)\s+)?$", re.IGNORECASE
)
# "peripheral neuropathy > grade 1": a patient's grade 1 neuropathy is not it
_GRADED_AFTER = re.compile(
    r"^\s*(?:\(\s*)?(?:[<>≥≤]=?|greater than|more than|higher than|worse than|at least|of at least)"
    r"\s*(?:ctcae\s+|nci\s+)?(?:grade|stage|class)\b",
    re.IGNORECASE,
)
# "atelectasis detected by x-ray": the x-ray is how it is seen, not what is asked
_MEANS = re.compile(
    r"\b(?:detected|confirmed|demonstrated|documented|shown|proven|assessed|measured|diagnosed|"
    r"seen|evaluated|visible|identified)\s+(?:by|on|with|using|via|in)\s+(?:(?:a|an|the)\s+)?"
    r"(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_ANTI = re.compile(r"\banti[- ]?$", re.IGNORECASE)
_TREATMENT_AFTER = re.compile(rf"^[- ]?(?:{_TREATMENT})\b", re.IGNORECASE)
_OF_PHRASE = re.compile(r"^\s+of\s+((?:[A-Za-z][\w-]*\s+){0,3}(?:type|subtype|origin|histology))\b")


def _pre_words(before: str) -> tuple[list[str], bool]:
    """The narrowing words right before a term (in order), and whether "other" is one."""
    cut = list(_CLAUSE_END.finditer(before))
    if cut:
        before = before[cut[-1].end() :]
    words = _WORD.findall(before)
    if before and not before[-1].isspace() and words:
        words = words[:-1]  # the look-back cut a word: it is part of the term
    kept: list[str] = []
    other = False
    for word in reversed(words[-_MAX_MODIFIERS - 2 :]):
        low = word.lower()
        if low in _BOUNDARY:
            break
        if low in _OTHER:
            other = True
        elif low not in _NEUTRAL and len(kept) < _MAX_MODIFIERS:
            kept.append(word)
    return list(reversed(kept)), other


def scoped_term(
    term: ProfileTerm, text: str, start: int, end: int, treatment_ends: tuple[int, ...] = ()
) -> ProfileTerm:
    """``term`` (found at ``text[start:end]`` of its criterion) narrowed by the words
    around it; unchanged when nothing narrows it. ``treatment_ends``: where the
    criterion's medicines and procedures end ("taxane for metastatic disease")."""
    if term.type not in ("condition", "procedure") or not 0 <= start <= end <= len(text):
        return term
    before, after = text[max(0, start - _LOOK_BACK) : start], text[end:]
    modifiers, other = _pre_words(before) if start > 0 else ([], False)
    known = {w.lower() for w in _WORD.findall(term.text)}
    modifiers = [m for m in modifiers if m.lower() not in known]
    of_phrase = _OF_PHRASE.match(after)
    purpose = term.type == "condition" and (
        bool(_FOR_TREATMENT.search(before) or _ANTI.search(before))
        or bool(_TREATMENT_AFTER.match(after) or _GRADED_AFTER.match(after))
        or any(e <= start and _FOR_GAP.match(text[e:start]) for e in treatment_ends)
    )
    means = term.type == "procedure" and bool(_MEANS.search(before))
    purpose = purpose or means
    if not modifiers and not of_phrase and not other and not purpose:
        return term
    update: dict[str, object] = {"qualified": term.qualified or other or purpose}
    if modifiers or of_phrase:
        words = [*modifiers, term.text] + ([f"of {of_phrase.group(1)}"] if of_phrase else [])
        update.update(text=" ".join(words), normalized=None, code=None)
    return term.model_copy(update=update)
