"""Legacy ClinicalTrials.gov XML ``clinical_results`` → :class:`~trialatlas.model.results.Results`.

Posted results in the AllPublicXML / TREC ``clinical_study`` format: participant flow,
baseline, outcome measures with analyses, reported (adverse) events and the "more
information" block. Group ids are kept as written (``P1``, ``B1``, ``O1``, ``E1``);
values stay strings as posted. The per-group totals of the adverse-event tables
("Total, serious adverse events", "Total, other adverse events", "Total, all-cause
mortality") become the counts of :class:`EventGroup`, as API v2 holds them; they are
not events.

Also home of the few element helpers both legacy-XML modules share
(:func:`clean_text`, :func:`child_text`, :func:`upper_snake`, :func:`to_code`).
Pure functions, no I/O.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from trialatlas.model.results import (
    Achievement,
    AdverseEvent,
    AdverseEvents,
    Analysis,
    Baseline,
    BaselineMeasure,
    Category,
    Count,
    Denom,
    DropWithdraw,
    EventGroup,
    EventStat,
    FlowPeriod,
    MeasureClass,
    Measurement,
    Milestone,
    MoreInfo,
    OutcomeMeasure,
    ParticipantFlow,
    ResultGroup,
    Results,
)
from trialatlas.normalize.values import RecordError

_NON_WORD_RE = re.compile(r"[^0-9A-Za-z]+")

# XML dispersion text → API v2 MeasureDispersionType (other text: upper-snake code).
_DISPERSION = {
    "80% Confidence Interval": "CONFIDENCE_80",
    "90% Confidence Interval": "CONFIDENCE_90",
    "95% Confidence Interval": "CONFIDENCE_95",
    "97.5% Confidence Interval": "CONFIDENCE_975",
    "99% Confidence Interval": "CONFIDENCE_99",
    "Geometric Coefficient of Variation": "GEOMETRIC_COEFFICIENT",
}

# Rows of the event tables that carry per-group totals, by table: sub_title → (field prefix).
_TOTAL_ROWS = {
    "serious_events": {
        "Total, serious adverse events": "serious",
        "Total, all-cause mortality": "deaths",
    },
    "other_events": {"Total, other adverse events": "other"},
}


# --- shared element helpers ----------------------------------------------------------


def clean_text(value: str | None) -> str | None:
    """Plain element text: line ends made ``\\n``, outer blanks stripped, empty → None."""
    if value is None:
        return None
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    return value or None


def child_text(parent: Element | None, tag: str) -> str | None:
    """Cleaned text of the first ``tag`` child (a simple path), or None."""
    if parent is None:
        return None
    return clean_text(parent.findtext(tag))


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


def _int_attr(el: Element, name: str, path: str) -> int | None:
    raw = el.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise RecordError(f"{path}/@{name}", f"expected a whole number, got {raw!r}") from exc


def _required(el: Element, tag: str, path: str) -> str:
    text = child_text(el, tag)
    if text is None:
        raise RecordError(f"{path}/{tag}", "missing value")
    return text


def _group_id(el: Element, path: str) -> str:
    gid = el.get("group_id")
    if not gid:
        raise RecordError(f"{path}/@group_id", "missing group id")
    return gid.strip()


# --- shared result parts ---------------------------------------------------------------


def _groups(parent: Element, path: str) -> list[ResultGroup]:
    return [
        ResultGroup(
            id=_group_id(g, f"{path}/group_list/group"),
            title=child_text(g, "title"),
            description=child_text(g, "description"),
        )
        for g in parent.iterfind("group_list/group")
    ]


def _denoms(parent: Element, path: str) -> list[Denom]:
    """``analyzed_list/analyzed`` → denominators (units and a count per group)."""
    cpath = f"{path}/analyzed_list/analyzed/count_list/count"
    return [
        Denom(
            units=child_text(a, "units"),
            counts=[
                Count(group_id=_group_id(c, cpath), value=clean_text(c.get("value")))
                for c in a.iterfind("count_list/count")
            ],
        )
        for a in parent.iterfind("analyzed_list/analyzed")
    ]


def _classes(measure: Element, path: str) -> list[MeasureClass]:
    cpath = f"{path}/class_list/class"
    mpath = f"{cpath}/category_list/category/measurement_list/measurement"
    classes: list[MeasureClass] = []
    for cls in measure.iterfind("class_list/class"):
        categories = [
            Category(
                title=child_text(cat, "title"),
                measurements=[
                    Measurement(
                        group_id=_group_id(m, mpath),
                        value=clean_text(m.get("value")),
                        spread=clean_text(m.get("spread")),
                        lower_limit=clean_text(m.get("lower_limit")),
                        upper_limit=clean_text(m.get("upper_limit")),
                        comment=clean_text(m.text),
                    )
                    for m in cat.iterfind("measurement_list/measurement")
                ],
            )
            for cat in cls.iterfind("category_list/category")
        ]
        classes.append(
            MeasureClass(
                title=child_text(cls, "title"),
                # MeasureClass.denoms holds bare counts: those of every analyzed unit.
                denoms=[c for d in _denoms(cls, cpath) for c in d.counts],
                categories=categories,
            )
        )
    return classes


# --- sections ------------------------------------------------------------------------


def _participant_flow(el: Element, path: str) -> ParticipantFlow:
    periods: list[FlowPeriod] = []
    ppath = f"{path}/period_list/period"
    for period in el.iterfind("period_list/period"):
        milestones = [
            Milestone(
                type=_required(ms, "title", f"{ppath}/milestone_list/milestone"),
                achievements=[
                    Achievement(
                        group_id=_group_id(p, f"{ppath}/milestone_list/milestone/participants"),
                        num_subjects=clean_text(p.get("count")),
                        comment=clean_text(p.text),
                    )
                    for p in ms.iterfind("participants_list/participants")
                ],
            )
            for ms in period.iterfind("milestone_list/milestone")
        ]
        drops = [
            DropWithdraw(
                type=_required(dw, "title", f"{ppath}/drop_withdraw_reason"),
                reasons=[
                    Count(
                        group_id=_group_id(p, f"{ppath}/drop_withdraw_reason/participants"),
                        value=clean_text(p.get("count")),
                    )
                    for p in dw.iterfind("participants_list/participants")
                ],
            )
            for dw in period.iterfind("drop_withdraw_reason_list/drop_withdraw_reason")
        ]
        periods.append(
            FlowPeriod(
                title=child_text(period, "title"), milestones=milestones, drop_withdraws=drops
            )
        )
    return ParticipantFlow(
        recruitment_details=child_text(el, "recruitment_details"),
        pre_assignment_details=child_text(el, "pre_assignment_details"),
        groups=_groups(el, path),
        periods=periods,
    )


def _baseline(el: Element, path: str) -> Baseline:
    mpath = f"{path}/measure_list/measure"
    measures = [
        BaselineMeasure(
            title=_required(m, "title", mpath),
            description=child_text(m, "description"),
            population_description=child_text(m, "population"),
            param_type=to_code(child_text(m, "param")),
            dispersion_type=to_code(child_text(m, "dispersion"), _DISPERSION),
            unit_of_measure=child_text(m, "units"),
            denoms=_denoms(m, mpath),
            classes=_classes(m, mpath),
        )
        for m in el.iterfind("measure_list/measure")
    ]
    return Baseline(
        population_description=child_text(el, "population"),
        groups=_groups(el, path),
        denoms=_denoms(el, path),
        measures=measures,
    )


def _analysis(el: Element) -> Analysis:
    return Analysis(
        group_ids=[t for g in el.iterfind("group_id_list/group_id") if (t := clean_text(g.text))],
        description=child_text(el, "groups_desc"),
        non_inferiority_type=to_code(child_text(el, "non_inferiority_type")),
        p_value=child_text(el, "p_value"),
        statistical_method=child_text(el, "method"),
        param_type=child_text(el, "param_type"),
        param_value=child_text(el, "param_value"),
        ci_pct_value=child_text(el, "ci_percent"),
        ci_lower_limit=child_text(el, "ci_lower_limit"),
        ci_upper_limit=child_text(el, "ci_upper_limit"),
    )


def _outcome(el: Element, path: str) -> OutcomeMeasure:
    measure = el.find("measure")
    mpath = f"{path}/measure"
    title = child_text(el, "title") or child_text(measure, "title")
    if title is None:
        raise RecordError(f"{path}/title", "outcome measure without a title")
    return OutcomeMeasure(
        type=to_code(child_text(el, "type")),
        title=title,
        description=child_text(el, "description") or child_text(measure, "description"),
        population_description=child_text(el, "population") or child_text(measure, "population"),
        param_type=to_code(child_text(measure, "param")),
        dispersion_type=to_code(child_text(measure, "dispersion"), _DISPERSION),
        unit_of_measure=child_text(measure, "units"),
        time_frame=child_text(el, "time_frame"),
        groups=_groups(el, path),
        denoms=_denoms(measure, mpath) if measure is not None else [],
        classes=_classes(measure, mpath) if measure is not None else [],
        analyses=[_analysis(a) for a in el.iterfind("analysis_list/analysis")],
    )


def _events(
    el: Element | None, table: str, path: str, totals: dict[str, dict[str, int | None]]
) -> list[AdverseEvent]:
    """One event table; its total rows go into ``totals[group_id]`` instead of the list."""
    if el is None:
        return []
    total_rows = _TOTAL_ROWS[table]
    default_vocab = child_text(el, "default_vocab")
    default_assessment = child_text(el, "default_assessment")
    cpath = f"{path}/category_list/category/event_list/event/counts"
    events: list[AdverseEvent] = []
    for cat in el.iterfind("category_list/category"):
        organ_system = child_text(cat, "title")
        for ev in cat.iterfind("event_list/event"):
            sub = ev.find("sub_title")
            term = clean_text(sub.text) if sub is not None else None
            if organ_system == "Total" and term in total_rows:
                prefix = total_rows[term]
                for c in ev.iterfind("counts"):
                    group = totals.setdefault(_group_id(c, cpath), {})
                    group[f"{prefix}_num_affected"] = _int_attr(c, "subjects_affected", cpath)
                    group[f"{prefix}_num_at_risk"] = _int_attr(c, "subjects_at_risk", cpath)
                continue
            vocab = clean_text(sub.get("vocab")) if sub is not None else None
            events.append(
                AdverseEvent(
                    term=term or "",  # a few legacy events have no sub_title: no term posted
                    organ_system=organ_system,
                    source_vocabulary=vocab or default_vocab,
                    assessment_type=to_code(child_text(ev, "assessment") or default_assessment),
                    notes=child_text(ev, "description"),
                    stats=[
                        EventStat(
                            group_id=_group_id(c, cpath),
                            num_events=_int_attr(c, "events", cpath),
                            num_affected=_int_attr(c, "subjects_affected", cpath),
                            num_at_risk=_int_attr(c, "subjects_at_risk", cpath),
                        )
                        for c in ev.iterfind("counts")
                    ],
                )
            )
    return events


def _adverse_events(el: Element, path: str) -> AdverseEvents:
    totals: dict[str, dict[str, int | None]] = {}
    serious_el = el.find("serious_events")
    other_el = el.find("other_events")
    serious = _events(serious_el, "serious_events", f"{path}/serious_events", totals)
    other = _events(other_el, "other_events", f"{path}/other_events", totals)
    groups = [
        EventGroup.model_validate({**g.model_dump(), **totals.get(g.id, {})})
        for g in _groups(el, path)
    ]
    return AdverseEvents(
        frequency_threshold=child_text(other_el, "frequency_threshold"),
        time_frame=child_text(el, "time_frame"),
        description=child_text(el, "desc"),
        groups=groups,
        serious_events=serious,
        other_events=other,
    )


def _more_info(el: Element) -> MoreInfo | None:
    agreements = el.find("certain_agreements")
    agreement_parts = [
        t
        for t in (
            child_text(agreements, "pi_employee"),
            child_text(agreements, "restrictive_agreement"),
        )
        if t
    ]
    contact = el.find("point_of_contact")
    contact_parts = [
        t
        for t in (
            child_text(contact, "name_or_title"),
            child_text(contact, "organization"),
            child_text(contact, "email"),
            child_text(contact, "phone"),
        )
        if t
    ]
    info = MoreInfo(
        limitations=child_text(el, "limitations_and_caveats"),
        certain_agreement="\n".join(agreement_parts) or None,
        point_of_contact=", ".join(contact_parts) or None,
    )
    if (
        info.limitations is None
        and info.certain_agreement is None
        and info.point_of_contact is None
    ):
        return None
    return info


def map_results(el: Element, path: str = "clinical_study/clinical_results") -> Results:
    """Map one ``<clinical_results>`` element to :class:`Results`.

    Raises :class:`RecordError` naming the element path for a missing group id or a
    count that is not a whole number.
    """
    flow = el.find("participant_flow")
    baseline = el.find("baseline")
    events = el.find("reported_events")
    return Results(
        participant_flow=_participant_flow(flow, f"{path}/participant_flow")
        if flow is not None
        else None,
        baseline=_baseline(baseline, f"{path}/baseline") if baseline is not None else None,
        outcome_measures=[
            _outcome(o, f"{path}/outcome_list/outcome[{i}]")
            for i, o in enumerate(el.iterfind("outcome_list/outcome"))
        ],
        adverse_events=_adverse_events(events, f"{path}/reported_events")
        if events is not None
        else None,
        more_info=_more_info(el),
    )
