"""The shipped drug dictionary: names, brands and drug classes → a preferred name.

The dictionary is the one ``drug-named-entity-recognition`` ships (DrugBank,
MeSH and NHS names; offline). Importing that package builds an n-gram index
for fuzzy search (about three seconds), so only its pickled dictionary is read,
on first use (about one second), never at import time.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trialatlas.features.criteria.lexicon import PhraseMatcher
from trialatlas.features.criteria.rules import stop_terms


@dataclass(frozen=True, slots=True)
class DrugConcept:
    """A dictionary entry: preferred name and its MeSH or DrugBank id."""

    name: str
    code: str | None
    system: str | None
    is_class: bool


def _dictionary_path() -> Path | None:
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "drug_ner_dictionary.pkl.bz2"
    return path if path.exists() else None


@cache
def drug_matcher() -> PhraseMatcher[DrugConcept]:
    """Matcher over every drug variant of the dictionary (empty if not installed)."""
    matcher: PhraseMatcher[DrugConcept] = PhraseMatcher(max_tokens=5)
    path = _dictionary_path()
    if path is None:
        return matcher
    try:
        with bz2.open(path, "rb") as fh:
            data = pickle.load(fh)  # the package's own shipped file
    except (OSError, pickle.UnpicklingError, EOFError):
        return matcher
    canon = data.get("drug_canonical_to_data", {})
    stop = stop_terms()
    concepts: dict[str, DrugConcept] = {}
    for variant, canonicals in data.get("drug_variant_to_canonical", {}).items():
        if not canonicals or len(variant) < 4 or "," in variant or variant in stop:
            continue
        key = canonicals[0]
        concept = concepts.get(key)
        if concept is None:
            info = canon.get(key, {})
            mesh, bank = info.get("mesh_id"), info.get("drugbank_id")
            concept = DrugConcept(
                name=info.get("name") or key,
                code=bank or mesh,
                system="DrugBank" if bank else ("MeSH" if mesh else None),
                is_class=bank is None
                and bool(info.get("mesh_tree"))
                and any(str(t).startswith("D27") for t in info.get("mesh_tree", [])),
            )
            concepts[key] = concept
        matcher.add(variant, concept)
    return matcher


def lookup_drug(text: str) -> DrugConcept | None:
    """The dictionary concept for a drug name as written, or None."""
    return drug_matcher().get(text)
