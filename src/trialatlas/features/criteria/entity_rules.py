"""Word-shape entity rules (``entity_patterns.json``) and how they match.

Three kinds of rule, all data:

* :class:`SuffixRule` — a word ending marks its type (``-itis`` condition,
  ``-ectomy`` procedure, ``-mab``/``-pril`` drug); checked per token with one
  ``str.endswith`` over a tuple, never a regex over the text.
* :class:`HeadRule` — a head noun and up to ``left`` words before it
  ("chronic kidney **disease**", "ACE **inhibitors**", "platelet **count**").
  Extension stops at punctuation, numbers and the ``trim`` words ("with",
  "history", "severe" …); a rule with ``modifier`` requires at least one word
  before the head, and a head in ``generic`` never stands alone.
* :class:`PatternRule` — a regular expression for shapes that need one
  ("NYHA class III", "ALT > 3 × ULN"); it runs only on items that contain one
  of its ``gate`` words (or characters), so most items never pay for it.

Candidates carry token offsets into the item; :mod:`.entity_candidates` resolves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from trialatlas.features.criteria.lexicon import Token, normalize_token
from trialatlas.features.criteria.rules import ENTITY_TYPES, read_json
from trialatlas.model.criteria import EntityType

_UNSEEN = object()
_MEMO_LIMIT = 200_000  # words remembered by the suffix memo (bounded memory)
_JOINER = re.compile(r"[ \t]*(?:-[ \t]*)?$")  # what may sit between the words of one phrase


@dataclass(frozen=True, slots=True)
class SuffixRule:
    """Words ending in one of ``suffixes`` (at least ``min_length`` letters) are ``type``.

    With ``prefixes`` the word must also start with one of them ("anti…ic").
    """

    type: EntityType
    suffixes: tuple[str, ...]
    min_length: int = 6
    exceptions: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HeadRule:
    """A head noun with up to ``left`` modifying words before it."""

    name: str
    type: EntityType
    heads: frozenset[str]  # normalized head tokens
    left: int = 2
    modifier: bool = False  # at least one word before the head is required
    case_sensitive_first: bool = False  # the first word must start with a capital
    capitalized: bool = False  # every word before the head starts with a capital (a name)
    vocabulary: bool = False  # resolved like a vocabulary match ("Beck Depression Inventory")


@dataclass(frozen=True, slots=True)
class PatternRule:
    """A regular expression that marks an entity of ``type`` (group ``span`` if present)."""

    type: EntityType
    pattern: re.Pattern[str]
    name: str = ""
    gate_words: frozenset[str] = frozenset()  # normalized tokens, any must occur
    gate_chars: str = ""  # or any of these characters must occur
    vocabulary: bool = False  # resolved like a vocabulary match ("drug or alcohol abuse")


@dataclass(frozen=True, slots=True)
class GenericNouns:
    """Nouns that name medicines in general ("drugs", "medications") and where they
    are no entity of their own (``entity_patterns.json`` ``generic_drugs``)."""

    nouns: frozenset[str] = frozenset()  # normalized
    not_after: frozenset[str] = frozenset()  # normalized previous tokens
    not_before: frozenset[str] = frozenset()  # normalized next tokens
    study_words: frozenset[str] = frozenset()  # lower-case words of "investigational drug"
    study_before: re.Pattern[str] | None = None  # "participating in an …" (ends at the mention)
    study_after: re.Pattern[str] | None = None  # "… or device study" (right after it)
    use_words: re.Pattern[str] | None = None  # "used", "received": a medicine taken after all
    anchor_before: re.Pattern[str] | None = None  # "prior to the first dose of …": a date
    anchor_after: re.Pattern[str] | None = None  # "… administration"


@dataclass(frozen=True, slots=True)
class Serology:
    """Infections named with a test result ("HIV positive", "positive for hepatitis B")
    are measured as well (``entity_patterns.json`` ``serology``)."""

    agents: re.Pattern[str] | None = None  # the whole text of the entity
    before: re.Pattern[str] | None = None  # ends right before it ("positive for …")
    after: re.Pattern[str] | None = None  # matches right after it ("… -positive")


@dataclass(frozen=True, slots=True)
class EntityRules:
    """All word-shape rules of one data file."""

    suffixes: tuple[SuffixRule, ...]
    heads: tuple[HeadRule, ...]
    patterns: tuple[PatternRule, ...]
    trim: frozenset[str]
    generic: frozenset[str]
    head_index: dict[str, tuple[HeadRule, ...]]
    gate_index: dict[str, tuple[int, ...]]  # gate word -> indexes of the patterns it opens
    generic_drugs: GenericNouns = field(default_factory=GenericNouns)
    serology: Serology = field(default_factory=Serology)
    named_measures: frozenset[str] = frozenset()  # normalized heads of instrument names
    unmeasured_before: frozenset[str] = frozenset()  # "glucose **regulation**": no measurement
    suffix_memo: dict[str, EntityType | None] = field(default_factory=dict, compare=False)


def _norms(words: list[str]) -> frozenset[str]:
    return frozenset(normalize_token(w) for w in words)


def load_entity_rules(source: str = "entity_patterns.json") -> EntityRules:
    """Typed rules from an ``entity_patterns.json``-shaped file (unknown types raise)."""
    data = read_json(source)
    for section in ("suffixes", "heads", "patterns"):
        for r in data.get(section, []):
            if r["type"] not in ENTITY_TYPES:
                raise ValueError(f"{source}: unknown entity type {r['type']!r}")
    suffixes = tuple(
        SuffixRule(
            r["type"],
            tuple(s.lower() for s in r["suffixes"]),
            int(r.get("min_length", 6)),
            frozenset(w.lower() for w in r.get("exceptions", [])),
            tuple(w.lower() for w in r.get("prefixes", [])),
        )
        for r in data.get("suffixes", [])
    )
    heads = tuple(
        HeadRule(
            r.get("name", ""),
            r["type"],
            _norms(r["heads"]),
            int(r.get("left", 2)),
            bool(r.get("modifier", False)),
            bool(r.get("case_sensitive_first", False)),
            bool(r.get("capitalized", False)),
            bool(r.get("vocabulary", False)),
        )
        for r in data.get("heads", [])
    )
    patterns = tuple(
        PatternRule(
            r["type"],
            re.compile(r["pattern"], 0 if r.get("case_sensitive") else re.IGNORECASE),
            r.get("name", ""),
            _norms(r.get("gate", [])),
            r.get("gate_chars", ""),
            bool(r.get("vocabulary", False)),
        )
        for r in data.get("patterns", [])
    )
    generic = data.get("generic_drugs", {})
    serology = data.get("serology", {})

    index: dict[str, list[HeadRule]] = {}
    for rule in heads:
        for head in rule.heads:
            index.setdefault(head, []).append(rule)
    gates: dict[str, list[int]] = {}
    for k, pattern in enumerate(patterns):
        for word in pattern.gate_words:
            gates.setdefault(word, []).append(k)
    return EntityRules(
        gate_index={k: tuple(v) for k, v in gates.items()},
        suffixes=suffixes,
        heads=heads,
        patterns=patterns,
        trim=frozenset(w.lower() for w in data.get("trim", [])),
        generic=_norms(data.get("generic", [])),
        head_index={k: tuple(v) for k, v in index.items()},
        generic_drugs=GenericNouns(
            _norms(generic.get("nouns", [])),
            _norms(generic.get("not_after", [])),
            _norms(generic.get("not_before", [])),
            frozenset(w.lower() for w in generic.get("study_words", [])),
            *(
                re.compile(generic[k], re.IGNORECASE) if generic.get(k) else None
                for k in (
                    "study_before",
                    "study_after",
                    "use_words",
                    "anchor_before",
                    "anchor_after",
                )
            ),
        ),
        named_measures=_norms(data.get("named_measures", [])),
        unmeasured_before=_norms(data.get("unmeasured_before", [])),
        serology=Serology(
            *(
                re.compile(serology[k], re.IGNORECASE) if serology.get(k) else None
                for k in ("agents", "before", "after")
            )
        ),
    )


@cache
def entity_rules() -> EntityRules:
    """The shipped word-shape rules, cached."""
    return load_entity_rules()


@cache
def measured_heads() -> frozenset[str]:
    """Normalized head nouns of things that are measured ("pressure", "area", "level" …)."""
    data = read_json("entity_patterns.json")
    heads = set(data.get("measured_heads", []))
    for rule in data.get("heads", []):
        if rule.get("type") == "measurement":
            heads.update(rule["heads"])
    return _norms(sorted(heads))


def _is_word(token: Token) -> bool:
    return token.text[0].isalpha()


def suffix_type(rules: EntityRules, norm: str) -> EntityType | None:
    """The type a normalized word's ending gives it, or None (memoized per word)."""
    known = rules.suffix_memo.get(norm, _UNSEEN)
    if known is not _UNSEEN:
        return known  # type: ignore[return-value]
    found: EntityType | None = None
    for rule in rules.suffixes:
        if (
            len(norm) >= rule.min_length
            and norm.endswith(rule.suffixes)
            and (not rule.prefixes or norm.startswith(rule.prefixes))
        ):
            found = None if norm in rule.exceptions else rule.type
            break
    if len(rules.suffix_memo) < _MEMO_LIMIT:
        rules.suffix_memo[norm] = found
    return found


