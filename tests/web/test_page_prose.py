"""The prose of a rendered page as a reader meets it: headings and paragraphs of <main>,
lists, tables, forms, navigation and rows of links aside."""

from __future__ import annotations

from trialatlas.web.page_prose import page_prose, prose_texts

PAGE = """<!doctype html><html><body>
<header><p>Site header is not main</p></header>
<main id="main">
  <h1>Plain title</h1>
  <p class="links"><a href="/a">Find a clinic</a> <a href="/b">JSON</a></p>
  <p class="badges"><span class="badge">Recruiting</span> <span class="badge badge--phase">Phase 2</span></p>
  <h2>Trial Summary</h2>
  <p>The trial tests a <strong>new</strong> drug. <a href="/x">Read more</a> on the registry.</p>
  <ul><li><p>A list item is not prose.</p></li></ul>
  <ol><li>Nor is a numbered item.</li></ol>
  <table><tr><td><p>Nor a table cell.</p></td></tr></table>
  <dl><dt>Title</dt><dd>Nor a labelled field.</dd></dl>
  <form><p>Nor a form.</p></form>
  <p>Last <br> paragraph.</p>
</main>
<footer><p>Footer is not main</p></footer>
</body></html>"""


def test_headings_and_paragraphs_of_main_only() -> None:
    assert prose_texts(PAGE) == [
        "Plain title",
        "Trial Summary",
        "The trial tests a new drug. Read more on the registry.",
        "Last paragraph.",
    ]


def test_blocks_keep_their_tag() -> None:
    assert [b.tag for b in page_prose(PAGE)] == ["h1", "h2", "p", "p"]


def test_a_page_without_main_has_no_prose() -> None:
    assert prose_texts("<html><body><p>No main here.</p></body></html>") == []
