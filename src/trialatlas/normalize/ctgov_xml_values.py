"""Reading legacy ClinicalTrials.gov XML: safe parsing, element text, dates, codes, age groups.

Shared by :mod:`~trialatlas.normalize.ctgov_xml` and
:mod:`~trialatlas.normalize.ctgov_xml_results`. The legacy XML spells registry codes
as display text (``Active, not recruiting``, ``Phase 1/Phase 2``, ``Double (Participant,
Investigator)``); these helpers turn it into the API v2 codes the model keeps. Text
without a known code becomes its upper-snake spelling, never dropped.

Element access sticks to plain tag names (``find``/``findall``/``findtext``), which
ElementTree serves in C; ``"a/b"`` paths and ``iterfind`` go through ElementPath in
Python and cost ~20x more per call. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element

from trialatlas.normalize.values import RecordError, parse_age, parse_partial_date

Json = dict[str, Any]
"""A plain dict shaped like a model part, validated with the whole study."""

ROOT = "clinical_study"
_DTD_RE = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_NON_WORD_RE = re.compile(r"[^0-9A-Za-z]+")
_BULLET_RE = re.compile(r"(?:[-*•o]|\d{1,3}[.)]|[A-Za-z][.)]|\([0-9A-Za-z]{1,4}\))\s+")
_BLIND_RE = re.compile(r"[\s-]*blind(?:ed)?$", re.IGNORECASE)
_AGE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([A-Za-z]+?)s?$")
_YEARS_PER_UNIT = {
    "year": Fraction(1),
    "month": Fraction(1, 12),
    "week": Fraction(28, 1461),  # 7 days of a 365.25-day year
    "day": Fraction(4, 1461),
    "hour": Fraction(1, 8766),
    "minute": Fraction(1, 525960),
}

# Registry text whose API v2 code is not its upper-snake spelling.
STATUS_CODES = {"Unknown status": "UNKNOWN"}
PHASE_CODES = {
    "N/A": "NA",
    "Early Phase 1": "EARLY_PHASE1",
    "Phase 0": "EARLY_PHASE1",  # renamed "Early Phase 1" by the registry in 2017
    "Phase 1": "PHASE1",
    "Phase 2": "PHASE2",
    "Phase 3": "PHASE3",
    "Phase 4": "PHASE4",
}
STUDY_TYPE_CODES = {"N/A": "NA", "Observational [Patient Registry]": "OBSERVATIONAL"}
ALLOCATION_CODES = {"N/A": "NA"}
PURPOSE_CODES = {"Educational/Counseling/Training": "ECT"}
SEX_CODES = {"Both": "ALL"}  # "Both" before 2017
AGENCY_CLASS_CODES = {"U.S. Fed": "FED", "US Fed": "FED"}
IPD_INFO_CODES = {
    "Statistical Analysis Plan (SAP)": "SAP",
    "Informed Consent Form (ICF)": "ICF",
    "Clinical Study Report (CSR)": "CSR",
}
DATE_TYPES = {
    "Actual": "ACTUAL",
    "Anticipated": "ESTIMATED",
    "Estimate": "ESTIMATED",
    "Estimated": "ESTIMATED",
}
YES_NO = {"Yes": True, "No": False}
HEALTHY_VOLUNTEERS = {"Accepts Healthy Volunteers": True, "Yes": True, "No": False}
_MASKING = {
    "none": "NONE",
    "open label": "NONE",
    "single": "SINGLE",
    "double": "DOUBLE",
    "triple": "TRIPLE",
    "quadruple": "QUADRUPLE",
}
_WHO_MASKED = {
    "Participant": "PARTICIPANT",
    "Subject": "PARTICIPANT",  # pre-2017 wording
    "Care Provider": "CARE_PROVIDER",
    "Caregiver": "CARE_PROVIDER",
    "Investigator": "INVESTIGATOR",
    "Outcomes Assessor": "OUTCOMES_ASSESSOR",
}


# --- element text --------------------------------------------------------------------


def clean_text(value: str | None) -> str | None:
    """Plain element text: line ends made ``\\n``, outer blanks stripped, empty → None."""
    if value is None:
        return None
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    return value or None


def child_text(parent: Element | None, tag: str) -> str | None:
    """Cleaned text of the first ``tag`` child, or None."""
    if parent is None:
        return None
    return clean_text(parent.findtext(tag))


def child_texts(parent: Element | None, tag: str) -> list[str]:
    """Cleaned, non-empty texts of every ``tag`` child."""
    if parent is None:
        return []
    return [t for el in parent.findall(tag) if (t := clean_text(el.text))]


def each(parent: Element | None, *tags: str) -> list[Element]:
    """Elements at a path of plain tags, ``each(el, "group_list", "group")`` (first container)."""
    for tag in tags[:-1]:
        if parent is None:
            return []
        parent = parent.find(tag)
    return parent.findall(tags[-1]) if parent is not None else []


def fields(parent: Element | None) -> dict[str, str | None]:
    """Cleaned text of each child by tag, in one pass (for single-valued children)."""
    if parent is None:
        return {}
    return {
        child.tag: (t.strip() or None) if (t := child.text) and "\r" not in t else clean_text(t)
        for child in parent
    }


def clean_textblock(raw: str | None) -> str | None:
    """A ``textblock`` as clean text: paragraphs joined by a blank line, wrapped lines rejoined.

    The registry indents every line, wraps it near 80 columns (continuation lines
    aligned under the text) and ends lines with ``&#xD;``. Here the common indentation
    goes, each paragraph or list item becomes one line, and list items keep their
    marker (``-  ``, ``1. ``) and relative indentation, so nested criteria stay nested.
    """
    if raw is None:
        return None
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.expandtabs(4)
    items: list[tuple[int, list[str]] | None] = []  # (indent, parts); None = paragraph break
    parts: list[str] = []
    content_col = -1  # text column of the open item; -1 after a blank line
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        body = body.rstrip()
        if not body:
            if content_col >= 0:
                items.append(None)
                content_col = -1
            continue
        if content_col >= 0 and indent >= content_col:
            parts.append(body)  # a wrapped continuation: the common case, no regex
            continue
        marker = _BULLET_RE.match(body)
        if content_col >= 0 and marker is None:
            parts.append(body)
            continue
        parts = [body]
        items.append((indent, parts))
        content_col = indent + (marker.end() if marker else 0)
    base = min((item[0] for item in items if item is not None), default=0)
    lines = ["" if item is None else " " * (item[0] - base) + " ".join(item[1]) for item in items]
    return "\n".join(lines).strip("\n").replace("\n\n\n", "\n\n") or None


# --- the document ---------------------------------------------------------------


def parse_xml(text: str) -> Element:
    """Parse one ``clinical_study`` document safely; RecordError("xml", …) when refused.

    Registry XML is untrusted. A document carrying a DOCTYPE (the only place entity
    declarations can live) is refused before the parser sees it, so no entity is ever
    declared or expanded and nothing external is fetched; the C parser then reads
    plain XML from a ``str`` (always fed to expat as UTF-8, so this check sees what
    the parser sees). Equivalent to ``defusedxml`` with ``forbid_dtd=True``, whose
    pure-Python parser is ~1.7x slower on the corpus. Conservative: the words in a
    comment or CDATA section are refused too (the registry never writes them).
    """
    if not isinstance(text, str):
        raise RecordError("xml", f"expected XML text, got {type(text).__name__}")
    if _DTD_RE.search(text):
        raise RecordError("xml", "DOCTYPE/entity declarations are not allowed")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise RecordError("xml", str(exc)) from exc
    if root.tag != ROOT:
        raise RecordError("xml", f"root element is <{root.tag}>, expected <{ROOT}>")
    return root


class StudyDoc:
    """A parsed ``clinical_study``: the root's children by tag, read once."""

    def __init__(self, root: Element) -> None:
        self.kids: dict[str, list[Element]] = {}
        for child in root:
            self.kids.setdefault(child.tag, []).append(child)

    def el(self, tag: str) -> Element | None:
        """The first child ``tag``, or None."""
        found = self.kids.get(tag)
        return found[0] if found else None

    def all(self, tag: str) -> list[Element]:
        """Every child ``tag``, in document order."""
        return self.kids.get(tag, [])

    def text(self, tag: str) -> str | None:
        """Cleaned text of the first child ``tag``, or None."""
        found = self.kids.get(tag)
        return clean_text(found[0].text) if found else None

    def texts(self, tag: str) -> list[str]:
        """Cleaned, non-empty texts of every child ``tag`` (conditions, keywords…)."""
        return [t for el in self.all(tag) if (t := clean_text(el.text))]


