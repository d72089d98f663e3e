"""Posted results (:class:`~trialatlas.model.results.Results`) → API v2 ``resultsSection``.

The inverse of :mod:`trialatlas.normalize.ctgov_v2_results`. Two parts of the model
are kept as the registry's text rather than its codes, and are turned back here:

* ``more_info.certain_agreement`` holds the registry's sentences; each known sentence
  becomes its flag again (``piSponsorEmployee``, ``restrictiveAgreement``,
  ``restrictionType``) and any other text is ``otherDetails``.
* ``more_info.point_of_contact`` holds ``Title, Organization, email, phone ext. N``;
  it is split back on its commas (the e-mail is the part with an ``@``, the phone the
  last part when it looks like one); text that does not split cleanly stays whole as
  the ``title`` so no word is lost.
"""

from __future__ import annotations

import re
from typing import Any

from trialatlas.model.results import (
    AdverseEvent,
    AdverseEvents,
    Baseline,
    Count,
    Denom,
    MeasureClass,
    MoreInfo,
    OutcomeMeasure,
    ParticipantFlow,
    ResultGroup,
    Results,
)
from trialatlas.normalize.ctgov_v2_more_info import (
    AGREEMENT,
    NO_AGREEMENT,
    PI_EMPLOYEE,
    RESTRICTION,
)

Json = dict[str, Any]
_PHONE_RE = re.compile(r"^(?=(?:\D*\d){5})[\d\s().\-/+]+(?: ext\. (?P<ext>\S+))?$")
_COMPANY_SUFFIX_RE = re.compile(
    r"^(?:Inc|Incorporated|LLC|L\.L\.C|Ltd|Limited|Co|Corp|Corporation|GmbH|AG|S\.?A|S\.?p\.?A|"
    r"B\.?V|N\.?V|A/S|AB|Oy|plc|PLC|LP|L\.P|PC|P\.C)\.?$"
)


def _compact(pairs: dict[str, Any]) -> Json:
    return {k: v for k, v in pairs.items() if v is not None and v != [] and v != {} and v != ""}


def _groups(groups: list[ResultGroup]) -> list[Json]:
    return [_compact({"id": g.id, "title": g.title, "description": g.description}) for g in groups]


def _counts(counts: list[Count]) -> list[Json]:
    return [_compact({"groupId": c.group_id, "value": c.value}) for c in counts]


def _denoms(denoms: list[Denom]) -> list[Json]:
    return [_compact({"units": d.units, "counts": _counts(d.counts)}) for d in denoms]


def _classes(classes: list[MeasureClass], units: str | None) -> list[Json]:
    """Measure classes with their own denominators (units as posted)."""
    out = []
    for c in classes:
        denoms = _denoms(c.denoms)
        categories = [
            _compact(
                {
                    "title": cat.title,
                    "measurements": [
                        _compact(
                            {
                                "groupId": m.group_id,
                                "value": m.value,
                                "spread": m.spread,
                                "lowerLimit": m.lower_limit,
                                "upperLimit": m.upper_limit,
                                "comment": m.comment,
                            }
                        )
                        for m in cat.measurements
                    ],
                }
            )
            for cat in c.categories
        ]
        out.append(_compact({"title": c.title, "denoms": denoms, "categories": categories}))
    return out


def _units(denoms: list[Denom]) -> str | None:
    return next((d.units for d in denoms if d.units), None)


def _participant_flow(flow: ParticipantFlow) -> Json:
    periods = [
        _compact(
            {
                "title": p.title,
                "milestones": [
                    _compact(
                        {
                            "type": m.type,
                            "comment": m.comment,
                            "achievements": [
                                _compact(
                                    {
                                        "groupId": a.group_id,
                                        "comment": a.comment,
                                        "numSubjects": a.num_subjects,
                                    }
                                )
                                for a in m.achievements
                            ],
                        }
                    )
                    for m in p.milestones
                ],
                "dropWithdraws": [
                    _compact(
                        {
                            "type": d.type,
                            "reasons": [
                                _compact({"groupId": r.group_id, "numSubjects": r.value})
                                for r in d.reasons
                            ],
                        }
                    )
                    for d in p.drop_withdraws
                ],
            }
        )
        for p in flow.periods
    ]
    return _compact(
        {
            "preAssignmentDetails": flow.pre_assignment_details,
            "recruitmentDetails": flow.recruitment_details,
            "groups": _groups(flow.groups),
            "periods": periods,
        }
    )


def _baseline(base: Baseline) -> Json:
    measures = [
        _compact(
            {
                "title": m.title,
                "description": m.description,
                "populationDescription": m.population_description,
                "paramType": m.param_type,
                "dispersionType": m.dispersion_type,
                "unitOfMeasure": m.unit_of_measure,
                "denoms": _denoms(m.denoms),
                "classes": _classes(m.classes, _units(m.denoms) or _units(base.denoms)),
            }
        )
        for m in base.measures
    ]
    return _compact(
        {
            "populationDescription": base.population_description,
            "groups": _groups(base.groups),
            "denoms": _denoms(base.denoms),
            "measures": measures,
        }
    )


