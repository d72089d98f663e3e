"""Entity stage: vocabulary and rule matches typed as condition, drug, lab, ….

Sources, strongest first: the curated and corpus-derived lexicons
(``lexicon_curated.json``, ``lexicon_derived.json``), the shipped drug
dictionary (:mod:`.drugs`) and the word-shape rules of
``entity_patterns.json`` (:mod:`.entity_rules`: medical suffixes, drug stems,
head nouns such as "… disease" or "… level", gated patterns). Each item is
tokenized once; vocabularies are looked up token by token (dictionary look-ups,
never a regex per term). Overlaps are resolved vocabulary first, then longest,
then by source rank; spans already taken by time windows are left alone.
Drugs get their dictionary name, conditions their ICD-10 label in a later
pass (:mod:`.normalization`), so this stage stays cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from trialatlas.features.criteria.document import CriteriaDoc, Item, make_entity
from trialatlas.features.criteria.drugs import drug_matcher
from trialatlas.features.criteria.entity_rules import (
    EntityRules,
    GenericNouns,
    Serology,
    entity_rules,
    head_matches,
    pattern_matches,
    suffix_matches,
)
from trialatlas.features.criteria.items import inline_label_end
from trialatlas.features.criteria.lexicon import PhraseMatcher, Token
from trialatlas.features.criteria.rules import lexicon_terms
from trialatlas.model.criteria import EntityType

_ABBREVIATION_AFTER = re.compile(
    r"[ \t]*[(\[][ \t]*(?P<a>(?=[\w-]*[A-Z])[A-Za-z][\w-]{0,10})[ \t]*[)\]]"
)
_ABBREVIATION_BEFORE = re.compile(
    r"(?<![\w-])(?P<a>(?=[\w-]*[A-Z][\w-]*[A-Z])[A-Za-z][\w-]{0,10})[ \t]*[(\[][ \t]*$"
)
_ROMAN = re.compile(r"[IVX]+")
_WORDS = re.compile(r"[\w-]+")
# a short form ("MMF", "PCV13") listed with drugs: "prednisone, TAC, or MMF"
_SHORT_FORM = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*(?![\w-])")
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and/or|and|or)?|/|\band/or\b|\bor\b|\band\b)\s*")
_SHORT_FORM_MAX = 8
_ABBREVIATED_TYPES = frozenset({"condition", "drug", "procedure", "measurement", "device"})
_RANK_LEXICON = 0
_RANK_DRUGS = 1
_RANK_RULE = 2


@dataclass(slots=True)
class Candidate:
    """A possible entity before overlap resolution."""

    start: int
    end: int
    type: EntityType
    rank: int
    shape: bool = False  # found by a word-shape rule, not looked up in a vocabulary


Vocabulary = PhraseMatcher[EntityType | int]  # lexicon type, or a drug-dictionary concept index


@cache
def lexicon_matcher() -> PhraseMatcher[EntityType]:
    """Matcher over the curated + derived lexicons (built on first use)."""
    return PhraseMatcher(lexicon_terms().items(), max_tokens=8)


@cache
def vocabulary_matcher(use_drugs: bool = True) -> Vocabulary:
    """The drug dictionary and the lexicons in one matcher (one look-up per token)."""
    return combine_vocabularies(lexicon_matcher(), use_drugs)


def combine_vocabularies(lexicon: PhraseMatcher[EntityType], use_drugs: bool) -> Vocabulary:
    """Lexicon terms over the drug dictionary: the lexicon wins on a shared term."""
    return PhraseMatcher.merged(drug_matcher(), lexicon) if use_drugs else lexicon  # type: ignore[return-value]


def find_candidates(
    view: str,
    tokens: list[Token],
    start: int,
    end: int,
    vocabulary: Vocabulary | None = None,
    rules: EntityRules | None = None,
) -> list[Candidate]:
    """Every vocabulary and rule hit inside ``view[start:end]``."""
    rules = rules if rules is not None else entity_rules()
    vocabulary = vocabulary if vocabulary is not None else vocabulary_matcher()
    norms = {t.norm for t in tokens}
    # vocabulary-ranked patterns first: on the same span, the rule that reads the
    # context ("24 weeks **gestation**" measured) beats the context-free term
    patterns = pattern_matches(rules, view, start, end, norms)
    out = [Candidate(s, e, etype, _RANK_LEXICON, True) for s, e, etype, vocab in patterns if vocab]
    for m in vocabulary.find_all(tokens):
        if isinstance(m.payload, int):  # a drug-dictionary concept
            out.append(Candidate(m.start, m.end, "drug", _RANK_DRUGS))
        else:
            out.append(Candidate(m.start, m.end, m.payload, _RANK_LEXICON))
    for first, last, etype in suffix_matches(rules, tokens):
        out.append(Candidate(tokens[first].start, tokens[last - 1].end, etype, _RANK_RULE, True))
    for first, last, etype, vocabulary in head_matches(rules, view, tokens):
        rank = _RANK_LEXICON if vocabulary else _RANK_RULE
        out.append(Candidate(tokens[first].start, tokens[last - 1].end, etype, rank, True))
    for s, e, etype, vocab in patterns:
        if not vocab:
            out.append(Candidate(s, e, etype, _RANK_RULE, True))
    return out


_RESULT_AFTER = re.compile(r"[^.;\n]{0,40}?(?:\d|\b(?:positive|negative|ULN)\b)", re.IGNORECASE)
_RESULT_BEFORE = re.compile(r"(?:\d|\b(?:positive|negative)\b)[^.;\n\d]{0,20}$", re.IGNORECASE)


def inside(c: Candidate, spans: list[tuple[int, int]]) -> bool:
    """True when ``c`` lies strictly inside one of ``spans`` (shorter, not the same span)."""
    return any(s <= c.start and c.end <= e and c.end - c.start < e - s for s, e in spans)


def unmeasured(
    view: str,
    tokens: list[Token],
    start: int,
    end: int,
    candidates: list[Candidate],
    rules: EntityRules,
) -> tuple[list[Candidate], list[tuple[int, int]]]:
    """A measurement only a word shape suggests ("blood **sample**", "acceptable
    **level**", "SCID **Screen**") needs a result near it: a number, "positive",
    "× ULN" after it or a number just before, unless it names an instrument
    ("Rotterdam **criteria**": ``named_measures``). No measurement qualifies the
    word after it ("glucose **regulation**", "weight-**lowering**":
    ``unmeasured_before``). Returns the candidates kept and the spans of those
    left out (shorter candidates inside them stay out too)."""
    kept: list[Candidate] = []
    dropped: list[tuple[int, int]] = []
    last = {t.end: t.norm for t in tokens}
    following = {a.end: b.norm for a, b in zip(tokens, tokens[1:], strict=False)}
    for c in candidates:
        if c.type == "measurement" and following.get(c.end) in rules.unmeasured_before:
            dropped.append((c.start, c.end))  # "glucose regulation", "weight-lowering"
            continue
        if (
            c.type != "measurement"
            or not c.shape
            or last.get(c.end) in rules.named_measures
            or _RESULT_AFTER.match(view, c.end, end)
            or _RESULT_BEFORE.search(view, max(start, c.start - 24), c.start)
        ):
            kept.append(c)
        else:
            dropped.append((c.start, c.end))
    return kept, dropped


def refine_generic(
    tokens: list[Token], chosen: list[Candidate], rules: GenericNouns
) -> list[Candidate]:
    """Generic medicine nouns: "anticoagulant **medication**" joins the drug before it;
    alone, "the following medications:", "drug abuse", "drug screen" are left out."""
    if not rules.nouns:
        return chosen
    index = {t.start: i for i, t in enumerate(tokens)}
    out: list[Candidate] = []
    for c in chosen:
        i = index.get(c.start)
        if (
            c.type != "drug"
            or i is None
            or tokens[i].end != c.end
            or tokens[i].norm not in rules.nouns
        ):
            out.append(c)
            continue
        prev = out[-1] if out else None
        if prev is not None and prev.type == "drug" and i > 0 and tokens[i - 1].end == prev.end:
            out[-1] = Candidate(prev.start, c.end, "drug", prev.rank)
            continue
        before = tokens[i - 1].norm if i > 0 else ""
        after = tokens[i + 1].norm if i + 1 < len(tokens) else ""
        if before in rules.not_after or after in rules.not_before:
            continue
        out.append(c)
    return out


# an NCI sub-heading ("Age:", "Performance status:") may name what its limit bounds
_LABEL_TYPES = frozenset({"demographic", "measurement"})
_EPONYM_HEADS = frozenset({"syndrome", "disease", "palsy", "phenomenon", "anomaly", "sarcoma"})
_NOT_EPONYM = frozenset(
    {
        "Other",
        "Any",
        "Active",
        "Known",
        "Severe",
        "Chronic",
        "Acute",
        "History",
        "Current",
        "Significant",
        "Serious",
        "Major",
        "Prior",
        "Previous",
        "Untreated",
        "Uncontrolled",
        "Concurrent",
        "Documented",
        "Confirmed",
        "Diagnosis",
        "Evidence",
        "Presence",
        "Patients",
        "Subjects",
        "No",
        "Not",
        "The",
        "A",
        "An",
        "Or",
        "And",
        "With",
        "Without",
        "Mild",
        "Moderate",
        "Stable",
        "Unstable",
        "Rare",
        "Inherited",
        "Genetic",
        "Congenital",
    }
)


def eponyms(tokens: list[Token], chosen: list[Candidate]) -> list[Candidate]:
    """A bare "syndrome" or "disease" after a capitalised name is that named condition:
    "Asperger syndrome", "Cushing's disease", "Down syndrome" (not "Other syndrome")."""
    index = {t.start: i for i, t in enumerate(tokens)}
    out: list[Candidate] = []
    for c in chosen:
        i = index.get(c.start)
        if c.type == "condition" and i is not None and i > 0 and tokens[i].end == c.end:
            name = tokens[i - 1]
            if (
                tokens[i].norm in _EPONYM_HEADS
                and name.text[:1].isupper()
                and name.text[1:2].islower()
                and name.text not in _NOT_EPONYM
                and not any(o.start <= name.start < o.end for o in chosen)
            ):
                c = Candidate(name.start, c.end, c.type, c.rank)
        out.append(c)
    return out


_CLASS_HEADS = frozenset(
    {
        "agonist",
        "agonists",
        "antagonist",
        "antagonists",
        "analog",
        "analogs",
        "analogue",
        "analogues",
        "inhibitor",
        "inhibitors",
        "blocker",
        "blockers",
        "modulator",
        "modulators",
    }
)


def drug_classes(tokens: list[Token], chosen: list[Candidate]) -> list[Candidate]:
    """A name before "agonist", "inhibitor", "blocker" … is a class of drugs: "LHRH
    agonist", "PD-1 inhibitor", "EGFR inhibitors" (a target named alone stays what it is)."""
    index = {t.end: i for i, t in enumerate(tokens)}
    taken = {(c.start, c.end) for c in chosen}
    out: list[Candidate] = []
    for c in chosen:
        i = index.get(c.end)
        if (
            c.type in ("drug", "measurement", "condition")
            and i is not None
            and i + 1 < len(tokens)
            and tokens[i + 1].norm in _CLASS_HEADS
            and not any(
                s <= tokens[i + 1].start < e for s, e in taken if (s, e) != (c.start, c.end)
            )
        ):
            c = Candidate(c.start, tokens[i + 1].end, "drug", c.rank)
        out.append(c)
    return out


def dates_only(view: str, start: int, c: Candidate, rules: GenericNouns) -> bool:
    """True when a study-product mention only dates something ("before receiving **study
    drug**", "first **study drug** administration")."""
    if rules.anchor_before is not None and rules.anchor_before.search(
        view, max(start, c.start - 60), c.start
    ):
        return True
    return rules.anchor_after is not None and rules.anchor_after.match(view, c.end) is not None


def drop_study_kinds(
    view: str, start: int, chosen: list[Candidate], rules: GenericNouns
) -> list[Candidate]:
    """Kinds of other trials are no medicines taken: "participating in an
    **investigational drug** or device study" has no drug entity (``study_*`` rules);
    nor is the study's own product when it only dates something ("prior to the
    first dose of **study drug**", "after last **study drug** administration":
    ``anchor_*`` rules)."""
    if not rules.study_words or rules.study_before is None and rules.study_after is None:
        return chosen
    out: list[Candidate] = []
    for c in chosen:
        words = _WORDS.findall(view[c.start : c.end].lower())
        if c.type == "drug" and words and all(w in rules.study_words for w in words):
            if dates_only(view, start, c, rules):
                continue
            before = None
            if rules.study_before is not None:
                before = rules.study_before.search(view, max(start, c.start - 120), c.start)
            if before is not None and rules.use_words and rules.use_words.search(before.group()):
                before = None
            after = rules.study_after.match(view, c.end) if rules.study_after else None
            if before is not None or after is not None:
                continue
        out.append(c)
    return out


def listed_short_forms(
    view: str, start: int, end: int, chosen: list[Candidate], taken: list[tuple[int, int]]
) -> list[Candidate]:
    """Untyped short forms in a list with a drug are drugs: "prednisone, **TAC**, or
    **MMF**", "DTaP, **IPV**, **PCV13**" (each found one extends the list)."""
    drugs = [(c.start, c.end) for c in chosen if c.type == "drug"]
    if not drugs:
        return []
    occupied = [(c.start, c.end) for c in chosen] + taken
    forms = [
        m.span()
        for m in _SHORT_FORM.finditer(view, start, end)
        if m.end() - m.start() <= _SHORT_FORM_MAX
        and not any(m.start() < oe and os < m.end() for os, oe in occupied)
    ]
    out: list[Candidate] = []
    grown = True
    while grown and forms:
        grown = False
        for s, e in list(forms):
            if any(
                _LIST_GAP.fullmatch(view, de, s) or _LIST_GAP.fullmatch(view, e, ds)
                for ds, de in drugs
                if de <= s or e <= ds
            ):
                out.append(Candidate(s, e, "drug", _RANK_RULE))
                drugs.append((s, e))
                forms.remove((s, e))
                grown = True
    return out


def resolve(candidates: list[Candidate], taken: list[tuple[int, int]]) -> list[Candidate]:
    """Non-overlapping choice: vocabularies first, then longest, best rank, leftmost.

    ``taken`` spans (time windows) block every candidate. Other time
    expressions are a layer of their own: a temporal candidate competes only
    with time expressions, so "prior to **stent placement**" keeps both its
    time phrase and its procedure.
    """
    chosen: list[Candidate] = []
    occupied: dict[bool, list[tuple[int, int]]] = {True: list(taken), False: list(taken)}
    for c in sorted(
        candidates, key=lambda c: (c.rank > _RANK_DRUGS, -(c.end - c.start), c.rank, c.start)
    ):
        layer = occupied[c.type == "temporal"]
        if any(c.start < e and s < c.end for s, e in layer):
            continue
        chosen.append(c)
        layer.append((c.start, c.end))
    chosen.sort(key=lambda c: c.start)
    return chosen


class EntityFinder:
    """Stage: add typed entities to every item (after the window stage)."""

    def __init__(
        self,
        use_drug_dictionary: bool = True,
        rules: EntityRules | None = None,
        lexicon: dict[str, EntityType] | None = None,
    ) -> None:
        """``rules`` default to ``entity_patterns.json``; ``lexicon`` (term → type)
        to the shipped curated + derived lexicons."""
        self.use_drug_dictionary = use_drug_dictionary
        self.rules = rules
        self.lexicon = lexicon
        self._vocabulary: Vocabulary | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        """The matcher this stage looks terms up in (built on first use)."""
        if self._vocabulary is None:
            if self.lexicon is None:
                self._vocabulary = vocabulary_matcher(self.use_drug_dictionary)
            else:
                own = PhraseMatcher(self.lexicon.items(), max_tokens=8)
                self._vocabulary = combine_vocabularies(own, self.use_drug_dictionary)
        return self._vocabulary

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            self.annotate(doc, item)
        return doc

    def annotate(self, doc: CriteriaDoc, item: Item) -> None:
        """Entities of one item, appended to ``item.entities``."""
        tokens = item.words(doc.view)
        candidates = find_candidates(
            doc.view, tokens, item.start, item.end, self.vocabulary, self.rules
        )
        rules = self.rules if self.rules is not None else entity_rules()
        kept, dropped = unmeasured(doc.view, tokens, item.start, item.end, candidates, rules)
        taken = [(e.start, e.end) for e in item.entities if e.type == "temporal"]
        chosen = [
            c
            for c in resolve(kept, taken)
            if c.end - c.start >= 2
            and (c.type in ("measurement", "temporal") or not inside(c, dropped))
        ]
        chosen = refine_generic(tokens, chosen, rules.generic_drugs)
        chosen = eponyms(tokens, chosen)
        chosen = drug_classes(tokens, chosen)
        chosen = drop_study_kinds(doc.view, item.start, chosen, rules.generic_drugs)
        chosen += abbreviations(doc.view, item.end, chosen, taken)
        chosen += listed_short_forms(doc.view, item.start, item.end, chosen, taken)
        chosen += serology_results(doc.view, item.start, item.end, chosen, rules.serology)
        label_end = inline_label_end(doc.view, item.start, item.end)
        for c in chosen:
            if label_end is not None and c.end <= label_end and c.type not in _LABEL_TYPES:
                continue  # "Hepatic: …", "Chemotherapy: No prior chemotherapy": a sub-heading
            item.entities.append(make_entity(c.type, doc.source, c.start, c.end))
        item.entities.sort(key=lambda e: e.start)


def serology_results(
    view: str, start: int, end: int, chosen: list[Candidate], rules: Serology
) -> list[Candidate]:
    """An infection named with a test result is measured too: "**HIV** positive",
    "positive for **hepatitis B**", "**HBsAg** reactive". The measurement shares the
    entity's span; the condition stays (the pre-screener asks about the infection)."""
    if rules.agents is None or rules.before is None and rules.after is None:
        return []
    measured = {(c.start, c.end) for c in chosen if c.type == "measurement"}
    out: list[Candidate] = []
    for c in chosen:
        if c.type == "measurement" or (c.start, c.end) in measured:
            continue
        agent = rules.agents.fullmatch(view, c.start, c.end)
        if agent is None:
            continue
        hit = "result" in agent.re.groupindex and agent.group("result") is not None  # "HIV+"
        hit = hit or rules.after is not None and rules.after.match(view, c.end, end) is not None
        if not hit and rules.before is not None:
            hit = rules.before.search(view, max(start, c.start - 90), c.start) is not None
        if hit:
            out.append(Candidate(c.start, c.end, "measurement", _RANK_RULE))
            measured.add((c.start, c.end))
    return out


def abbreviations(
    view: str, limit: int, chosen: list[Candidate], taken: list[tuple[int, int]]
) -> list[Candidate]:
    """Short forms that define an entity take its type: "Tuberculin Skin Test (**TST**)",
    "**ALT** (alanine aminotransferase)"."""
    occupied = [(c.start, c.end) for c in chosen] + taken
    out: list[Candidate] = []
    for c in chosen:
        if c.type not in _ABBREVIATED_TYPES:
            continue
        m = _ABBREVIATION_AFTER.match(view, c.end, limit)
        if m is None:
            m = _ABBREVIATION_BEFORE.search(view, max(0, c.start - 16), c.start)
        if m is None or m.group("a").lower() == view[c.start : c.end].lower():
            continue
        if _ROMAN.fullmatch(m.group("a")):
            continue  # "(IV)", "(II)": a stage or route, not a short form
        s, e = m.span("a")
        if any(s < oe and os < e for os, oe in occupied):
            continue
        out.append(Candidate(s, e, c.type, _RANK_RULE))
        occupied.append((s, e))
    return out
