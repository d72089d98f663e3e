"""User text as PostgreSQL ``tsquery`` expressions over ``study_text`` (built without a database).

The words are read exactly as the SQLite backend reads them
(:func:`trialatlas.store.fts_query.fts_terms`, the Essie tree of
:mod:`trialatlas.store.essie_query`); each word or phrase reaches PostgreSQL only as a
bound parameter of ``phraseto_tsquery`` (stemmed by the ``trialatlas`` configuration),
combined with ``&&``, ``||`` and ``!!`` written here: no tsquery syntax leaks.

Fields are the ``study_text`` columns, named as the SQLite ``studies_fts`` columns; a
text limited to some fields is matched against their concatenation (a word in one
and another word in the other both count, as an FTS5 column filter does). Relevance is
FTS5's bm25 over the same phrases (:mod:`trialatlas.store.postgres.bm25`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from trialatlas.store.essie_query import And, Node, Not, Or, Phrase, Word, essie_fts, parse_essie
from trialatlas.store.fts_query import STOPWORDS, fts_terms
from trialatlas.store.postgres.schema import TEXT_CONFIG
from trialatlas.store.postgres.sql_text import Params

FIELDS = ("title", "conditions", "interventions", "keywords", "summary", "description")
# between two fields of one tsvector: a lexeme no query can ask for (queries hold letters
# and digits only), so a phrase never runs from one field into the next, as in FTS5
FIELD_BREAK = "'§:1'::tsvector"
_SEPARATORS = re.compile(r"[\W_]+")


def searchable(text: str) -> str:
    """``text`` as FTS5's ``unicode61 remove_diacritics 2`` tokenizer reads it: letters and
    digits, diacritics removed, everything else a word break. Both the indexed text and
    the query words go through it, so PostgreSQL's parser sees plain words only (no
    e-mail, URL, version or decimal-number tokens that FTS5 would split)."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SEPARATORS.sub(" ", bare).strip()


def phrase(words: Sequence[str], p: Params) -> str:
    """A tsquery of the words in a row (one word: that word)."""
    return f"phraseto_tsquery('{TEXT_CONFIG}', {p.add('w', searchable(' '.join(words)))})"


def match_terms(text: str) -> list[str]:
    """The words of ``text`` a search matches: function words left out unless the text
    has nothing else (as ``fts_match``)."""
    terms = fts_terms(text)
    return [t for t in terms if t not in STOPWORDS] or terms


def words_query(text: str, mode: str, p: Params) -> str | None:
    """Every word of ``text`` (``mode="all"``) or any of them (``"any"``), function words
    left out unless the text has nothing else (as ``fts_match``); None without words."""
    terms = match_terms(text)
    if not terms:
        return None
    joiner = " || " if mode == "any" else " && "
    return "(" + joiner.join(phrase([t], p) for t in terms) + ")"


def phrases_query(terms: Sequence[str], p: Params, limit: int | None = None) -> str | None:
    """Any of ``terms``, each a phrase of its words; None when no term has a word."""
    phrases: list[str] = []
    seen: set[str] = set()
    for term in terms:
        words = fts_terms(term)
        key = " ".join(words)
        if not words or key in seen:
            continue
        seen.add(key)
        phrases.append(phrase(words, p))
        if limit is not None and len(phrases) >= limit:
            break
    return "(" + " || ".join(phrases) + ")" if phrases else None


def field_vector(fields: Sequence[str] | None, alias: str = "st") -> str:
    """The tsvector of ``fields`` of ``study_text`` (all of them: the weighted document)."""
    if not fields:
        return f"{alias}.document"
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise ValueError(f"no such full-text column: {unknown[0]}")
    return "(" + f" || {FIELD_BREAK} || ".join(f"{alias}.{f}" for f in fields) + ")"


# -- the registry's Essie subset (the ClinicalTrials.gov-compatible API) ---------------


def _without_stopwords(children: tuple[Node, ...]) -> tuple[Node, ...]:
    words = [c for c in children if isinstance(c, Word)]
    if all(w.text in STOPWORDS for w in words) and len(words) == len(children):
        return children
    kept = tuple(c for c in children if not (isinstance(c, Word) and c.text in STOPWORDS))
    return kept if any(not isinstance(c, Not) for c in kept) else children


def essie_query(node: Node, p: Params) -> str:
    """A tsquery for an Essie tree (``NOT`` as ``!!``; an AND drops its function words)."""
    if isinstance(node, Word):
        return phrase([node.text], p)
    if isinstance(node, Phrase):
        return phrase(node.words, p)
    if isinstance(node, Not):
        return f"(!! {essie_query(node.child, p)})"
    if isinstance(node, Or):
        return "(" + " || ".join(essie_query(c, p) for c in node.children) + ")"
    children = _without_stopwords(node.children)
    return "(" + " && ".join(essie_query(c, p) for c in children) + ")"


def essie_phrases(node: Node) -> list[tuple[str, ...]]:
    """The phrases an Essie tree requires or offers (not those it excludes): what
    relevance ranks by, as FTS5 scores the phrases of a MATCH."""
    if isinstance(node, Word):
        return [(node.text,)]
    if isinstance(node, Phrase):
        return [node.words]
    if isinstance(node, Not):
        return []
    children = _without_stopwords(node.children) if isinstance(node, And) else node.children
    return [phrase for child in children for phrase in essie_phrases(child)]


def essie_match(text: str | None, fields: Sequence[str] | None, p: Params) -> str | None:
    """SQL true when a ``study_text`` row ``st`` matches the Essie ``text`` in ``fields``;
    ``"FALSE"`` for a text without words; None without text. Raises
    :class:`~trialatlas.store.essie_query.EssieError` as the SQLite backend does."""
    if not text:
        return None
    if essie_fts(text) is None:  # refuses what the SQLite backend refuses, alike
        return "FALSE"
    node = parse_essie(text)
    if node is None:
        return "FALSE"
    if isinstance(node, And | Not):
        parts = _without_stopwords(node.children) if isinstance(node, And) else (node,)
        if all(isinstance(c, Not) for c in parts):
            # a text that only excludes: every row without the excluded words
            excluded = " || ".join(essie_query(c.child, p) for c in parts if isinstance(c, Not))
            return f"NOT ({field_vector(fields)} @@ ({excluded}))"
    return f"{field_vector(fields)} @@ {essie_query(node, p)}"


__all__ = [
    "FIELDS",
    "essie_match",
    "essie_query",
    "FIELD_BREAK",
    "field_vector",
    "phrase",
    "phrases_query",
    "essie_phrases",
    "match_terms",
    "searchable",
    "words_query",
]
