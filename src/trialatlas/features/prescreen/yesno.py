"""Yes/no (and start-date) questions from a criterion's entities and first sentence.

Order of preference: pregnancy wording; "When did your X start?" for "X for at
least N months"; a rewrite rule of ``phrasing.json`` ("Taking X" → "Do you take
X?"); a question built from the named entities ("In the past 3 months, have you
taken methotrexate?"); and last "Does this apply to you?" with the criterion shown.
"""

from __future__ import annotations

import re

from trialatlas.features.prescreen.entity_scope import (
    asked_about,
    negated_prefix,
    object_of_to,
    profile_terms,
    requires_all,
    restates_exclusion,
    specific_entities,
)
from trialatlas.features.prescreen.entity_wording import (
    FALLBACK,
    entity_question,
    faithful_fallback,
)
from trialatlas.features.prescreen.kept_meaning import keep_meaning, keep_topic_exceptions
from trialatlas.features.prescreen.model import YesNoCheck
from trialatlas.features.prescreen.phrasing import (
    RECENT_RELATIONS,
    Rewritten,
    cut_exceptions,
    drop_examples,
    examples_of,
    finish_question,
    lead_sentence,
    plain_window,
    replace_windows,
    rewrite,
    unescape,
    word_count,
)
from trialatlas.features.prescreen.rules import phrasing
from trialatlas.features.prescreen.topic_questions import (
    YesNoSpec,
    contraception_spec,
    negative_test_spec,
    onset_spec,
    pregnancy_spec,
    yes_no,
)
from trialatlas.model.criteria import Criterion, TimeWindow

TYPE_GROUPS = {
    "pregnancy": "About you",
    "behaviour": "About you",
    "condition": "Your condition",
    "drug": "Medicines",
    "procedure": "Past treatments",
    "device": "Other",
}
_ALREADY_ASKED = re.compile(
    r"^(?:do|does|are|is|have|has|can|will|would|did)\s+(?:you|your)\b[^?]*\?$", re.IGNORECASE
)


def _recent_window(windows: list[TimeWindow], end: int) -> TimeWindow | None:
    return next((w for w in windows if w.relation in RECENT_RELATIONS and w.start < end), None)


def _older_window(windows: list[TimeWindow], end: int) -> TimeWindow | None:
    """``at least 2 weeks before randomization``: the event is at least that old."""
    return next((w for w in windows if w.relation == "at least before" and w.start < end), None)


def _rewritten(
    criterion: Criterion, lead: str, first_type: str | None, window: TimeWindow | None
) -> tuple[Rewritten, str | None] | None:
    """The first rewrite short enough, shortest wording first, with the dropped examples."""
    body, _ = cut_exceptions(lead)
    body = replace_windows(body, 0, criterion.windows, criterion.start)
    limit = phrasing().max_question_words
    needed = [p for w in criterion.windows if (p := plain_window(w)) and p in body]
    for candidate in dict.fromkeys((drop_examples(body, True), drop_examples(body, False), body)):
        if word_count(candidate) < 3 or not all(p in candidate for p in needed):
            continue  # keep the time limit; never ask a two-word question
        found = rewrite(candidate, first_type, window is not None)
        if found is not None and word_count(found.text) <= limit:
            shown = examples_of(body) if candidate != body else None
            return found, (f"For example: {unescape(shown)}." if shown else None)
    return None