def textblock(el: Element | None) -> str | None:
    """The cleaned ``textblock`` child of ``el`` (see :func:`clean_textblock`)."""
    return clean_textblock(el.findtext("textblock")) if el is not None else None


# Dates and ages recur across studies: parsed once, kept as dicts (each study still
# gets its own model objects from the single validation).
@lru_cache(maxsize=65536)
def _parsed_date(text: str, kind: str | None, path: str) -> Json | None:
    parsed = parse_partial_date(text, path, kind)
    return parsed.model_dump() if parsed is not None else None


@lru_cache(maxsize=4096)
def parsed_age(text: str | None, path: str) -> Json | None:
    """:func:`parse_age` of ``18 Years`` as Age fields, memoized; ``N/A`` → None."""
    parsed = parse_age(text, path)
    return parsed.model_dump() if parsed is not None else None


def study_date(doc: StudyDoc, *tags: str) -> Json | None:
    """The first of ``tags`` given, as a partial date with its ACTUAL/ESTIMATED type."""
    for tag in tags:
        el = doc.el(tag)
        text = clean_text(el.text) if el is not None else None
        if el is None or text is None or text == "Unknown":
            continue
        kind = el.get("type")
        if kind is not None and kind not in DATE_TYPES:
            raise RecordError(f"{ROOT}/{tag}/@type", f"unknown date type {kind!r}")
        return _parsed_date(text, DATE_TYPES.get(kind or ""), f"{ROOT}/{tag}")
    return None


