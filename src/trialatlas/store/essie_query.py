"""The simple part of the registry's Essie search syntax, turned into a safe FTS5 MATCH.

Supported: words (all required, as before), double-quoted phrases, parentheses and the
upper-case boolean operators ``AND``, ``OR`` and ``NOT`` with Essie's precedence (``NOT``
binds to the term after it, then ``AND`` — explicit or implied between terms — then
``OR``). Lower-case ``and``/``or``/``not`` are plain words. Essie's other operators
(``AREA[...]``, ``SEARCH[...]``, ``EXPANSION[...]``, ``COVERAGE[...]``, ``RANGE[...]``,
``MISSING``, ``TILDE``/``~``, …) and malformed expressions raise :class:`EssieError`.

Every word reaches FTS5 inside a double-quoted string (a phrase is one quoted string of
its words); the only FTS syntax in the output is what this module writes: ``AND``,
``OR``, ``NOT``, parentheses and column filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialatlas.store.fts_query import STOPWORDS

# the words of a text as fts_query.fts_terms reads them (the FTS tokenizer splits the rest)
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_OPERATORS = frozenset({"AND", "OR", "NOT"})
# NAME[ … ]: Essie's search, source and context operators (AREA, SEARCH, EXPANSION, …)
_BRACKET_OP_RE = re.compile(r"([A-Za-z_]+)\s*\[([^\]\[]{0,40})(\]?)")
_BRACKET_OPS = frozenset(
    {"AREA", "SEARCH", "EXPANSION", "COVERAGE", "RANGE", "TILT", "TILDE", "DISTANCE"}
)
_BARE_OPS = frozenset({"MISSING", "TILDE"})
_FIELD_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,39}")
_MAX_WORDS = 100
_MAX_DEPTH = 20


class EssieError(ValueError):
    """A query expression this server refuses (malformed or not supported)."""


@dataclass(frozen=True, slots=True)
class Word:
    text: str


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Phrase | Not | And | Or


def _words(text: str) -> list[str]:
    return [m.group(0).lower().replace("’", "'") for m in _WORD_RE.finditer(text)]


def has_words(text: str | None) -> bool:
    """Whether ``text`` holds anything searchable (punctuation-only text does not)."""
    return bool(_WORD_RE.search(text or ""))


def unsupported_operator(text: str) -> str | None:
    """The first Essie operator of ``text`` this server does not implement, as written
    in a message (``AREA[...]``, ``MISSING``, ``~``), or None."""
    for m in _BRACKET_OP_RE.finditer(text):
        name = m.group(1)
        if name.upper() in _BRACKET_OPS or name.isupper():
            area = m.group(2).strip()  # a field name is repeated, other text is not
            shown = area if _FIELD_NAME_RE.fullmatch(area) else "..."
            return f"{name}[{shown}{m.group(3) or '...'}"
    if "~" in text:
        return "~ (TILDE)"
    for token in re.split(r"[\s()\"]+", text):
        if token in _BARE_OPS:
            return token
    return None


# -- tokens --------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, object]]:
    """("(" | ")" | "op" | "words" | "phrase", value) in order; wordless chunks vanish."""
    out: list[tuple[str, object]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append((c, c))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise EssieError("Invalid search expression: a quotation mark is not closed")
            words = _words(text[i + 1 : end])
            if words:
                out.append(("phrase", tuple(words)))
            i = end + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            chunk = text[i:j]
            if chunk in _OPERATORS:
                out.append(("op", chunk))
            else:
                words = _words(chunk)
                if words:
                    out.append(("words", tuple(words)))
            i = j
    return out


# -- parser --------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expr(self) -> Node:
        children = [self.conjunction()]
        while self.peek() == ("op", "OR"):
            self.take()
            children.append(self.conjunction("OR"))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def conjunction(self, after: str | None = None) -> Node:
        children = [self.unary(after)]
        while True:
            token = self.peek()
            if token is None or token[0] == ")" or token == ("op", "OR"):
                break
            if token == ("op", "AND"):
                self.take()
                children.append(self.unary("AND"))
            else:
                children.append(self.unary())  # terms side by side: implied AND
        flat: list[Node] = []
        for child in children:
            flat.extend(child.children if isinstance(child, And) else (child,))
        return flat[0] if len(flat) == 1 else And(tuple(flat))

    def unary(self, after: str | None = None) -> Node:
        negations = 0
        while self.peek() == ("op", "NOT"):
            self.take()
            negations += 1
            after = "NOT"
        node = self.primary(after)
        if negations % 2:
            return node.child if isinstance(node, Not) else Not(node)
        return node

    def primary(self, after: str | None) -> Node:
        token = self.peek()
        if token is None or token[0] == ")" or token[0] == "op":
            where = f"after `{after}`" if after else "where a search term is expected"
            found = "the end of the expression" if token is None else f"`{token[1]}`"
            raise EssieError(f"Invalid search expression: {found} {where}")
        kind, value = self.take()
        if kind == "(":
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise EssieError("Invalid search expression: parentheses nested too deeply")
            if self.peek() == (")", ")"):
                raise EssieError("Invalid search expression: empty parentheses `()`")
            node = self.expr()
            if self.peek() != (")", ")"):
                raise EssieError("Invalid search expression: a parenthesis is not closed")
            self.take()
            self.depth -= 1
            return node
        if kind == "phrase":
            words = tuple(value)  # type: ignore[arg-type]
            return Word(words[0]) if len(words) == 1 else Phrase(words)
        words = tuple(value)  # type: ignore[arg-type]
        if len(words) == 1:
            return Word(words[0])
        return And(tuple(Word(w) for w in words))  # "covid-19": covid AND 19


def parse_essie(text: str | None) -> Node | None:
    """The expression tree of ``text``; None when it holds no words (it matches nothing).

    Raises :class:`EssieError` (message fit for a 400) for an unsupported operator or a
    malformed expression.
    """
    text = text or ""
    op = unsupported_operator(text)
    if op is not None:
        raise EssieError(
            f"Essie operator `{op}` is not supported by this server"
            ' (supported: words, "quoted phrases", parentheses, AND, OR, NOT)'
        )
    if not has_words(text):
        return None
    tokens = _tokens(text)
    if sum(len(v) for k, v in tokens if k in ("words", "phrase")) > _MAX_WORDS:  # type: ignore[arg-type]
        raise EssieError(f"Invalid search expression: more than {_MAX_WORDS} words")
    if not any(k in ("words", "phrase") for k, _ in tokens):
        # only operators (e.g. "OR"): nothing to search for
        raise EssieError("Invalid search expression: no search term")
    parser = _Parser(tokens)
    node = parser.expr()
    if parser.peek() is not None:
        raise EssieError("Invalid search expression: `)` without a matching `(`")
    return node


# -- FTS5 ----------------------------------------------------------------------------


def _quoted(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _without_stopwords(children: tuple[Node, ...]) -> tuple[Node, ...]:
    """An AND's function words are left out unless it has no other word (as fts_match)."""
    words = [c for c in children if isinstance(c, Word)]
    if all(w.text in STOPWORDS for w in words) and len(words) == len(children):
        return children
    kept = tuple(c for c in children if not (isinstance(c, Word) and c.text in STOPWORDS))
    return kept if any(not isinstance(c, Not) for c in kept) else children


