"""Token-level longest-match phrase lookup (the matcher behind every vocabulary).

Text and terms are tokenized alike: lower case, hyphens and most punctuation
dropped, a plural ``s`` stripped (``anti-inflammatory agents`` and ``anti
inflammatory agent`` give the same key), so a term matches its common variants.
Token offsets point into the text searched, so matches map straight back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|[+/&%,;:()\[\]]", re.UNICODE)
_KEEP_S = ("ss", "us", "is", "ys", "as", "os")


@lru_cache(maxsize=65536)
def normalize_token(token: str) -> str:
    """Lower case; a plural ``s`` removed from words longer than four letters."""
    low = token.lower().replace("’", "'")
    if len(low) > 4 and low.endswith("s") and not low.endswith(_KEEP_S):
        low = low[:-1]
        if low.endswith("ie") and len(low) > 4:
            low = low[:-2] + "y"
    return low


@dataclass(slots=True)
class Token:
    """A word of the text with its offsets and normalized form."""

    text: str
    start: int
    end: int
    norm: str


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text``."""
    stop = len(text) if end is None else end
    return [
        Token(m.group(), m.start(), m.end(), normalize_token(m.group()))
        for m in _TOKEN.finditer(text, start, stop)
    ]


def term_key(term: str) -> tuple[str, ...]:
    """The lookup key of a vocabulary term."""
    return tuple(normalize_token(t) for t in _TOKEN.findall(term))


@dataclass(slots=True)
class Match(Generic[T]):
    """A vocabulary hit: token range, character offsets and the stored payload."""

    first: int
    last: int  # exclusive token index
    start: int
    end: int
    payload: T


class PhraseMatcher(Generic[T]):
    """Longest-match lookup of multi-word terms over a token list.

    Terms are stored under their key joined by spaces, plus the set of every
    proper prefix of a multi-word term. Matching at a token extends the
    phrase one token at a time only while it is still the prefix of some
    term, so a token that starts no term costs one set look-up and the cost
    per token does not grow with the size of the vocabulary.
    """

    def __init__(self, terms: Iterable[tuple[str, T]] = (), max_tokens: int = 8) -> None:
        self._table: dict[str, T] = {}
        self._prefixes: set[str] = set()
        self.max_tokens = max_tokens
        for term, payload in terms:
            self.add(term, payload)

    @classmethod
    def from_keys(cls, table: dict[str, T], max_tokens: int = 8) -> PhraseMatcher[T]:
        """A matcher over ``{"space joined key": payload}`` (adopted, not copied)."""
        matcher: PhraseMatcher[T] = cls(max_tokens=max_tokens)
        prefixes = matcher._prefixes
        for joined in table:
            cut = joined.rfind(" ")
            while cut > 0:
                prefix = joined[:cut]
                if prefix in prefixes:
                    break  # its own prefixes are in already
                prefixes.add(prefix)
                cut = joined.rfind(" ", 0, cut)
        matcher._table = table
        return matcher

    @classmethod
    def merged(cls, *matchers: PhraseMatcher[Any]) -> PhraseMatcher[Any]:
        """One matcher over the terms of several (a later matcher wins on a shared term)."""
        out: PhraseMatcher[Any] = cls(max_tokens=max((m.max_tokens for m in matchers), default=8))
        for m in matchers:
            out._table.update(m._table)
            out._prefixes |= m._prefixes
        return out

    def add(self, term: str, payload: T) -> None:
        """Add (or replace) one term."""
        self.add_key(term_key(term), payload)

    def add_key(self, key: tuple[str, ...] | list[str], payload: T) -> None:
        """Add (or replace) a term given as its normalized key."""
        if not key or len(key) > self.max_tokens:
            return
        self._table[" ".join(key)] = payload
        for n in range(1, len(key)):
            self._prefixes.add(" ".join(key[:n]))

    def discard(self, term: str) -> None:
        """Remove a term if present (its prefixes stay, harmlessly)."""
        self._table.pop(" ".join(term_key(term)), None)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, term: str) -> bool:
        return " ".join(term_key(term)) in self._table

    def get(self, term: str) -> T | None:
        """The payload stored for ``term`` (by key), or None."""
        return self._table.get(" ".join(term_key(term)))

    def longest_at(self, norms: list[str], i: int) -> tuple[int, T] | None:
        """``(end index, payload)`` of the longest term starting at ``norms[i]``."""
        table, prefixes, n = self._table, self._prefixes, len(norms)
        key = norms[i]
        best: tuple[int, T] | None = None
        j = i + 1
        while True:
            payload = table.get(key)
            if payload is not None:
                best = (j, payload)
            if j >= n or key not in prefixes:
                return best
            key = key + " " + norms[j]
            j += 1

    def find(self, tokens: list[Token]) -> Iterator[Match[T]]:
        """Non-overlapping longest matches, left to right."""
        norms = [t.norm for t in tokens]
        i, n = 0, len(tokens)
        while i < n:
            hit = self.longest_at(norms, i)
            if hit is None:
                i += 1
                continue
            j, payload = hit
            yield Match(i, j, tokens[i].start, tokens[j - 1].end, payload)
            i = j

    def find_all(self, tokens: list[Token]) -> list[Match[T]]:
        """Longest match starting at every token (matches may overlap)."""
        norms = [t.norm for t in tokens]
        table, prefixes = self._table, self._prefixes
        out: list[Match[T]] = []
        n = len(norms)
        for i, key in enumerate(norms):
            best = table.get(key)  # most tokens start no term: one or two look-ups
            j = end = i + 1
            while key in prefixes and j < n:
                key = key + " " + norms[j]
                j += 1
                payload = table.get(key)
                if payload is not None:
                    best, end = payload, j
            if best is not None:
                out.append(Match(i, end, tokens[i].start, tokens[end - 1].end, best))
        return out
