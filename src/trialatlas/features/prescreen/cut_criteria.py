"""Huge criteria texts: the pre-screener reads a bounded start and says so.

A record whose eligibility criteria run to 100,000 lines made its pre-screen page take
about a minute (the criteria parse grows faster than the text) and held a server
worker all that time (issue 14, item 10). The questionnaire is built from the first
:data:`~trialatlas.features.text_bounds.MAX_CRITERIA_LINES` lines (and at most
:data:`~trialatlas.features.text_bounds.MAX_PAGE_TEXT_CHARS` characters); real records
are far below both and read whole. What was not read is not silently dropped: the
questionnaire is marked ``criteria_cut`` and lists the rest as a check for the study
team, so a result never says every criterion was checked.
"""

from __future__ import annotations

from trialatlas.features.prescreen.model import Questionnaire, TeamCheck
from trialatlas.features.text_bounds import MAX_CRITERIA_LINES, MAX_PAGE_TEXT_CHARS, first_lines

REST_TEXT = (
    "The rest of this trial's eligibility criteria: the record's criteria are far longer "
    f"than any other registry record, and only their first {MAX_CRITERIA_LINES} lines "
    f"(at most {MAX_PAGE_TEXT_CHARS:,} characters) were read here."
)
REST_REASON = "Not read here: the full criteria are on ClinicalTrials.gov."


def criteria_read(text: str | None) -> tuple[str, bool]:
    """The part of ``text`` the pre-screener reads, and whether that is less than all."""
    whole = text or ""
    read = first_lines(whole)
    return read, read != whole


def mark_cut(form: Questionnaire, criteria_read_count: int) -> Questionnaire:
    """``form`` marked as built from a cut text, with the unread rest for the study team."""
    rest = TeamCheck(
        index=criteria_read_count, kind="inclusion", text=REST_TEXT, reason=REST_REASON
    )
    return form.model_copy(update={"criteria_cut": True, "team_checks": [*form.team_checks, rest]})
