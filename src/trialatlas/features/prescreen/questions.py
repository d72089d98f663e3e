"""``questionnaire(study)``: one plain question per checkable criterion, grouped.

Each parsed criterion becomes number questions (its comparisons), a yes/no or a
start-date question (its entities, windows and first sentence), or a
:class:`TeamCheck` when only the study team can judge it. Header lines ("…defined
as the following:") are not criteria of their own; the items under an "except
for the following" parent are part of the parent. Age and sex come from the
structured eligibility. The questionnaire depends on the registry record only,
so it is cached per record (never anything a patient sends). The layout of the list
is read in :mod:`.criteria_outline`, questions are collected in :mod:`.question_builder`.
"""

from __future__ import annotations

import math
from functools import lru_cache

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen.alternatives import find_alternatives
from trialatlas.features.prescreen.criteria_outline import (
    inside_exception,
    is_exception_parent,
    is_header,
    parent_heading,
    says_nothing,
)
from trialatlas.features.prescreen.cut_criteria import criteria_read, mark_cut
from trialatlas.features.prescreen.eligibility import (
    AGE_ID,
    age_question,
    sex_question,
    structured_age_check,
    text_age_check,
)
from trialatlas.features.prescreen.kept_meaning import (
    keep_limit_meaning,
    keep_meaning,
    with_listed_exceptions,
)
from trialatlas.features.prescreen.limit_exceptions import keep_limit_exceptions
from trialatlas.features.prescreen.model import (
    GROUP_ORDER,
    CheckedCriterion,
    QuestionGroup,
    Questionnaire,
    RangeCheck,
    TeamCheck,
)
from trialatlas.features.prescreen.numbers import NumberSpec, is_age_comparison, number_spec
from trialatlas.features.prescreen.phrasing import (
    lab_abnormality_spans,
    lead_sentence,
    mentions_judgement,
    team_only,
    team_test,
    unescape,
)
from trialatlas.features.prescreen.quantities import convert
from trialatlas.features.prescreen.question_builder import (
    QuestionBuilder,
    checked_criterion,
    spec_question,
)
from trialatlas.features.prescreen.run_on import run_on_items
from trialatlas.features.prescreen.uln import uln_spec
from trialatlas.features.prescreen.yesno import (
    YesNoSpec,
    is_permission,
    is_plain_allowance,
    permission_spec,
    specific_entities,
    yes_no_spec,
)
from trialatlas.model.criteria import Comparison, Criterion, ParsedCriteria
from trialatlas.model.study import Eligibility, Study

TEAM_REASON = "This needs the study team's judgement or their own tests."


_PERMISSIONS = frozenset({"allowed", "permitted", "recommended"})


def _team_check(index: int, criterion: Criterion, heading: str | None = None) -> TeamCheck | None:
    """Criteria only the study team can check: their judgement, their lab tests.
    ``heading``: the registry sub-heading the item stands under ("life expectancy")."""
    lead, lead_end = lead_sentence(criterion.text)
    askable = [e for e in specific_entities(criterion, criterion.start + lead_end)]
    ages = any(is_age_comparison(c) for c in criterion.comparisons)
    context = f"{heading}: {lead}" if heading else lead
    if not ages and team_test(unescape(context), bool(askable)):
        return TeamCheck(
            index=index, kind=criterion.kind, text=unescape(criterion.text), reason=TEAM_REASON
        )
    if not askable and not criterion.comparisons and lab_abnormality_spans(unescape(lead)):
        # "Clinically significant abnormal … screening laboratory results"
        return TeamCheck(
            index=index, kind=criterion.kind, text=unescape(criterion.text), reason=TEAM_REASON
        )
    if criterion.comparisons or criterion.windows:
        return None
    if team_only(lead) or (mentions_judgement(lead) and not askable):
        return TeamCheck(
            index=index, kind=criterion.kind, text=unescape(criterion.text), reason=TEAM_REASON
        )
    return None


def _add_age(
    builder: QuestionBuilder, index: int, criterion: Criterion, comparison: Comparison
) -> None:
    age = builder.question(AGE_ID)
    if age is None:
        age = age_question()
        builder.questions.insert(0, age)
    unit = (comparison.unit or "years").strip()
    age.checks.append(text_age_check(index, criterion, unescape(criterion.text), comparison, unit))


def _satisfiable(index: int, criterion: Criterion, ages: list[Comparison]) -> bool:
    """Can one age meet every age limit of the criterion together?"""
    low, high = -math.inf, math.inf
    for comparison in ages:
        unit = (comparison.unit or "years").strip()
        check = text_age_check(index, criterion, criterion.text, comparison, unit).check
        assert isinstance(check, RangeCheck)
        scale = convert(1.0, check.unit, "years") or 1.0
        if check.low is not None:
            low = max(low, check.low * scale + (0 if check.low_inclusive else 1e-9))
        if check.high is not None:
            high = min(high, check.high * scale - (0 if check.high_inclusive else 1e-9))
    return low <= high