def _outcome_measure(m: OutcomeMeasure) -> Json:
    analyses = [
        _compact(
            {
                "groupIds": a.group_ids,
                "groupDescription": a.description,
                "nonInferiorityType": a.non_inferiority_type,
                "pValue": a.p_value,
                "statisticalMethod": a.statistical_method,
                "paramType": a.param_type,
                "paramValue": a.param_value,
                "ciPctValue": a.ci_pct_value,
                "ciLowerLimit": a.ci_lower_limit,
                "ciUpperLimit": a.ci_upper_limit,
            }
        )
        for a in m.analyses
    ]
    return _compact(
        {
            "type": m.type,
            "title": m.title,
            "description": m.description,
            "populationDescription": m.population_description,
            "reportingStatus": m.reporting_status,
            "paramType": m.param_type,
            "dispersionType": m.dispersion_type,
            "unitOfMeasure": m.unit_of_measure,
            "timeFrame": m.time_frame,
            "groups": _groups(m.groups),
            "denoms": _denoms(m.denoms),
            "classes": _classes(m.classes, _units(m.denoms)),
            "analyses": analyses,
        }
    )


def _events(events: list[AdverseEvent]) -> list[Json]:
    return [
        {"term": e.term or ""}  # always present in API v2, even when the legacy XML left it blank
        | _compact(
            {
                "organSystem": e.organ_system,
                "sourceVocabulary": e.source_vocabulary,
                "assessmentType": e.assessment_type,
                "notes": e.notes,
                "stats": [
                    _compact(
                        {
                            "groupId": s.group_id,
                            "numEvents": s.num_events,
                            "numAffected": s.num_affected,
                            "numAtRisk": s.num_at_risk,
                        }
                    )
                    for s in e.stats
                ],
            }
        )
        for e in events
    ]


def _adverse_events(ae: AdverseEvents) -> Json:
    groups = [
        _compact(
            {
                "id": g.id,
                "title": g.title,
                "description": g.description,
                "deathsNumAffected": g.deaths_num_affected,
                "deathsNumAtRisk": g.deaths_num_at_risk,
                "seriousNumAffected": g.serious_num_affected,
                "seriousNumAtRisk": g.serious_num_at_risk,
                "otherNumAffected": g.other_num_affected,
                "otherNumAtRisk": g.other_num_at_risk,
            }
        )
        for g in ae.groups
    ]
    return _compact(
        {
            "frequencyThreshold": ae.frequency_threshold,
            "timeFrame": ae.time_frame,
            "description": ae.description,
            "eventGroups": groups,
            "seriousEvents": _events(ae.serious_events),
            "otherEvents": _events(ae.other_events),
        }
    )


_EMPLOYEE_FLAGS = {sentence: flag for flag, sentence in PI_EMPLOYEE.items()}
_RESTRICTION_TYPES = {sentence: kind for kind, sentence in RESTRICTION.items()}


def certain_agreement(text: str | None) -> Json:
    """The registry's agreement sentences → the coded ``certainAgreement`` object."""
    if not text:
        return {}
    out: Json = {}
    other: list[str] = []
    for line in text.split("\n"):
        if line in _EMPLOYEE_FLAGS and "piSponsorEmployee" not in out:
            out["piSponsorEmployee"] = _EMPLOYEE_FLAGS[line]
        elif line == NO_AGREEMENT and "restrictiveAgreement" not in out:
            out["restrictiveAgreement"] = False
        elif line in _RESTRICTION_TYPES and "restrictionType" not in out:
            out["restrictiveAgreement"] = True
            out["restrictionType"] = _RESTRICTION_TYPES[line]
        elif line == AGREEMENT and "restrictiveAgreement" not in out:
            out["restrictiveAgreement"] = True
        else:
            other.append(line)
    if other:  # the sponsor's own words; no flag is guessed for them
        out["otherDetails"] = "\n".join(other)
    return out


def point_of_contact(text: str | None) -> Json:
    """``Title, Organization, email, phone ext. N`` → the ``pointOfContact`` object."""
    if not text:
        return {}
    parts = [p.strip() for p in text.split(", ")]
    out: Json = {}
    phone = _PHONE_RE.match(parts[-1]) if len(parts) > 1 else None
    if phone:
        number = parts.pop()
        if phone.group("ext"):
            number, _, ext = number.partition(" ext. ")
            out["phoneExt"] = ext
        out["phone"] = number
    emails = [p for p in parts if "@" in p and " " not in p]
    if emails and len(parts) > 1:
        out["email"] = emails[-1]
        parts.remove(emails[-1])
    if len(parts) > 1:  # titles carry commas more often than names of organizations
        org = parts.pop()
        if len(parts) > 1 and _COMPANY_SUFFIX_RE.match(org):  # "Pfizer, Inc."
            org = f"{parts.pop()}, {org}"
        out["organization"] = org
    if parts:
        out["title"] = ", ".join(parts)
    rebuilt = ", ".join(
        p
        for p in (
            out.get("title"),
            out.get("organization"),
            out.get("email"),
            f"{out['phone']} ext. {out['phoneExt']}" if "phoneExt" in out else out.get("phone"),
        )
        if p
    )
    return out if rebuilt == text and all(out.values()) else {"title": text}


def _more_info(info: MoreInfo) -> Json:
    return _compact(
        {
            "limitationsAndCaveats": _compact({"description": info.limitations}),
            "certainAgreement": certain_agreement(info.certain_agreement),
            "pointOfContact": point_of_contact(info.point_of_contact),
        }
    )


def results_section(results: Results) -> Json:
    """The ``resultsSection`` object; empty parts are left out."""
    return _compact(
        {
            "participantFlowModule": _participant_flow(results.participant_flow)
            if results.participant_flow
            else None,
            "baselineCharacteristicsModule": _baseline(results.baseline)
            if results.baseline
            else None,
            "outcomeMeasuresModule": _compact(
                {"outcomeMeasures": [_outcome_measure(m) for m in results.outcome_measures]}
            ),
            "adverseEventsModule": _adverse_events(results.adverse_events)
            if results.adverse_events
            else None,
            "moreInfoModule": _more_info(results.more_info) if results.more_info else None,
        }
    )