# --- codes ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def upper_snake(text: str) -> str:
    """``Active, not recruiting`` → ``ACTIVE_NOT_RECRUITING`` (the fallback code of any text)."""
    return _NON_WORD_RE.sub("_", text).strip("_").upper() or text.upper()


def to_code(text: str | None, table: dict[str, str] | None = None) -> str | None:
    """Registry text → API v2 code: the table's entry, else the upper-snake of the text."""
    if text is None:
        return None
    if table is not None:
        code = table.get(text)
        if code is not None:
            return code
    return upper_snake(text)


def yes_no(text: str | None, path: str, table: dict[str, bool] = YES_NO) -> bool | None:
    """``Yes``/``No`` (or the table's words) → bool; other text is a RecordError at ``path``."""
    if text is None:
        return None
    if text not in table:
        raise RecordError(path, f"expected one of {', '.join(table)}, got {text!r}")
    return table[text]


def masking_codes(text: str | None) -> tuple[str | None, list[str]]:
    """Masking text → (masking, who_masked) codes.

    ``Triple (Participant, Care Provider, Investigator)`` → ``TRIPLE`` and
    ``[PARTICIPANT, CARE_PROVIDER, INVESTIGATOR]``; the pre-2017 ``Double Blind
    (Subject, Caregiver)`` and ``Open Label`` as well; ``None (Open Label)`` → ``NONE``.
    """
    if text is None:
        return None, []
    head, _, rest = text.partition("(")
    head = _BLIND_RE.sub("", head.strip())
    masking = _MASKING.get(head.lower()) or (upper_snake(head) if head else None)
    if masking == "NONE":
        return masking, []
    who = [w.strip() for w in rest.rstrip(")").split(",") if w.strip()]
    return masking, [_WHO_MASKED.get(w) or upper_snake(w) for w in who]


def phase_codes(text: str | None) -> list[str]:
    """``Phase 1/Phase 2`` → ``["PHASE1", "PHASE2"]``; ``N/A`` → ``["NA"]``; none → ``[]``."""
    if text is None:
        return []
    if text == "N/A":
        return ["NA"]
    return [PHASE_CODES.get(p.strip()) or upper_snake(p) for p in text.split("/") if p.strip()]


# --- ages ----------------------------------------------------------------------------


def _years(text: str | None) -> Fraction | None:
    m = _AGE_RE.match(text) if text else None
    unit = _YEARS_PER_UNIT.get(m.group(2).lower()) if m else None
    return Fraction(m.group(1)) * unit if m and unit is not None else None


def std_ages(minimum: str | None, maximum: str | None) -> list[str]:
    """Age groups overlapping the limits (``18 Years``, None = open): CHILD <18, ADULT 18–64, OLDER_ADULT ≥65.

    This is how the registry derives them from the age limits; compared exactly in
    years, so ``216 Months`` is 18 years.
    """
    low = _years(minimum) or Fraction(0)
    high = _years(maximum)
    groups = []
    if low < 18:
        groups.append("CHILD")
    if low < 65 and (high is None or high >= 18):
        groups.append("ADULT")
    if high is None or high >= 65:
        groups.append("OLDER_ADULT")
    return groups
