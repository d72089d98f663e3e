"""The criteria as the patient page shows them: lists only, the running text left to the registry page.

The registry page shows the criteria outline as written. The patient page keeps its
lists and turns the rest into lists where the registry's structure is plain to see:

- a lead line ("Prior Medication:", "Excluded:") heads the list that follows it, as
  one item with that list under it (leads in a row nest);
- an older record's labelled paragraph ("DISEASE CHARACTERISTICS: … Age: 18 and over
  Performance status: ECOG 0-2 …", the PDQ layout whose line breaks the registry lost)
  becomes a list: one item per section label, one item per field label under it;
- any other paragraph is registry prose: it is left out here, and the page links to
  the full registry record, where it is shown as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialatlas.features.criteria_text import (
    Block,
    OutlineItem,
    OutlineList,
    OutlineSection,
)

MAX_LEAD_WORDS = 14
# Section labels of the PDQ layout: a run of capitals ending in a colon.
_SECTION_LABEL = re.compile(r"(?:(?<=\s)|^)(?P<label>[A-Z][A-Z0-9 ,/&()'-]{3,60}[A-Z)]):(?=\s|$)")
# Field labels of the PDQ layout ("Performance status:", "Hematopoietic:").
_FIELD_LABELS = (
    "Age", "Sex", "Menopausal status", "Performance status", "Life expectancy", "Hematopoietic",
    "Hepatic", "Renal", "Cardiovascular", "Pulmonary", "Neurologic", "Neurological", "Immunologic",
    "Gastrointestinal", "Metabolic", "Other", "Biologic therapy", "Chemotherapy",
    "Endocrine therapy", "Radiotherapy", "Surgery", "Prior therapy", "Concurrent therapy",
)  # fmt: skip
_FIELD_LABEL = re.compile(
    r"(?:(?<=\s)|^)(?P<label>" + "|".join(re.escape(f) for f in _FIELD_LABELS) + r"):(?=\s)"
)
# A capital "No"/"Not" inside a run-on field starts the next criterion ("… 50% No heart failure").
_RUN_ON_ITEM = re.compile(r"(?<=[a-z0-9%)\]])\s+(?=(?:No|Not|At least|No more than)\s)")
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class PatientCriteria:
    """The sections as lists, and whether running text was left to the registry page."""

    sections: list[OutlineSection]
    text_left_out: bool


def patient_criteria(sections: list[OutlineSection]) -> PatientCriteria:
    """Every section's blocks as lists (see the module docstring)."""
    out: list[OutlineSection] = []
    left_out = False
    for section in sections:
        blocks, dropped = _as_lists(section.blocks)
        left_out = left_out or dropped
        if blocks or section.heading:
            out.append(section.model_copy(update={"blocks": blocks}))
    return PatientCriteria(sections=[s for s in out if s.blocks], text_left_out=left_out)


def _as_lists(blocks: list[Block]) -> tuple[list[Block], bool]:
    out: list[Block] = []
    leads: list[str] = []
    dropped = False
    for block in blocks:
        if isinstance(block, OutlineList):
            out.append(_nested(leads, block) if leads else block)
            leads = []
            continue
        text = block.text.strip()
        if _is_lead(text):
            leads.append(text)
            continue
        dropped = dropped or bool(leads)  # a lead with no list after it
        leads = []
        labelled = _labelled_list(text)
        if labelled is not None:
            out.append(labelled)
        else:
            dropped = True
    return out, dropped or bool(leads)


def _is_lead(text: str) -> bool:
    return text.endswith(":") and len(_WORDS.findall(text)) <= MAX_LEAD_WORDS


def _nested(leads: list[str], block: OutlineList) -> OutlineList:
    """``Prior Medication:`` / ``Excluded:`` / the list → one item holding one item holding the list."""
    inner: OutlineList = block
    for lead in reversed(leads):
        inner = OutlineList(
            ordered=False, items=[OutlineItem(text=lead, marker="", children=[inner])]
        )
    return inner


def _labelled_list(text: str) -> OutlineList | None:
    """A PDQ paragraph as a list of its sections and fields; None when it has no labels."""
    sections = _split(text, _SECTION_LABEL)
    if not any(label for label, _ in sections) and not _FIELD_LABEL.search(text):
        return None
    items: list[OutlineItem] = []
    for label, body in sections:
        children = _field_items(body)
        if label is None:
            items += children
        elif children:
            items.append(
                OutlineItem(
                    text=f"{_sentence_case(label)}:",
                    marker="",
                    children=[OutlineList(ordered=False, items=children)],
                )
            )
        else:
            items.append(OutlineItem(text=f"{_sentence_case(label)}", marker=""))
    return OutlineList(ordered=False, items=items) if items else None


def _field_items(body: str) -> list[OutlineItem]:
    out: list[OutlineItem] = []
    for label, text in _split(body, _FIELD_LABEL):
        parts = [p.strip() for p in _RUN_ON_ITEM.split(text) if p.strip()]
        if label is None:
            out += [OutlineItem(text=p, marker="") for p in parts]
        elif len(parts) <= 1:
            out.append(OutlineItem(text=f"{label}: {parts[0] if parts else ''}".strip(), marker=""))
        else:
            out.append(
                OutlineItem(
                    text=f"{label}:",
                    marker="",
                    children=[
                        OutlineList(
                            ordered=False, items=[OutlineItem(text=p, marker="") for p in parts]
                        )
                    ],
                )
            )
    return out


def _split(text: str, label: re.Pattern[str]) -> list[tuple[str | None, str]]:
    """``text`` cut before each label: (label or None for the text before the first, body)."""
    out: list[tuple[str | None, str]] = []
    matches = list(label.finditer(text))
    head = text[: matches[0].start()].strip() if matches else text.strip()
    if head:
        out.append((None, head))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        out.append((match.group("label"), text[match.end() : end].strip()))
    return out


def _sentence_case(label: str) -> str:
    """``DISEASE CHARACTERISTICS`` → ``Disease characteristics`` (acronyms kept)."""
    words = label.split()
    return " ".join(
        (w.capitalize() if i == 0 else w.lower()) if len(w) > 3 else w for i, w in enumerate(words)
    )