def _add_criterion(
    builder: QuestionBuilder, index: int, criterion: Criterion, excepted: list[str], base: str
) -> None:
    """The criterion's questions; ``excepted``: the exceptions listed under it ("… except:")."""
    specs: list[NumberSpec | YesNoSpec] = []
    extra_checks: dict[str, list[CheckedCriterion]] = {}
    covered: set[str] = set()
    numbers = False
    # Age limits from the first sentence only ("Patients aged < 60 who … may be eligible"
    # is an exception), and only when one age can meet them all (not a table of ages).
    lead_end = criterion.start + lead_sentence(criterion.text)[1]
    ages = [c for c in criterion.comparisons if is_age_comparison(c) and c.start < lead_end]
    if not _satisfiable(index, criterion, ages):
        ages = []
    for comparison in criterion.comparisons:
        if is_age_comparison(comparison):
            if any(comparison is a for a in ages):
                _add_age(builder, index, criterion, comparison)
                numbers = True
        elif comparison.uln_multiplier is not None or comparison.reference is not None:
            later = [c.start for c in criterion.comparisons if c.start > comparison.start]
            start, end = comparison.start, min(later, default=criterion.end)
            spec = uln_spec(criterion, comparison)
            at = criterion.start
            specs.append(keep_limit_meaning(criterion, spec, start - at, end - at))
            numbers = True
        else:
            spec = number_spec(criterion, comparison)
            if spec is None:
                continue
            spec = keep_limit_exceptions(spec, criterion, comparison)
            numbers = True
            covered |= spec.covers
            twin = next((s for s in specs if s.text == spec.text), None)
            if twin is None:
                specs.append(spec)
            else:  # "> 170 or < 90 mm Hg": one question, two limits
                extra_checks.setdefault(twin.text, []).append(
                    checked_criterion(index, criterion, spec)
                )
    if numbers:
        rest = yes_no_spec(criterion, covered, remainder=True)
        if rest is not None:  # after ages alone, every window of the sentence is the question's
            specs.append(rest if specs else keep_meaning(criterion, rest))
    else:
        specs.append(yes_no_spec(criterion))  # type: ignore[arg-type]
    specs = [s if isinstance(s, NumberSpec) else with_listed_exceptions(s, excepted) for s in specs]
    for n, spec in enumerate(specs):
        qid = base if len(specs) == 1 else f"{base}{chr(ord('a') + n)}"
        question = spec_question(qid, index, criterion, spec)
        question.checks.extend(extra_checks.get(spec.text, []))
        builder.add(question)


def _add_item(
    builder: QuestionBuilder,
    parsed: ParsedCriteria,
    index: int,
    criterion: Criterion,
    heading: str | None,
    qid: str,
) -> None:
    """The question(s) or team check of one criterion (or one item of a run-on line)."""
    team = _team_check(index, criterion, heading)
    if team is not None:
        builder.team.append(team)
        return
    if is_plain_allowance(criterion):  # "Prior tamoxifen allowed": nothing to check
        return
    if is_permission(criterion):  # "Patients with X are eligible if …"
        spec = permission_spec(criterion)
        if spec is None:
            builder.team.append(
                TeamCheck(
                    index=index,
                    kind=criterion.kind,
                    text=unescape(criterion.text),
                    reason=TEAM_REASON,
                )
            )
        else:
            builder.add(spec_question(qid, index, criterion, spec))
        return
    excepted = [
        unescape(parsed.criteria[i].text)
        for i in parsed.children(index)
        if is_exception_parent(criterion) and inside_exception(parsed, i)
    ]
    _add_criterion(builder, index, criterion, excepted, qid)


def build_questionnaire(
    nct_id: str, title: str, parsed: ParsedCriteria, eligibility: Eligibility
) -> Questionnaire:
    """The questionnaire for already-parsed criteria and the structured eligibility."""
    builder = QuestionBuilder()
    age_check = structured_age_check(eligibility)
    if age_check is not None:
        age = age_question()
        age.checks.append(age_check)
        builder.questions.append(age)
    sex = sex_question(eligibility)
    if sex is not None:
        builder.questions.append(sex)
    for index, criterion in enumerate(parsed.criteria):
        if sum(ch.isalpha() for ch in criterion.text) < 3:
            continue
        if is_header(parsed, index) or inside_exception(parsed, index):
            continue
        heading = parent_heading(parsed, index)
        if says_nothing(criterion) or heading in ("age", "sex", "gender"):
            continue  # age and sex come from the structured eligibility
        if heading in _PERMISSIONS:
            continue  # "Allowed:" / "* PCP prophylaxis, antibiotics …": nothing is required
        pieces = run_on_items(criterion)
        for n, piece in enumerate(pieces or [criterion]):
            qid = f"c{index}" if n == 0 else f"c{index}i{n}"
            _add_item(builder, parsed, index, piece, heading, qid)
        if pieces:  # the items' questions check, and show, the registry's whole line
            for question in builder.questions:
                for checked in question.checks:
                    if checked.key == f"c{index}":
                        checked.text = unescape(criterion.text)
    questions = [q for q in builder.questions if q.checks]
    groups = [
        QuestionGroup(name=name, questions=[q for q in questions if q.group == name])
        for name in GROUP_ORDER
    ]
    return Questionnaire(
        nct_id=nct_id,
        title=title,
        groups=[g for g in groups if g.questions],
        team_checks=builder.team,
        alternatives=find_alternatives(parsed),
    )


@lru_cache(maxsize=256)
def _cached(
    nct_id: str, title: str, criteria_text: str, eligibility_json: str, cut: bool = False
) -> Questionnaire:
    eligibility = Eligibility.model_validate_json(eligibility_json)
    parsed = parse_criteria(criteria_text)
    built = build_questionnaire(nct_id, title, parsed, eligibility)
    return mark_cut(built, len(parsed.criteria)) if cut else built


def questionnaire(study: Study) -> Questionnaire:
    """The pre-screening questionnaire of ``study`` (from its registry record only).

    Reads the first lines of a huge criteria text only (see :func:`criteria_read`)."""
    eligibility = study.eligibility
    key = eligibility.model_dump_json(include={"sex", "minimum_age", "maximum_age"})
    text, cut = criteria_read(eligibility.criteria_text)
    built = _cached(study.nct_id, study.title, text, key, cut)
    return built.model_copy(deep=True)
