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
pass (:mod:`.normalization`), so this stage stays cheap. Candidates are found and
chosen in :mod:`.entity_candidates`, corrected in :mod:`.entity_refinements` and
extended in :mod:`.inferred_entities`.
"""

from __future__ import annotations

from trialatlas.features.criteria.document import CriteriaDoc, Item, make_entity
from trialatlas.features.criteria.entity_candidates import (
    Vocabulary,
    combine_vocabularies,
    find_candidates,
    inside,
    resolve,
    unmeasured,
    vocabulary_matcher,
)
from trialatlas.features.criteria.entity_refinements import (
    drop_study_kinds,
    drug_classes,
    eponyms,
    refine_generic,
)
from trialatlas.features.criteria.entity_rules import EntityRules, entity_rules
from trialatlas.features.criteria.inferred_entities import (
    abbreviations,
    listed_short_forms,
    serology_results,
)
from trialatlas.features.criteria.items import inline_label_end
from trialatlas.features.criteria.lexicon import PhraseMatcher
from trialatlas.model.criteria import EntityType

# an NCI sub-heading ("Age:", "Performance status:") may name what its limit bounds
_LABEL_TYPES = frozenset({"demographic", "measurement"})


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
