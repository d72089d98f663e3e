"""Turn any user text into a safe FTS5 MATCH expression (the store's query builder)."""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_MAX_TERMS = 32

# Function words that nearly every registry record holds: requiring them finds nothing
# more and costs a walk through most of the index. Left out of a match unless the
# text has no other word ("children with asthma" matches as children AND asthma).
STOPWORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "which",
    "who", "with",
])  # fmt: skip

# bm25 weights of studies_fts columns: title, conditions, interventions, keywords, summary, description
FTS_WEIGHTS = (10.0, 8.0, 6.0, 4.0, 2.0, 1.0)


def fts_words(text: str, limit: int | None = None) -> list[str]:
    """The distinct words of ``text`` in order, lower-cased, as the full-text index splits
    them; at most ``limit`` (all without one)."""
    seen: dict[str, None] = {}
    for match in _WORD_RE.finditer(text or ""):
        seen[match.group(0).lower().replace("’", "'")] = None
        if limit is not None and len(seen) >= limit:
            break
    return list(seen)


def fts_terms(text: str) -> list[str]:
    """The words of ``text`` in order, lower-cased, deduplicated, at most 32."""
    return fts_words(text, _MAX_TERMS)


def fts_match(text: str, mode: str = "all") -> str | None:
    """A MATCH expression where every word is a quoted string (no FTS syntax leaks).

    ``mode="all"`` requires every word, ``"any"`` at least one; stopwords count only
    when the text has nothing else (:data:`STOPWORDS`). None when no words.
    """
    terms = fts_terms(text)
    if not terms:
        return None
    terms = [t for t in terms if t not in STOPWORDS] or terms
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    return (" OR " if mode == "any" else " AND ").join(quoted)