def yes_no_spec(
    criterion: Criterion, covered: set[str] | None = None, remainder: bool = False
) -> YesNoSpec | None:
    """The yes/no (or start-date) question for a criterion; ``remainder``: only entities
    not already asked about by number questions, worded from the entities."""
    lead, lead_end = lead_sentence(criterion.text)
    kept, cut = cut_exceptions(lead)
    end = criterion.start + (len(kept) if cut else lead_end)
    entities = specific_entities(criterion, None if remainder else end, covered)
    window = _recent_window(criterion.windows, end)
    older = None if window is not None else _older_window(criterion.windows, end)
    # An inclusion "at least 4 weeks since prior chemotherapy" (or "stopped X at least 2
    # weeks before") rules out X in the past 4 weeks; someone who never had X meets it.
    since = older is not None and criterion.kind == "inclusion" and not remainder
    if since:
        window, older = older, None
    first_type = entities[0].type if entities else None
    label = lead if len(lead) <= 80 else lead[:77].rstrip() + "…"
    if remainder:
        entities = [e for e in entities if e.type != "pregnancy"]
        if not entities:
            return None
        # "adequate cardiac function (no cardiac disease, LVEF ≥ 40%)": a negated entity
        # is what the criterion rules out, so a yes goes against it
        present = [e for e in entities if not (e.negated or negated_prefix(criterion, e))]
        flip = not present and not restates_exclusion(criterion)
        entities = present or entities
        worded = entity_question(criterion, entities, window, lead)
        if worded is None:
            return None
        text, how = worded
        group = TYPE_GROUPS.get(entities[0].type, "Other")
        spec = yes_no(
            criterion,
            text,
            group,
            flip,
            label,
            window_days=window.days if window else None,
            terms=[] if how == "object" else profile_terms(entities, criterion),
            require_all=how == "joined",
        )
        return keep_meaning(criterion, spec, remainder=True)
    spec = (
        pregnancy_spec(criterion, entities)
        or contraception_spec(criterion, kept)
        or negative_test_spec(criterion, kept)
    )
    if spec is not None:
        return keep_topic_exceptions(criterion, spec)
    for duration in criterion.windows:
        if duration.start < end:
            spec = onset_spec(criterion, entities, duration)
            if spec is not None:
                return spec
    positive = [e for e in entities if not e.negated]
    restated = restates_exclusion(criterion)
    flip = (bool(entities) and not positive and not restated) or since
    used = [
        e for e in (positive or entities) if not object_of_to(e, criterion.text, criterion.start)
    ]
    extra = {
        "window_days": window.days if window else None,
        "before_days": older.days if older else None,
        "terms": profile_terms(used, criterion),
        "require_all": requires_all(criterion.text, [e.text for e in used]),
    }
    asked = _ALREADY_ASKED.match(unescape(kept).strip())
    if asked is not None and word_count(kept) <= phrasing().max_question_words:
        spec = yes_no(criterion, finish_question(asked.group(0)), "Other", False, label)
        return keep_meaning(criterion, spec)
    rewritten = None if since else _rewritten(criterion, lead, first_type, window)
    if rewritten is not None:
        found, extra["help"] = rewritten
        group = found.rule.group or TYPE_GROUPS.get(first_type or "", "Other")
        asked = asked_about(found.text, used, criterion.text, criterion.start)
        chosen = asked_about(
            f"{found.text} {extra['help'] or ''}", used, criterion.text, criterion.start
        )
        if found.rule.terms:
            chosen = [e for e in chosen if e.type == found.rule.terms]
        extra["terms"] = profile_terms(chosen, criterion)
        extra["require_all"] = requires_all(found.text, [e.text for e in asked])
        flip = found.rule.flip and not restated
        return keep_meaning(criterion, yes_no(criterion, found.text, group, flip, label, **extra))
    if used:
        worded = entity_question(criterion, used, window, lead, older)
        if worded is not None:
            text, how = worded
            if how == "object":
                extra["terms"], extra["require_all"] = [], False
            elif how == "joined":
                extra["require_all"] = True
            group = TYPE_GROUPS.get(used[0].type, "Other")
            return keep_meaning(criterion, yes_no(criterion, text, group, flip, label, **extra))
    extra["terms"], extra["require_all"] = [], False  # the whole criterion: no profile shortcut
    text = faithful_fallback(criterion, lead) if used else FALLBACK
    group = TYPE_GROUPS.get(first_type or "", "Other")
    return keep_meaning(criterion, yes_no(criterion, text, group, False, label, **extra))


_PERMISSION = re.compile(
    r"\b(?:are|is|will be|may be|can be|would be)\s+(?:still\s+|also\s+)?"
    r"(?:eligible|allowed|permitted|acceptable)"
    r"\s*(?:$|[,.;:(]|\b(?:if|provided|as long as|when|only|after|unless|but|to enrol)\b)",
    re.IGNORECASE,
)


# "Prior tamoxifen allowed", "Bilateral breast disease allowed if …" (registry shorthand
# without a verb); never "No prior chemotherapy allowed" or "not allowed".
_BARE_PERMISSION = re.compile(
    r"(?<!\bnot )(?<!\bbe )\b(?:allowed|permitted)\b"
    r"\s*(?:$|[,.;:(]|\b(?:if|provided|as long as|when|only|after|unless|but|for)\b)",
    re.IGNORECASE,
)
_NO_START = re.compile(r"^\W*(?:no|not|none|never|without)\b", re.IGNORECASE)


def _permission_match(lead: str) -> re.Match[str] | None:
    match = _PERMISSION.search(lead)
    if match is None and not _NO_START.match(lead):
        match = _BARE_PERMISSION.search(lead)
    return match


def is_plain_allowance(criterion: Criterion) -> bool:
    """ "Prior tamoxifen allowed", "Patients with diabetes are eligible.": allowed with no
    condition, so nothing to check."""
    lead, _ = lead_sentence(criterion.text)
    match = _permission_match(lead)
    return (
        match is not None
        and not lead[match.end() :].strip(" .,;:)")
        and not re.search(r"[,;(]", lead[: match.start()])
    )


def is_permission(criterion: Criterion) -> bool:
    """``Patients with X are eligible if …``: a permission, not a requirement."""
    lead, _ = lead_sentence(criterion.text)
    return _permission_match(lead) is not None


def permission_spec(criterion: Criterion) -> YesNoSpec | None:
    """ "Have you had X?" for a permission: no meets it, yes leaves it to the study team
    (whether the conditions after "if" hold), never "not met". None when X cannot be named."""
    lead, _ = lead_sentence(criterion.text)
    match = _permission_match(lead)
    if match is None:
        return None
    end = criterion.start + match.start()
    entities = [
        e for e in specific_entities(criterion, end) if not e.negated and e.type != "pregnancy"
    ]
    if not entities:
        return None
    worded = entity_question(criterion, entities, None, lead[: match.start()])
    if worded is None:
        return None
    text, _ = worded
    return YesNoSpec(
        text=text,
        group=TYPE_GROUPS.get(entities[0].type, "Other"),
        check=YesNoCheck(disqualifying=True, team_decides=True),
        disqualifying_answer="Yes (the study team checks the conditions)",
        label=lead if len(lead) <= 80 else lead[:77].rstrip() + "…",
        terms=profile_terms(entities, criterion),
    )
