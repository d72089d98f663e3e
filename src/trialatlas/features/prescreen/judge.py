"""Answers → a verdict per criterion, and the overall verdict.

Each (question, criterion) check gives "ok", "fails" or "unknown" with a reason in
plain words. A criterion is not met when any of its checks fails, unknown when
any is unknown, and met only when every check is ok: an unknown never counts as
met. Exclusions are inverted by their checks (a range that *excludes*, a "yes"
that rules out), so a criterion verdict always reads "met = fine for the trial".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from trialatlas.features.prescreen.alternatives import combine_alternatives
from trialatlas.features.prescreen.answers import Answer, calendar_span, days_before
from trialatlas.features.prescreen.model import (
    CheckedCriterion,
    ChoiceCheck,
    CriterionRef,
    CriterionVerdict,
    ElapsedCheck,
    Overall,
    PrescreenResult,
    Question,
    Questionnaire,
    RangeCheck,
    YesNoCheck,
)
from trialatlas.features.prescreen.phrasing import shorten
from trialatlas.features.prescreen.quantities import convert, fmt_number, is_unitless
from trialatlas.features.prescreen.range_checks import describe_range

Status = Literal["ok", "fails", "unknown"]
OVERALL_LABELS: dict[Overall, str] = {
    "likely_eligible": "Likely eligible",
    "likely_not_eligible": "Likely not eligible",
    "needs_study_team": "Needs the study team",
}


@dataclass(frozen=True)
class Outcome:
    status: Status
    reason: str


def _said(answer: Answer) -> str:
    """The lead of a reason: "You said", "Your profile says" or "Your description says"."""
    return "You said" if answer.source == "answer" else f"Your {answer.source} says"


def _unknown_reason(
    question: Question, answer: Answer | None, profile: bool, record: str = "profile"
) -> str | None:
    if answer is None:
        note = f" (your {record} does not say)" if profile else ""
        return f"Not answered{note}: “{question.text}”"
    if answer.kind == "unsure":
        return "You said you are not sure."
    if answer.kind == "invalid":
        return "We could not read this answer."
    return None


def _yes_no(check: YesNoCheck, answer: Answer, question: Question, several: bool) -> Outcome:
    said = "yes" if answer.kind == "yes" else "no"
    if answer.kind not in ("yes", "no"):
        return Outcome("unknown", "We could not read this answer.")
    about = f" to “{question.text}”" if several else ""
    said = answer.shown if answer.source != "answer" else said
    lead = f"{_said(answer)} {said}{about}"
    if (answer.kind == "yes") != check.disqualifying:
        return Outcome("ok", f"{lead}.")
    if check.team_decides:
        return Outcome("unknown", f"{lead}; the study team decides whether this rules you out.")
    if check.disqualifying:
        return Outcome("fails", f"{lead}; this rules people out of the trial.")
    return Outcome("fails", f"{lead}; the trial needs a yes.")


def _inside(check: RangeCheck, value: float) -> bool:
    if check.low is not None and (
        value < check.low or (value == check.low and not check.low_inclusive)
    ):
        return False
    return not (
        check.high is not None
        and (value > check.high or (value == check.high and not check.high_inclusive))
    )


def _range(check: RangeCheck, answer: Answer, label: str, question: Question) -> Outcome:
    if answer.kind == "not_applicable":
        if check.not_applicable_meets:
            return Outcome(
                "ok", f"You said “{question.not_applicable or 'this does not apply to me'}”."
            )
        return Outcome("unknown", "You said this does not apply to you; the study team will check.")
    if answer.kind != "number" or answer.number is None:
        return Outcome("unknown", "We could not read this answer.")
    if answer.source != "answer" and answer.unit is None and not is_unitless(check.unit):
        # a lab in a profile is not an answer to this question: without its unit, 1.1
        # could be mg/dL or µmol/L, so it is never compared as if in the trial's unit
        return Outcome(
            "unknown",
            f"Your {answer.source} gives your {label} as {answer.shown} without a unit; "
            f"the trial's limit is in {check.unit}.",
        )
    value = convert(answer.number, answer.unit, check.unit, check.measure)
    if value is None or math.isnan(value):
        unit = check.unit or "a plain number"
        return Outcome("unknown", f"You gave {answer.shown}, which cannot be compared with {unit}.")
    if check.measure == "age":
        value = math.floor(value + 1e-9)
    shown = answer.shown
    if answer.unit and check.unit and abs(value - answer.number) > 1e-9 * max(1.0, abs(value)):
        shown = f"{shown} ({fmt_number(value)} {check.unit})"
    elif not answer.unit and check.unit:
        shown = f"{shown} {check.unit}"
    if check.measure == "age":
        said = f"{_said(answer)} you are {shown} old"
    else:
        said = f"{_said(answer)} your {label} is {shown}"
    inside = _inside(check, value)
    wanted = describe_range(check)
    if check.inside_meets:
        outcome = Outcome("ok" if inside else "fails", f"{said}; the trial needs {wanted}.")
    else:
        verdict: Status = "fails" if inside else "ok"
        outcome = Outcome(verdict, f"{said}; the trial does not take people with {wanted}.")
    if outcome.status == "fails" and check.exceptions:
        excepted = "; ".join(check.exceptions)
        return Outcome(
            "unknown",
            f"{outcome.reason[:-1]}, with an exception ({excepted}); the study team will check.",
        )
    return outcome


def _elapsed(
    check: ElapsedCheck, answer: Answer, label: str, today: dt.date, question: Question
) -> Outcome:
    if answer.kind == "never":
        status: Status = "ok" if check.never_meets else "fails"
        said = question.never_label or "this does not apply to me"
        return Outcome(status, f"{_said(answer)} “{said}”.")
    if answer.kind != "date" or answer.earliest is None or answer.latest is None:
        return Outcome("unknown", "We could not read this answer.")
    # "at least 6 months ago": on or before the same day 6 calendar months ago
    latest_day = days_before(today, check.min_days) if check.min_days is not None else None
    earliest_day = days_before(today, check.max_days) if check.max_days is not None else None
    ends = []
    for day in (answer.earliest, answer.latest):
        ok = (latest_day is None or day <= latest_day) and (
            earliest_day is None or day >= earliest_day
        )
        ends.append(ok)
    need = []
    if check.min_days is not None:
        need.append(f"at least {_duration(check.min_days)}")
    if check.max_days is not None:
        need.append(f"no more than {_duration(check.max_days)}")
    exact = answer.earliest == answer.latest
    ago = _duration_rough((today - answer.earliest).days)
    said = (
        f"{_said(answer)} {label} {'on' if exact else 'in'} {answer.shown} ({ago}); "
        f"the trial needs {' and '.join(need)} ago"
    )
    if ends[0] != ends[1]:
        return Outcome(
            "unknown", f"{said}. It depends on the exact day; the study team will check."
        )
    inside = ends[0]
    meets = inside if check.inside_meets else not inside
    return Outcome("ok" if meets else "fails", f"{said}.")


def _duration(days: float) -> str:
    span = calendar_span(days)
    if span is not None:
        n, unit = span
        return f"{n} {unit}{'s' if n != 1 else ''}"
    if days % 7 == 0 and days >= 7:
        weeks = int(days // 7)
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{fmt_number(days)} days"


def _duration_rough(days: int) -> str:
    if days < 45:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if days < 730:
        return f"about {round(days / 30.4)} months ago"
    return f"about {days // 365} years ago"


def _choice(check: ChoiceCheck, answer: Answer) -> Outcome:
    if answer.kind != "choice" or answer.choice is None:
        return Outcome("unknown", "We could not read this answer.")
    wanted = " or ".join(a.capitalize() for a in check.allowed)
    if answer.choice in check.allowed:
        return Outcome("ok", f"{_said(answer)} {answer.shown}.")
    return Outcome("fails", f"{_said(answer)} {answer.shown}; the trial is for {wanted} only.")


def judge_check(
    question: Question,
    checked: CheckedCriterion,
    answer: Answer | None,
    today: dt.date,
    several: bool,
    profile: bool = False,
    record: str = "profile",
) -> Outcome:
    """One answer against one criterion's check (``profile``: answers came from a profile,
    read from ``record``: "profile" or "description", as the reasons name it)."""
    missing = _unknown_reason(question, answer, profile, record)
    if missing is not None or answer is None:
        return Outcome("unknown", missing or "Not answered.")
    check = checked.check
    if isinstance(check, YesNoCheck):
        return _yes_no(check, answer, question, several)
    if isinstance(check, RangeCheck):
        return _range(check, answer, checked.label, question)
    if isinstance(check, ElapsedCheck):
        return _elapsed(check, answer, checked.label, today, question)
    return _choice(check, answer)


def _verdict(outcomes: list[Outcome]) -> tuple[str, str]:
    """Not met names what failed; unknown and met give every reason, in question order."""
    failed = [o.reason for o in outcomes if o.status == "fails"]
    if failed:
        return "not_met", " ".join(dict.fromkeys(failed))
    reasons = " ".join(dict.fromkeys(o.reason for o in outcomes))
    return ("unknown" if any(o.status == "unknown" for o in outcomes) else "met"), reasons


def _summary(
    overall: Overall, not_met: list[CriterionRef], unknown: list[CriterionRef], team: int
) -> str:
    if overall == "needs_study_team" and not unknown:
        return "This trial's record has no criteria we can check here; the study team decides."
    if overall == "likely_not_eligible":
        names = "; ".join(f"“{shorten(r.text, 70)}”" for r in not_met[:3])
        more = f" and {len(not_met) - 3} more" if len(not_met) > 3 else ""
        return f"Based on your answers, you likely do not qualify. Not met: {names}{more}."
    if overall == "needs_study_team":
        names = "; ".join(f"“{shorten(r.text, 70)}”" for r in unknown[:3])
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        return f"The study team needs to check {len(unknown)} criteria we could not decide: {names}{more}."
    note = (
        f" The study team will also check {team} criteria that need their judgement."
        if team
        else ""
    )
    return f"Based on your answers, you may qualify: every criterion we could check is met.{note}"


def judge(
    questionnaire: Questionnaire,
    answers: dict[str, Answer],
    today: dt.date,
    ignored: list[str],
    profile: bool = False,
    record: str = "profile",
) -> PrescreenResult:
    """Verdicts for every checked criterion, in criteria order, and the overall verdict."""
    per_criterion: dict[str, list[tuple[Question, CheckedCriterion]]] = {}
    for question in questionnaire.questions():
        for checked in question.checks:
            per_criterion.setdefault(checked.key, []).append((question, checked))
    order = sorted(
        per_criterion,
        key=lambda k: (
            per_criterion[k][0][1].index is not None,
            per_criterion[k][0][1].index or 0,
            k,
        ),
    )
    verdicts: list[CriterionVerdict] = []
    for key in order:
        pairs = sorted(per_criterion[key], key=lambda pair: pair[0].id)
        several = len(pairs) > 1
        outcomes = [
            judge_check(q, c, answers.get(q.id), today, several, profile, record) for q, c in pairs
        ]
        verdict, reason = _verdict(outcomes)
        first = pairs[0][1]
        verdicts.append(
            CriterionVerdict(
                key=key,
                index=first.index,
                kind=first.kind,
                source=first.source,
                text=first.text,
                verdict=verdict,
                reason=reason,
                question_ids=[q.id for q, _ in pairs],  # type: ignore[arg-type]
            )
        )
    verdicts = combine_alternatives(questionnaire.alternatives, verdicts)
    refs = {
        v.key: CriterionRef(key=v.key, index=v.index, kind=v.kind, text=v.text) for v in verdicts
    }
    not_met = [refs[v.key] for v in verdicts if v.verdict == "not_met"]
    unknown = [refs[v.key] for v in verdicts if v.verdict == "unknown"]
    overall: Overall = (
        "likely_not_eligible"
        if not_met
        else ("needs_study_team" if unknown or not verdicts else "likely_eligible")
    )
    return PrescreenResult(
        nct_id=questionnaire.nct_id,
        title=questionnaire.title,
        overall=overall,
        overall_label=OVERALL_LABELS[overall],
        summary=_summary(overall, not_met, unknown, len(questionnaire.team_checks)),
        verdicts=verdicts,
        not_met=not_met,
        unknown=unknown,
        team_checks=questionnaire.team_checks,
        answered=sum(1 for q in questionnaire.questions() if q.id in answers),
        questions=len(questionnaire.questions()),
        ignored_answers=ignored,
    )
