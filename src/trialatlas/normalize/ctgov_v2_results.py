"""ClinicalTrials.gov API v2 ``resultsSection`` → :class:`~trialatlas.model.results.Results`.

Pure mapping, no I/O. Posted values stay strings exactly as the registry holds them
(``"12.5"``, ``"NA"``); only the adverse-event counts, which the API types as
integers, are kept as integers. Every wrong-typed value raises
:class:`~trialatlas.normalize.values.RecordError` naming the field path from the
study root (``resultsSection.outcomeMeasuresModule.outcomeMeasures[2].title``).

The small typed accessors that the protocol mapper also needs (a list of objects,
a required text, a number) live here, below the result mappers' level, so the two
v2 modules share them without a cycle.
"""

from __future__ import annotations

from typing import Any

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
from trialatlas.normalize.values import (
    RecordError,
    get_bool,
    get_dict,
    get_int,
    get_list,
    get_str,
    get_str_list,
)

# ---------------------------------------------------------------------------
# typed accessors shared with ctgov_v2.py


def dict_list(obj: dict[str, Any], key: str, path: str) -> list[tuple[dict[str, Any], str]]:
    """The objects of list ``key`` with each one's field path; a non-object item is an error."""
    items = get_list(obj, key, path)
    if not items:
        return []
    base = f"{path}.{key}"
    out: list[tuple[dict[str, Any], str]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise RecordError(f"{base}[{i}]", f"expected an object, got {type(item).__name__}")
        out.append((item, f"{base}[{i}]"))
    return out


def require_str(obj: dict[str, Any], key: str, path: str) -> str:
    """A text field the registry always gives; missing or blank is an error naming it."""
    value = get_str(obj, key, path)
    if value is None:
        raise RecordError(f"{path}.{key}", "missing")
    return value


def get_float(obj: dict[str, Any], key: str, path: str) -> float | None:
    """A number field or None; text, booleans and objects are errors naming the field."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"{path}.{key}", f"expected a number, got {type(value).__name__}")
    return float(value)


# ---------------------------------------------------------------------------
# shared result parts


def _groups(obj: dict[str, Any], path: str, key: str = "groups") -> list[ResultGroup]:
    return [
        ResultGroup(
            id=require_str(g, "id", p),
            title=get_str(g, "title", p),
            description=get_str(g, "description", p),
        )
        for g, p in dict_list(obj, key, path)
    ]


def _counts(obj: dict[str, Any], key: str, path: str, value_key: str = "value") -> list[Count]:
    return [
        Count(group_id=require_str(c, "groupId", p), value=get_str(c, value_key, p))
        for c, p in dict_list(obj, key, path)
    ]


def _denoms(obj: dict[str, Any], path: str) -> list[Denom]:
    return [
        Denom(units=get_str(d, "units", p), counts=_counts(d, "counts", p))
        for d, p in dict_list(obj, "denoms", path)
    ]


def _measurements(obj: dict[str, Any], path: str) -> list[Measurement]:
    return [
        Measurement(
            group_id=require_str(m, "groupId", p),
            value=get_str(m, "value", p),
            spread=get_str(m, "spread", p),
            lower_limit=get_str(m, "lowerLimit", p),
            upper_limit=get_str(m, "upperLimit", p),
            comment=get_str(m, "comment", p),
        )
        for m, p in dict_list(obj, "measurements", path)
    ]


def _class_denoms(cls: dict[str, Any], path: str) -> list[Count]:
    """A class's ``denoms`` (``[{units, counts}]`` in the registry) → its counts.

    The model types ``MeasureClass.denoms`` as counts, so the denom's ``units`` is
    dropped here (the registry gives one denom per class, in the measure's units).
    """
    return [count for d in _denoms(cls, path) for count in d.counts]


def _classes(obj: dict[str, Any], path: str) -> list[MeasureClass]:
    return [
        MeasureClass(
            title=get_str(c, "title", p),
            denoms=_class_denoms(c, p),
            categories=[
                Category(title=get_str(cat, "title", cp), measurements=_measurements(cat, cp))
                for cat, cp in dict_list(c, "categories", p)
            ],
        )
        for c, p in dict_list(obj, "classes", path)
    ]


# ---------------------------------------------------------------------------
# modules


def _participant_flow(mod: dict[str, Any], path: str) -> ParticipantFlow:
    periods = []
    for per, pp in dict_list(mod, "periods", path):
        milestones = [
            Milestone(
                type=require_str(m, "type", mp),
                comment=get_str(m, "comment", mp),
                achievements=[
                    Achievement(
                        group_id=require_str(a, "groupId", ap),
                        num_subjects=get_str(a, "numSubjects", ap),
                        comment=get_str(a, "comment", ap),
                    )
                    for a, ap in dict_list(m, "achievements", mp)
                ],
            )
            for m, mp in dict_list(per, "milestones", pp)
        ]
        drops = [
            DropWithdraw(
                type=require_str(d, "type", dp),
                reasons=_counts(d, "reasons", dp, value_key="numSubjects"),
            )
            for d, dp in dict_list(per, "dropWithdraws", pp)
        ]
        periods.append(
            FlowPeriod(title=get_str(per, "title", pp), milestones=milestones, drop_withdraws=drops)
        )
    return ParticipantFlow(
        recruitment_details=get_str(mod, "recruitmentDetails", path),
        pre_assignment_details=get_str(mod, "preAssignmentDetails", path),
        groups=_groups(mod, path),
        periods=periods,
    )


def _baseline(mod: dict[str, Any], path: str) -> Baseline:
    return Baseline(
        population_description=get_str(mod, "populationDescription", path),
        groups=_groups(mod, path),
        denoms=_denoms(mod, path),
        measures=[
            BaselineMeasure(
                title=require_str(m, "title", p),
                description=get_str(m, "description", p),
                population_description=get_str(m, "populationDescription", p),
                param_type=get_str(m, "paramType", p),
                dispersion_type=get_str(m, "dispersionType", p),
                unit_of_measure=get_str(m, "unitOfMeasure", p),
                denoms=_denoms(m, p),
                classes=_classes(m, p),
            )
            for m, p in dict_list(mod, "measures", path)
        ],
    )


def _analysis(a: dict[str, Any], p: str) -> Analysis:
    return Analysis(
        group_ids=get_str_list(a, "groupIds", p),
        description=get_str(a, "groupDescription", p),
        non_inferiority_type=get_str(a, "nonInferiorityType", p),
        p_value=get_str(a, "pValue", p),
        statistical_method=get_str(a, "statisticalMethod", p),
        param_type=get_str(a, "paramType", p),
        param_value=get_str(a, "paramValue", p),
        ci_pct_value=get_str(a, "ciPctValue", p),
        ci_lower_limit=get_str(a, "ciLowerLimit", p),
        ci_upper_limit=get_str(a, "ciUpperLimit", p),
    )


def _outcome_measures(mod: dict[str, Any], path: str) -> list[OutcomeMeasure]:
    return [
        OutcomeMeasure(
            type=get_str(m, "type", p),
            title=require_str(m, "title", p),
            description=get_str(m, "description", p),
            population_description=get_str(m, "populationDescription", p),
            reporting_status=get_str(m, "reportingStatus", p),
            param_type=get_str(m, "paramType", p),
            dispersion_type=get_str(m, "dispersionType", p),
            unit_of_measure=get_str(m, "unitOfMeasure", p),
            time_frame=get_str(m, "timeFrame", p),
            groups=_groups(m, p),
            denoms=_denoms(m, p),
            classes=_classes(m, p),
            analyses=[_analysis(a, ap) for a, ap in dict_list(m, "analyses", p)],
        )
        for m, p in dict_list(mod, "outcomeMeasures", path)
    ]


def _events(mod: dict[str, Any], key: str, path: str) -> list[AdverseEvent]:
    return [
        AdverseEvent(
            term=require_str(e, "term", p),
            organ_system=get_str(e, "organSystem", p),
            source_vocabulary=get_str(e, "sourceVocabulary", p),
            assessment_type=get_str(e, "assessmentType", p),
            notes=get_str(e, "notes", p),
            stats=[
                EventStat(
                    group_id=require_str(s, "groupId", sp),
                    num_events=get_int(s, "numEvents", sp),
                    num_affected=get_int(s, "numAffected", sp),
                    num_at_risk=get_int(s, "numAtRisk", sp),
                )
                for s, sp in dict_list(e, "stats", p)
            ],
        )
        for e, p in dict_list(mod, key, path)
    ]


def _adverse_events(mod: dict[str, Any], path: str) -> AdverseEvents:
    return AdverseEvents(
        frequency_threshold=get_str(mod, "frequencyThreshold", path),
        time_frame=get_str(mod, "timeFrame", path),
        description=get_str(mod, "description", path),
        groups=[
            EventGroup(
                id=require_str(g, "id", p),
                title=get_str(g, "title", p),
                description=get_str(g, "description", p),
                deaths_num_affected=get_int(g, "deathsNumAffected", p),
                deaths_num_at_risk=get_int(g, "deathsNumAtRisk", p),
                serious_num_affected=get_int(g, "seriousNumAffected", p),
                serious_num_at_risk=get_int(g, "seriousNumAtRisk", p),
                other_num_affected=get_int(g, "otherNumAffected", p),
                other_num_at_risk=get_int(g, "otherNumAtRisk", p),
            )
            for g, p in dict_list(mod, "eventGroups", path)
        ],
        serious_events=_events(mod, "seriousEvents", path),
        other_events=_events(mod, "otherEvents", path),
    )


# The registry's own wording for the coded "certain agreements" (the same sentences
# the legacy XML carries), so both source formats give the same text.
_PI_EMPLOYEE = {
    True: "All Principal Investigators ARE employed by the organization sponsoring the study.",
    False: "Principal Investigators are NOT employed by the organization sponsoring the study.",
}
_NO_AGREEMENT = (
    "There is NOT an agreement between Principal Investigators and the Sponsor (or its "
    "agents) that restricts the PI's rights to discuss or publish trial results after the "
    "trial is completed."
)
_AGREEMENT = (
    "There IS an agreement between Principal Investigators and the Sponsor (or its agents) "
    "that restricts the PI's rights to discuss or publish trial results after the trial is "
    "completed."
)
_EMBARGO = (
    "The only disclosure restriction on the PI is that the sponsor can review results "
    "communications prior to public release and can embargo communications regarding trial "
    "results for a period that is {period}. The sponsor cannot require changes to the "
    "communication and cannot extend the embargo."
)
_RESTRICTION = {
    "LTE60": _EMBARGO.format(period="less than or equal to 60 days"),
    "GT60": _EMBARGO.format(period="more than 60 days but less than or equal to 180 days"),
}


def _certain_agreement(ca: dict[str, Any], path: str) -> str | None:
    """``certainAgreement`` (coded) → the registry's sentences, one per line."""
    lines: list[str] = []
    employee = get_bool(ca, "piSponsorEmployee", path)
    if employee is not None:
        lines.append(_PI_EMPLOYEE[employee])
    restrictive = get_bool(ca, "restrictiveAgreement", path)
    kind = get_str(ca, "restrictionType", path)
    details = get_str(ca, "otherDetails", path)
    if restrictive is False:
        lines.append(_NO_AGREEMENT)
    elif kind in _RESTRICTION:
        lines.append(_RESTRICTION[kind])
    elif details is None and (restrictive or kind):
        lines.append(_AGREEMENT)
    if details is not None:
        lines.append(details)
    return "\n".join(lines) or None


def _point_of_contact(poc: dict[str, Any], path: str) -> str | None:
    """``pointOfContact`` → ``Title, Organization, email, phone ext. N`` as posted."""
    phone = get_str(poc, "phone", path)
    ext = get_str(poc, "phoneExt", path)
    if phone and ext:
        phone = f"{phone} ext. {ext}"
    parts = [
        get_str(poc, "title", path),
        get_str(poc, "organization", path),
        get_str(poc, "email", path),
        phone,
    ]
    return ", ".join(p for p in parts if p) or None


def _more_info(mod: dict[str, Any], path: str) -> MoreInfo:
    return MoreInfo(
        limitations=get_str(
            get_dict(mod, "limitationsAndCaveats", path),
            "description",
            f"{path}.limitationsAndCaveats",
        ),
        certain_agreement=_certain_agreement(
            get_dict(mod, "certainAgreement", path), f"{path}.certainAgreement"
        ),
        point_of_contact=_point_of_contact(
            get_dict(mod, "pointOfContact", path), f"{path}.pointOfContact"
        ),
    )


def normalize_v2_results(section: dict[str, Any], path: str = "resultsSection") -> Results | None:
    """An API v2 ``resultsSection`` → :class:`Results`; an empty section gives None."""
    if not section:
        return None
    flow = get_dict(section, "participantFlowModule", path)
    base = get_dict(section, "baselineCharacteristicsModule", path)
    outcomes = get_dict(section, "outcomeMeasuresModule", path)
    events = get_dict(section, "adverseEventsModule", path)
    more = get_dict(section, "moreInfoModule", path)
    return Results(
        participant_flow=_participant_flow(flow, f"{path}.participantFlowModule") if flow else None,
        baseline=_baseline(base, f"{path}.baselineCharacteristicsModule") if base else None,
        outcome_measures=_outcome_measures(outcomes, f"{path}.outcomeMeasuresModule"),
        adverse_events=_adverse_events(events, f"{path}.adverseEventsModule") if events else None,
        more_info=_more_info(more, f"{path}.moreInfoModule") if more else None,
    )
