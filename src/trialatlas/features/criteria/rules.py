"""Typed rule objects for the criteria stages, loaded from JSON data files.

The rules live in ``trialatlas/data/criteria/*.json`` (shipped with the
package); each stage accepts the default rules, rules loaded from another path,
or an explicit list. Files are read on first use and cached, never at import.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from trialatlas.model.criteria import CriterionKind, EntityType

ContextCategory = Literal[
    "NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HISTORICAL", "PSEUDO", "TERMINATE"
]
Direction = Literal["forward", "backward", "bidirectional", "pseudo", "terminate"]

ENTITY_TYPES: frozenset[str] = frozenset(get_args(EntityType))
DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "criteria"


def data_path(name: str | Path) -> Path:
    """A bare file name is looked up in the shipped data package; a path is kept."""
    return Path(name) if isinstance(name, Path) or "/" in str(name) else DATA_DIR / name


def read_json(name: str | Path) -> Any:
    """Read a rules file (``.json``, or ``.json.gz`` for the compiled vocabularies)."""
    path = data_path(name)
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    return json.loads(path.read_text(encoding="utf-8"))


def read_compiled(name: str) -> Any | None:
    """A compiled vocabulary from the data package, or None when it was not built."""
    try:
        return read_json(name)
    except (OSError, ValueError):
        return None


def write_json(name: str | Path, data: Any) -> Path:
    """Write a data file (gzip-compressed, reproducibly, for ``.gz``); returns its path."""
    path = data_path(name)
    if path.suffix == ".gz":
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        with path.open("wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
            gz.write(raw.encode("utf-8"))
    else:
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True, slots=True)
class SectionRule:
    """A header line pattern; ``kind`` None marks a sub-header that keeps the kind."""

    pattern: re.Pattern[str]
    kind: CriterionKind | None
    strong: bool = False  # the header may be followed by criterion text on the same line


@dataclass(frozen=True, slots=True)
class ContextRule:
    """A ConText trigger (after medspaCy's ``ConTextRule``)."""

    literal: str
    category: ContextCategory
    direction: Direction
    max_scope: int | None = None  # in tokens; None = to the end of the sentence
    allowed_types: frozenset[str] | None = None  # entity types it may mark; None = all
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        words = [re.escape(w) for w in self.literal.lower().split()]
        body = r"\s+".join(words)
        object.__setattr__(self, "pattern", re.compile(rf"(?<![\w-]){body}(?![\w])", re.IGNORECASE))


@cache
def section_rules() -> tuple[SectionRule, ...]:
    """The shipped header rules (``sections.json``)."""
    data = read_json("sections.json")
    return tuple(
        SectionRule(re.compile(r["pattern"], re.IGNORECASE), r.get("kind"), bool(r.get("strong")))
        for r in data["headers"]
    )


@cache
def inline_label_pattern() -> re.Pattern[str] | None:
    """NCI sub-headings written inline ("Age:", "Performance status:"; ``sections.json``
    ``inline_labels``), longest first, each followed by its colon; None when none listed."""
    labels = read_json("sections.json").get("inline_labels", [])
    if not labels:
        return None
    names = "|".join(
        re.escape(x).replace(r"\ ", r"\s+") for x in sorted(labels, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{names}):(?=\s)", re.IGNORECASE)


def load_context_rules(source: str | Path = "context_rules.json") -> tuple[ContextRule, ...]:
    """ConText triggers from a JSON file with a ``context_rules`` list.

    A rule's ``allowed_types`` default to the file's ``allowed_types`` for its
    category (as medspaCy's ``allowed_types``); absent both, it marks any type.
    """
    data = read_json(source)
    defaults = data.get("allowed_types", {})
    return tuple(context_rule(r, defaults) for r in data["context_rules"])


def context_rule(entry: dict[str, Any], default_types: dict[str, list[str]]) -> ContextRule:
    """One ConText trigger from its JSON entry; ``allowed_types`` default to
    ``default_types`` of its category."""
    allowed = entry.get("allowed_types", default_types.get(entry["category"]))
    return ContextRule(
        literal=entry["literal"],
        category=entry["category"],
        direction=entry["direction"],
        max_scope=entry.get("max_scope"),
        allowed_types=frozenset(allowed) if allowed is not None else None,
    )


@dataclass(frozen=True, slots=True)
class PrefixNegation:
    """``non-pregnant``: a prefix right before an entity negates it, unless it names a thing."""

    prefixes: tuple[str, ...] = ()
    compounds: frozenset[str] = frozenset()  # first words that make "non-…" a name
    allowed_types: frozenset[str] = frozenset()


def load_prefix_negation(source: str | Path = "context_rules.json") -> PrefixNegation:
    """The ``prefix_negation`` block of a context rules file (none: nothing is negated)."""
    data = read_json(source)
    block = data.get("prefix_negation") or {}
    allowed = data.get("allowed_types", {}).get("NEGATED_EXISTENCE", sorted(ENTITY_TYPES))
    return PrefixNegation(
        prefixes=tuple(p.lower() for p in block.get("prefixes", [])),
        compounds=frozenset(w.lower() for w in block.get("compounds", [])),
        allowed_types=frozenset(allowed),
    )


@cache
def prefix_negation() -> PrefixNegation:
    """The shipped prefix negation rule, cached."""
    return load_prefix_negation()


@cache
def context_rules() -> tuple[ContextRule, ...]:
    """The shipped ConText triggers, cached."""
    return load_context_rules()


@cache
def exclusion_prohibitions() -> frozenset[str]:
    """Triggers that restate the exclusion in an exclusion criterion (``context_rules.json``)."""
    return frozenset(read_json("context_rules.json").get("exclusion_prohibitions", []))


@cache
def lexicon_terms() -> dict[str, EntityType]:
    """Term → entity type: the shipped derived lexicon merged with the curated one.

    ``lexicon_derived.json`` is built by ``scripts/build_criteria_lexicons.py``
    from annotated training criteria (see :func:`merge_lexicons`).
    """
    try:
        derived = read_json("lexicon_derived.json")
    except FileNotFoundError:
        derived = {"terms": {}}
    return merge_lexicons(derived.get("terms", {}))


def merge_lexicons(derived: dict[str, list[str]]) -> dict[str, EntityType]:
    """Term → entity type from derived terms (type → terms) and the curated files.

    The condition synonyms of ``conditions.json`` are added as conditions;
    ``lexicon_curated.json`` is hand-kept and wins on conflicts; its
    ``generic`` terms ("drugs", "investigational product") are dropped.
    """
    terms: dict[str, EntityType] = {}
    for etype, words in derived.items():
        if etype not in ENTITY_TYPES:
            continue  # a type the model does not know is never emitted
        for w in words:
            terms[" ".join(w.lower().split())] = etype  # type: ignore[assignment]
    for synonym in read_json("conditions.json").get("synonyms", {}):
        terms.setdefault(" ".join(synonym.lower().split()), "condition")
    curated = read_json("lexicon_curated.json")
    for etype, words in curated.get("terms", {}).items():
        if etype not in ENTITY_TYPES:
            continue
        for w in words:
            terms[" ".join(w.lower().split())] = etype
    for w in curated.get("generic", []):
        terms.pop(" ".join(w.lower().split()), None)
    return terms


@cache
def stop_terms() -> frozenset[str]:
    """Words the drug dictionary never tags on their own (common words, symptoms …)."""
    data = read_json("lexicon_curated.json")
    return frozenset(" ".join(w.lower().split()) for w in data.get("stop", []))


@cache
def window_anchors() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Reference events of time windows: pattern → anchor name (``windows.json``)."""
    data = read_json("windows.json")
    return tuple((re.compile(a["pattern"], re.IGNORECASE), a["anchor"]) for a in data["anchors"])


@cache
def value_context() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Words before / after a duration that make it a value (``windows.json``)."""
    data = read_json("windows.json").get("value_context", {})
    never = r"(?!)"
    before = re.compile(data.get("before") or never, re.IGNORECASE)
    after = re.compile(data.get("after") or never, re.IGNORECASE)
    return before, after


@cache
def unit_aliases() -> dict[str, str]:
    """Written unit → pint expression (``units.json``)."""
    return dict(read_json("units.json")["aliases"])
