"""Section stage: inclusion / exclusion headers split the text into sections.

Headers come from ``sections.json`` (ordinary "Inclusion Criteria:", unusual
"Key Inclusion Criteria", "INCLUSION CRITERIA -", "Patients must…",
"Exclusion criteria include:", NCI "DISEASE CHARACTERISTICS:" sub-headers).
Text before any header is inclusion. A strong header may carry criterion text
after its colon on the same line ("Inclusion Criteria: age over 18").
"""

from __future__ import annotations

import re

from trialatlas.features.criteria.document import CriteriaDoc, Section, line_spans
from trialatlas.features.criteria.rules import SectionRule, section_rules
from trialatlas.model.criteria import CriterionKind

_LEAD = re.compile(r"^[\s#*_>\-•·]*")
_BULLETED = re.compile(r"^\s*(?:[*\-•·▪◦‣●]|\d{1,3}[.)]|\(\d{1,3}\))\s")
_TRAIL = re.compile(r"[\s*_]*$")
_MAX_HEADER_CHARS = 240


def match_header(line: str, rules: tuple[SectionRule, ...]) -> tuple[SectionRule, int] | None:
    """The rule a header line matches and where its header text ends, or None."""
    if not line.strip() or len(line) > _MAX_HEADER_CHARS * 2:
        return None
    lead = _LEAD.match(line)
    offset = lead.end() if lead else 0
    body = line[offset:]
    body = body[: _TRAIL.search(body).start()] if body else body
    if not body or len(body) > _MAX_HEADER_CHARS:
        return None
    bulleted = bool(_BULLETED.match(line))
    for rule in rules:
        if bulleted and not rule.strong:
            continue
        m = rule.pattern.match(body)
        if m is None:
            continue
        header_end = offset + m.end()
        rest = line[header_end:].strip(" \t*_:-")
        if rest and not rule.strong:
            continue
        if rest and bulleted and rule.kind is not None:
            continue  # "* Inclusion criteria: age > 18" inside a list is a criterion
        return rule, header_end
    return None


class SectionDetector:
    """Stage: fill ``doc.sections`` from header lines."""

    def __init__(self, rules: tuple[SectionRule, ...] | None = None) -> None:
        self.rules = rules if rules is not None else section_rules()

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        view = doc.view
        kind: CriterionKind = "inclusion"
        sections: list[Section] = []
        current = Section(kind=kind, start=0, end=len(view))
        for start, end in line_spans(view):
            found = match_header(view[start:end], self.rules)
            if found is None:
                continue
            rule, header_end = found
            current.end = start
            if current.end > current.start:
                sections.append(current)
            if rule.kind is not None:
                kind = rule.kind
            header = doc.source[start:end].strip()
            current = Section(kind=kind, start=start + header_end, end=len(view), header=header)
        current.end = len(view)
        if current.end > current.start:
            sections.append(current)
        doc.sections = sections
        return doc
