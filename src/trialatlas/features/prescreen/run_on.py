"""Registry lines that run several criteria together, one item each.

Older records write a group of criteria as one line ("Other: Not pregnant HIV negative
No second malignancy within 5 years except basal cell skin cancer"). Asked as one
criterion, only its first item got a question ("Are you pregnant?"), and the
exceptions and time windows of the others were lost. ``run_on_items`` cuts such a line
where a new item begins (a capitalized "No", "Not", "At least", … right after a word)
and parses each item as a criterion of the same kind; every item is then asked, and
judged, as part of the one registry criterion.
"""

from __future__ import annotations

import re

from trialatlas.features.criteria import parse_criteria
from trialatlas.model.criteria import Criterion

_HEADING = re.compile(r"^\s*[A-Z][A-Za-z /,-]{0,40}:\s+")
_ITEM_START = (
    r"(?:No|Not|Negative|Fertile|At least|Must|Prior|Concurrent|Pregnant|Nonpregnant|"
    r"Recovered|Able|Adequate|Willing|Life expectancy)"
)
_BREAK = re.compile(rf"(?<=[a-z0-9)\]%])\s+(?={_ITEM_START}\b)")


def run_on_items(criterion: Criterion) -> list[Criterion]:
    """The items of a run-together criterion (its heading left out), or [] when it is one
    item: at least two breaks, or one after a heading ("Other: …")."""
    text = criterion.text
    head = _HEADING.match(text)
    start = head.end() if head else 0
    cuts = [m.start() for m in _BREAK.finditer(text, start)]
    if len(cuts) < (1 if head else 2):
        return []
    bounds = [start, *cuts, len(text)]
    pieces = [text[a:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]
    kind = "Inclusion" if criterion.kind == "inclusion" else "Exclusion"
    listed = "\n".join(f"* {p}" for p in pieces if p)
    parsed = parse_criteria(f"{kind} Criteria:\n{listed}\n")
    return [c for c in parsed.criteria if c.kind == criterion.kind]
