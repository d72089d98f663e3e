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
_END = "\x00"  # trie key under which a node stores the payload of the term it ends


@lru_cache(maxsize=65536)
def normalize_token(token: str) -> str:
    """Lower case; a plural ``s`` removed from words longer than four letters."""
    low = token.lower().replace("’", "'")
    if len(low) > 4 and low.endswith("s") and not low.endswith(_KEEP_S):
        low = low[:-1]
        if low.endswith("ie") and len(low) > 4:
            low = low[:-2] + "y"
    return low


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A vocabulary hit: token range, character offsets and the stored payload."""

    first: int
    last: int  # exclusive token index
    start: int
    end: int
    payload: T


class PhraseMatcher(Generic[T]):
    """Longest-match lookup of multi-word terms over a token list (a token trie).

    Each node maps a normalized token to the next node; a node that ends a term
    holds its payload under ``_END``. Matching walks the trie from a token only
    as far as the text follows a stored term, so the cost per token does not
    grow with the size of the vocabulary.
    """

    def __init__(self, terms: Iterable[tuple[str, T]] = (), max_tokens: int = 8) -> None:
        self._root: dict[str, Any] = {}
        self._size = 0
        self.max_tokens = max_tokens
        for term, payload in terms:
            self.add(term, payload)

    def add(self, term: str, payload: T) -> None:
        """Add (or replace) one term."""
        self.add_key(term_key(term), payload)

    def add_key(self, key: tuple[str, ...] | list[str], payload: T) -> None:
        """Add (or replace) a term given as its already normalized key."""
        if not key or len(key) > self.max_tokens:
            return
        node = self._root
        for part in key:
            node = node.setdefault(part, {})
        if _END not in node:
            self._size += 1
        node[_END] = payload

    def __len__(self) -> int:
        return self._size

    def __contains__(self, term: str) -> bool:
        return self.get(term) is not None

    def get(self, term: str) -> T | None:
        """The payload stored for ``term`` (by key), or None."""
        return self.get_key(term_key(term))

    def get_key(self, key: tuple[str, ...] | list[str]) -> T | None:
        """The payload stored under a normalized key, or None."""
        node = self._root
        for part in key:
            node = node.get(part)
            if node is None:
                return None
        return node.get(_END)

    def longest_at(self, norms: list[str], i: int) -> tuple[int, T] | None:
        """``(end index, payload)`` of the longest term starting at ``norms[i]``."""
        node = self._root.get(norms[i])
        if node is None:
            return None
        best: tuple[int, T] | None = None
        j, n = i + 1, len(norms)
        while True:
            payload = node.get(_END)
            if payload is not None:
                best = (j, payload)
            if j >= n:
                return best
            node = node.get(norms[j])
            if node is None:
                return best
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

    def find_all(self, tokens: list[Token]) -> Iterator[Match[T]]:
        """Longest match starting at every token (matches may overlap)."""
        norms = [t.norm for t in tokens]
        for i in range(len(tokens)):
            hit = self.longest_at(norms, i)
            if hit is not None:
                j, payload = hit
                yield Match(i, j, tokens[i].start, tokens[j - 1].end, payload)