def _conjuncts(node: Node) -> tuple[list[str], list[str]]:
    """FTS5 expressions of the required and the excluded parts of a conjunction."""
    children = _without_stopwords(node.children) if isinstance(node, And) else (node,)
    required: list[str] = []
    excluded: list[str] = []
    for child in children:
        if isinstance(child, Not):
            excluded.append(_fts(child.child))
        else:
            required.append(_fts(child))
    return required, excluded


def _fts(node: Node) -> str:
    """A positive FTS5 expression for ``node`` (EssieError when it only excludes)."""
    if isinstance(node, Word):
        return _quoted((node.text,))
    if isinstance(node, Phrase):
        return _quoted(node.words)
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts(c) for c in node.children) + ")"
    required, excluded = _conjuncts(node)
    if not required:
        raise EssieError(
            "Invalid search expression: NOT inside OR or parentheses needs a term to"
            " exclude from (e.g. `(a NOT b) OR c`)"
        )
    expr = "(" + " AND ".join(required) + ")"
    if excluded:
        expr += " NOT (" + " OR ".join(excluded) + ")"
    return expr


@dataclass(frozen=True, slots=True)
class FtsParts:
    """A query as FTS5 expressions: ``required`` must all match, no ``excluded`` may."""

    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()


def essie_fts(text: str | None, columns: str | None = None) -> FtsParts | None:
    """``text`` as FTS5 expressions, each limited to ``columns`` (an FTS5 column filter
    such as ``{title conditions}``) when given. None when ``text`` has no words (it
    matches nothing). A query that only excludes (``NOT cancer``) has no ``required``.
    """
    node = parse_essie(text)
    if node is None:
        return None
    required, excluded = _conjuncts(node)

    def scoped(expr: str) -> str:
        return expr if columns is None else f"{columns} : ({expr})"

    return FtsParts(tuple(scoped(e) for e in required), tuple(scoped(e) for e in excluded))


__all__ = ["EssieError", "FtsParts", "essie_fts", "has_words", "parse_essie"]
