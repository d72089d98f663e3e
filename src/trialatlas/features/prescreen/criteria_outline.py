"""How a parsed criteria list is laid out: headings, lead-ins and exception lists.

A registry sub-heading ("Chemotherapy:", "Life expectancy") or a lead-in ending in a
colon asks nothing itself; the items listed under "… except:" are part of their
parent until an item reads as a criterion of its own; "Not specified" says nothing.
"""

from __future__ import annotations

import re

from trialatlas.features.prescreen.phrasing import cut_exceptions, unescape
from trialatlas.features.prescreen.rules import phrasing
from trialatlas.model.criteria import Criterion, ParsedCriteria


def section_heading(text: str) -> str | None:
    """A registry sub-heading ("Chemotherapy:", "Hepatic", "Life expectancy"), lower case."""
    name = unescape(text).strip().rstrip(":").strip().lower()
    return name if name in phrasing().section_headings else None


def is_header(parsed: ParsedCriteria, index: int) -> bool:
    """A heading or lead-in that asks nothing itself: its items ask, nested under it or
    not ("Chemotherapy", "Patients must have:"); never the lead-in of an exception list."""
    criterion = parsed.criteria[index]
    if section_heading(criterion.text) is not None:
        return True  # "Chemotherapy" over its items, or a heading whose items did not nest
    return unescape(criterion.text).rstrip().endswith(":") and not is_exception_parent(criterion)


def parent_heading(parsed: ParsedCriteria, index: int) -> str | None:
    """The registry sub-heading the item stands under, if any."""
    parent = parsed.criteria[index].parent
    return section_heading(parsed.criteria[parent].text) if parent is not None else None


def says_nothing(criterion: Criterion) -> bool:
    """ "Not specified", "See Disease Characteristics": nothing to check."""
    text = unescape(criterion.text).strip()
    return any(p.match(text) for p in phrasing().not_criteria)


def is_exception_parent(criterion: Criterion) -> bool:
    """Does the criterion lead in a list of exceptions ("… except:")?"""
    return cut_exceptions(criterion.text)[1]


# An item that reads as a criterion of its own ("No uncontrolled infection", "Must …"):
# the exceptions listed under "… except:" have ended (registry lines nest every later
# item under the exception list).
_NEW_ITEM = re.compile(
    r"^\W*(?:no|not|none|never|must|should|patients?|subjects?|participants?|at least|"
    r"prior|concurrent|concomitant|recovered|fertile|negative|pregnant|other)\b",
    re.IGNORECASE,
)


def inside_exception(parsed: ParsedCriteria, index: int) -> bool:
    """Is the item one of the exceptions listed under "… except:" (part of its parent)?"""
    child, parent = index, parsed.criteria[index].parent
    seen = 0
    while parent is not None and seen < 20:
        if is_exception_parent(parsed.criteria[parent]):
            listed = [i for i in parsed.children(parent) if i <= child]
            return not any(_NEW_ITEM.match(unescape(parsed.criteria[i].text)) for i in listed)
        child, parent = parent, parsed.criteria[parent].parent
        seen += 1
    return False
