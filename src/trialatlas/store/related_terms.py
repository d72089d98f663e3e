"""The term neighbours and term counts of the related-trials feature, as every backend
answers them (no SQL here; each backend reads the holders of a term its own way).

``term_neighbours`` finds the trials that share a MeSH browse term (conditions and
interventions) or a condition or intervention name (case-insensitive) with a trial.
Each shared term weighs its inverse document frequency, so a rare shared treatment
counts more than a shared "Neoplasms"; terms held by more than a small share of the
store say nothing and are not followed at all (which also bounds the rows read at
600k studies).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from trialatlas.store.fts_query import fts_terms

# a term held by more than this share of the store is not followed to its trials
MAX_TERM_SHARE = 0.02
MIN_TERM_CAP = 50  # … but a small store still follows terms up to this many trials

# field → (table, column, kind filter) of the exact-term lookups
TERM_TABLES: dict[str, tuple[str, str, str | None]] = {
    "condition_mesh": ("mesh_terms", "term", "condition"),
    "intervention_mesh": ("mesh_terms", "term", "intervention"),
    "condition_names": ("conditions", "name", None),
    "intervention_names": ("interventions", "name", None),
}
MESH_FIELDS = ("condition_mesh", "intervention_mesh")  # counted as exact terms
WORD_FIELDS = frozenset({"conditions", "interventions"})  # counted by their words


def term_cap(total: int) -> int:
    """The most trials a term may have to be followed, in a store of ``total`` studies."""
    return max(MIN_TERM_CAP, int(total * MAX_TERM_SHARE))


def neighbours_by_idf(
    nct_id: str,
    own_terms: Mapping[str, Sequence[str]],
    total: int,
    limit: int,
    holders: Callable[[str, str], list[str]],
) -> list[tuple[str, float]]:
    """The ``limit`` trials with the highest summed IDF of the terms they share with
    ``nct_id`` (``own_terms``: its terms by field), best first, ties by NCT ID.
    ``holders(field, term)`` gives the trials holding a term, up to
    ``term_cap(total) + 1`` of them (a term with more, or fewer than two, is left out)."""
    cap = term_cap(total)
    scores: dict[str, float] = {}
    for field, terms in own_terms.items():
        for term in terms:
            held = holders(field, term)
            if len(held) > cap or len(held) < 2:
                continue  # too common to say anything, or held by this trial alone
            weight = math.log(total / len(held))
            for other in held:
                if other != nct_id:
                    scores[other] = scores.get(other, 0.0) + weight
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(nct, round(weight, 4)) for nct, weight in ranked[:limit]]


def term_counts(
    field: str,
    terms: Sequence[str],
    exact: Callable[[str], int],
    all_words: Callable[[list[str]], int],
) -> dict[str, int]:
    """Trials holding each term: ``exact(term)`` for a MeSH field, else
    ``all_words(words)``, the trials holding every word of the term in the text field
    (0 for a term without words). :class:`ValueError` for an unknown field."""
    if field in MESH_FIELDS:
        return {term: exact(term) for term in dict.fromkeys(terms)}
    if field not in WORD_FIELDS:
        raise ValueError(f"no such term field: {field}")
    out: dict[str, int] = {}
    for term in dict.fromkeys(terms):
        words = fts_terms(term)
        out[term] = all_words(words) if words else 0
    return out
