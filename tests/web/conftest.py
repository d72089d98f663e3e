"""Web test helpers: a small HTML tree built with the standard library's parser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from browser_support import launched_chromium, serving

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass(eq=False)
class Node:
    """One element of a parsed page."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def text(self) -> str:
        """All text inside, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join(" ".join(parts).split())

    @property
    def own_text(self) -> str:
        """Text directly inside this element (not in child elements)."""
        return " ".join(" ".join(c for c in self.children if isinstance(c, str)).split())

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(
        self, tag: str | None = None, *, cls: str | None = None, id: str | None = None
    ) -> list[Node]:
        found = []
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if cls and cls not in node.attrs.get("class", "").split():
                continue
            if id and node.attrs.get("id") != id:
                continue
            found.append(node)
        return found

    def find(
        self, tag: str | None = None, *, cls: str | None = None, id: str | None = None
    ) -> Node:
        found = self.find_all(tag, cls=cls, id=id)
        assert found, f"no <{tag or '*'} class={cls} id={id}>"
        return found[0]

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_page(html: str) -> Node:
    """Parse an HTML document into a :class:`Node` tree."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@pytest.fixture(scope="session")
def parse_html() -> Callable[[str], Node]:
    return parse_page


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Headless Debian chromium (skipped when not installed)."""
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def seed_server(seed_store_path: str) -> Iterator[str]:
    """The app over the seed store (NCT06001853 alone), on a free localhost port."""
    with serving(seed_store_path) as url:
        yield url


@pytest.fixture(scope="session")
def bundled_server(bundled_store_path: str) -> Iterator[str]:
    """The app over the whole bundled sample, on a free localhost port."""
    with serving(bundled_store_path) as url:
        yield url
