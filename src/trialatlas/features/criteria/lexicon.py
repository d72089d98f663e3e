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
from typing import Generic, TypeVar

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
    """Longest-match lookup of multi-word terms over a token list."""

    def __init__(self, terms: Iterable[tuple[str, T]] = (), max_tokens: int = 8) -> None:
        self._table: dict[tuple[str, ...], T] = {}
        self._firsts: set[str] = set()
        self.max_tokens = max_tokens
        for term, payload in terms:
            self.add(term, payload)

    def add(self, term: str, payload: T) -> None:
        """Add (or replace) one term."""
        key = term_key(term)
        if not key or len(key) > self.max_tokens:
            return
        self._table[key] = payload
        self._firsts.add(key[0])

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, term: str) -> bool:
        return term_key(term) in self._table

    def get(self, term: str) -> T | None:
        """The payload stored for ``term`` (by key), or None."""
        return self._table.get(term_key(term))

    def find(self, tokens: list[Token]) -> Iterator[Match[T]]:
        """Non-overlapping longest matches, left to right."""
        i, n = 0, len(tokens)
        while i < n:
            if tokens[i].norm not in self._firsts:
                i += 1
                continue
            hit = None
            for length in range(min(self.max_tokens, n - i), 0, -1):
                payload = self._table.get(tuple(t.norm for t in tokens[i : i + length]))
                if payload is not None:
                    hit = Match(i, i + length, tokens[i].start, tokens[i + length - 1].end, payload)
                    break
            if hit is None:
                i += 1
                continue
            yield hit
            i = hit.last

    def find_all(self, tokens: list[Token]) -> Iterator[Match[T]]:
        """Longest match starting at every token (matches may overlap)."""
        n = len(tokens)
        for i in range(n):
            if tokens[i].norm not in self._firsts:
                continue
            for length in range(min(self.max_tokens, n - i), 0, -1):
                payload = self._table.get(tuple(t.norm for t in tokens[i : i + length]))
                if payload is not None:
                    yield Match(i, i + length, tokens[i].start, tokens[i + length - 1].end, payload)
                    break
