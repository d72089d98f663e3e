"""The shipped drug dictionary: names, brands and drug classes → a preferred name.

The source is the dictionary ``drug-named-entity-recognition`` ships (DrugBank,
MeSH and NHS names; offline). Reading its pickle takes seconds, so
``scripts/build_criteria_lexicons.py`` compiles it once into
``data/criteria/drug_lexicon.json.gz``: every variant as its token key (see
:func:`.lexicon.term_key`) pointing at a compact concept (preferred name, id,
id system, whether it is a drug class). The parser reads that file on first
use (a fraction of a second), never at import; without it the package's
dictionary is compiled in process instead. The curated ``stop`` list is applied
when the matcher is built, so editing it needs no rebuild.
"""

from __future__ import annotations

import bz2
import importlib.metadata
import importlib.util
import pickle
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from trialatlas.features.criteria.lexicon import PhraseMatcher, term_key
from trialatlas.features.criteria.rules import read_compiled, stop_terms

DRUG_LEXICON = "drug_lexicon.json.gz"
_PACKAGE = "drug_named_entity_recognition"
MAX_TOKENS = 5


@dataclass(frozen=True, slots=True)
class DrugConcept:
    """A dictionary entry: preferred name and its MeSH or DrugBank id."""

    name: str
    code: str | None
    system: str | None
    is_class: bool


def _dictionary_path() -> Path | None:
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "drug_ner_dictionary.pkl.bz2"
    return path if path.exists() else None


def _concept(key: str, info: dict[str, Any]) -> list[Any]:
    mesh, bank = info.get("mesh_id"), info.get("drugbank_id")
    trees = info.get("mesh_tree") or []
    is_class = bank is None and any(str(t).startswith("D27") for t in trees)
    system = "DrugBank" if bank else ("MeSH" if mesh else None)
    return [info.get("name") or key, bank or mesh, system, is_class]


def compile_drug_lexicon() -> dict[str, Any]:
    """The package dictionary as ``{"concepts": [...], "terms": {key: concept index}}``.

    Variants shorter than four characters, with a comma (combination
    products) or longer than ``MAX_TOKENS`` tokens are left out. Empty when the
    package is not installed.
    """
    out: dict[str, Any] = {"source": None, "concepts": [], "terms": {}}
    path = _dictionary_path()
    if path is None:
        return out
    try:
        with bz2.open(path, "rb") as fh:
            data = pickle.load(fh)  # the package's own shipped file
    except (OSError, pickle.UnpicklingError, EOFError):
        return out
    try:
        version = importlib.metadata.version("drug-named-entity-recognition")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    out["source"] = f"drug-named-entity-recognition {version}"
    canon = data.get("drug_canonical_to_data", {})
    index: dict[str, int] = {}
    for variant, canonicals in data.get("drug_variant_to_canonical", {}).items():
        if not canonicals or len(variant) < 4 or "," in variant:
            continue
        key = term_key(variant)
        if not key or len(key) > MAX_TOKENS:
            continue
        name = canonicals[0]
        if name not in index:
            index[name] = len(out["concepts"])
            out["concepts"].append(_concept(name, canon.get(name, {})))
        out["terms"][" ".join(key)] = index[name]
    return out


@cache
def _compiled() -> dict[str, Any]:
    data = read_compiled(DRUG_LEXICON)
    return data if isinstance(data, dict) and "terms" in data else compile_drug_lexicon()


@cache
def drug_matcher() -> PhraseMatcher[int]:
    """Matcher over every drug variant of the compiled dictionary → concept index."""
    data = _compiled()
    matcher = PhraseMatcher.from_keys(data["terms"], max_tokens=MAX_TOKENS)
    for word in stop_terms():
        matcher.discard(word)
    return matcher


@cache
def _concepts() -> list[DrugConcept]:
    return [DrugConcept(str(n), c, s, bool(k)) for n, c, s, k in _compiled()["concepts"]]


def lookup_drug(text: str) -> DrugConcept | None:
    """The dictionary concept for a drug name as written, or None."""
    idx = drug_matcher().get(text)
    concepts = _concepts()
    return concepts[idx] if idx is not None and 0 <= idx < len(concepts) else None