def suffix_matches(rules: EntityRules, tokens: list[Token]) -> list[tuple[int, int, EntityType]]:
    """``(first, last, type)`` token ranges of words with a typed ending."""
    out: list[tuple[int, int, EntityType]] = []
    for i, tok in enumerate(tokens):
        if len(tok.text) < 5 or not tok.text.isalpha():
            continue
        etype = suffix_type(rules, tok.norm)
        if etype is not None:
            out.append((i, i + 1, etype))
    return out


def head_matches(
    rules: EntityRules, view: str, tokens: list[Token]
) -> list[tuple[int, int, EntityType, bool]]:
    """``(first, last, type, vocabulary rank)`` token ranges of head-noun phrases."""
    out: list[tuple[int, int, EntityType, bool]] = []
    trim = rules.trim
    for i, tok in enumerate(tokens):
        found = rules.head_index.get(tok.norm)
        if found is None:
            continue
        for rule in found:
            first, words = i, 0
            while first > 0:
                prev = tokens[first - 1]
                if not _is_word(prev) or prev.text.lower() in trim:
                    break
                if prev.start > 0 and view[prev.start - 1] in "/^":
                    break  # the unit of a number before ("3,000/mm3 Platelet count")
                if rule.capitalized and not prev.text[0].isupper():
                    break
                gap_start, gap_end = prev.end, tokens[first].start
                if not (gap_end - gap_start == 1 and view[gap_start] == "-"):  # same word
                    if words >= rule.left or _JOINER.match(view, gap_start, gap_end) is None:
                        break
                    words += 1
                first -= 1
            if rule.modifier and first == i:
                continue
            if first == i and tok.norm in rules.generic:
                continue
            if rule.case_sensitive_first and not tokens[first].text[0].isupper():
                continue
            out.append((first, i + 1, rule.type, rule.vocabulary))
    return out


def pattern_matches(
    rules: EntityRules, view: str, start: int, end: int, norms: set[str]
) -> list[tuple[int, int, EntityType, bool]]:
    """``(start, end, type, vocabulary rank)`` character spans of the gated regular expressions."""
    out: list[tuple[int, int, EntityType, bool]] = []
    opened = {k for word in norms for k in rules.gate_index.get(word, ())}
    chunk: str | None = None
    for k, rule in enumerate(rules.patterns):
        if k not in opened and (rule.gate_words or rule.gate_chars):
            if not rule.gate_chars:
                continue
            chunk = view[start:end] if chunk is None else chunk
            if not any(c in chunk for c in rule.gate_chars):
                continue
        for m in rule.pattern.finditer(view, start, end):
            span = "span" if "span" in rule.pattern.groupindex else 0
            s, e = m.span(span)
            if e > s:
                out.append((s, e, rule.type, rule.vocabulary))
    return out
