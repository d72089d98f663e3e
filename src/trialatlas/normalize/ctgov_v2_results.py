"""ClinicalTrials.gov API v2 ``resultsSection`` → :class:`~trialatlas.model.results.Results`.

Pure mapping, no I/O. Posted values stay strings exactly as the registry holds them
(``"12.5"``, ``"NA"``); only the adverse-event counts, which the API types as
integers, are kept as integers. Every wrong-typed value raises
:class:`~trialatlas.normalize.values.RecordError` naming the field path from the
study root (``resultsSection.outcomeMeasuresModule.outcomeMeasures[2].title``).

Speed: a study with posted results holds thousands of values, and 600,000 studies
must ingest in minutes, so each registry object is read in one pass over its keys
(:func:`texts`) into a plain dict, and the whole tree is validated by pydantic once
(in :func:`normalize_v2_results`, or with the study in ``ctgov_v2``). The typed
accessors both v2 mappers share live in :mod:`.ctgov_v2_fields`; the more-information
module is mapped in :mod:`.ctgov_v2_more_info`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trialatlas.model.results import Results
from trialatlas.normalize.ctgov_v2_fields import Tree, dict_list, texts
from trialatlas.normalize.ctgov_v2_more_info import more_info_tree
from trialatlas.normalize.values import get_dict, get_int, get_str, get_str_list

# ---------------------------------------------------------------------------
# shared result parts

_GROUP = {"id": "id", "title": "title", "description": "description"}
_COUNT = {"groupId": "group_id", "value": "value"}
_REASON = {"groupId": "group_id", "numSubjects": "value"}
_GROUP_ID = {"groupId": "group_id"}
_TYPE = {"type": "type"}
_MEASUREMENT = {
    "groupId": "group_id",
    "value": "value",
    "spread": "spread",
    "lowerLimit": "lower_limit",
    "upperLimit": "upper_limit",
    "comment": "comment",
}


def _groups(obj: dict[str, Any], key: str, path: str) -> list[Tree]:
    return [texts(g, _GROUP, p, "id") for g, p in dict_list(obj, key, path)]


def _counts(obj: dict[str, Any], key: str, path: str, fields: Mapping[str, str]) -> list[Tree]:
    return [texts(c, fields, p, "groupId") for c, p in dict_list(obj, key, path)]


def _denoms(obj: dict[str, Any], path: str) -> list[Tree]:
    return [
        {"units": get_str(d, "units", p), "counts": _counts(d, "counts", p, _COUNT)}
        for d, p in dict_list(obj, "denoms", path)
    ]


def _classes(obj: dict[str, Any], path: str) -> list[Tree]:
    return [
        {
            "title": get_str(c, "title", p),
            "denoms": _denoms(c, p),
            "categories": [
                {
                    "title": get_str(cat, "title", cp),
                    "measurements": [
                        texts(m, _MEASUREMENT, mp, "groupId")
                        for m, mp in dict_list(cat, "measurements", cp)
                    ],
                }
                for cat, cp in dict_list(c, "categories", p)
            ],
        }
        for c, p in dict_list(obj, "classes", path)
    ]


# ---------------------------------------------------------------------------
# participant flow and baseline

_FLOW = {
    "recruitmentDetails": "recruitment_details",
    "preAssignmentDetails": "pre_assignment_details",
}
_MILESTONE = {"type": "type", "comment": "comment"}
_ACHIEVEMENT = {"groupId": "group_id", "numSubjects": "num_subjects", "comment": "comment"}


def _milestone(m: dict[str, Any], p: str) -> Tree:
    out = texts(m, _MILESTONE, p, "type")
    out["achievements"] = [
        texts(a, _ACHIEVEMENT, ap, "groupId") for a, ap in dict_list(m, "achievements", p)
    ]
    return out


def _participant_flow(mod: dict[str, Any], path: str) -> Tree:
    out = texts(mod, _FLOW, path)
    out["groups"] = _groups(mod, "groups", path)
    out["periods"] = [
        {
            "title": get_str(per, "title", pp),
            "milestones": [_milestone(m, mp) for m, mp in dict_list(per, "milestones", pp)],
            "drop_withdraws": [
                {
                    "type": texts(d, _TYPE, dp, "type")["type"],
                    "reasons": _counts(d, "reasons", dp, _REASON),
                }
                for d, dp in dict_list(per, "dropWithdraws", pp)
            ],
        }
        for per, pp in dict_list(mod, "periods", path)
    ]
    return out


_BASELINE_MEASURE = {
    "title": "title",
    "description": "description",
    "populationDescription": "population_description",
    "paramType": "param_type",
    "dispersionType": "dispersion_type",
    "unitOfMeasure": "unit_of_measure",
}


def _baseline(mod: dict[str, Any], path: str) -> Tree:
    measures = []
    for m, p in dict_list(mod, "measures", path):
        measure = texts(m, _BASELINE_MEASURE, p, "title")
        measure["denoms"] = _denoms(m, p)
        measure["classes"] = _classes(m, p)
        measures.append(measure)
    return {
        "population_description": get_str(mod, "populationDescription", path),
        "groups": _groups(mod, "groups", path),
        "denoms": _denoms(mod, path),
        "measures": measures,
    }


# ---------------------------------------------------------------------------
# outcome measures

_OUTCOME_MEASURE = {
    "type": "type",
    "title": "title",
    "description": "description",
    "populationDescription": "population_description",
    "reportingStatus": "reporting_status",
    "paramType": "param_type",
    "dispersionType": "dispersion_type",
    "unitOfMeasure": "unit_of_measure",
    "timeFrame": "time_frame",
}
_ANALYSIS = {
    "groupDescription": "description",
    "nonInferiorityType": "non_inferiority_type",
    "pValue": "p_value",
    "statisticalMethod": "statistical_method",
    "paramType": "param_type",
    "paramValue": "param_value",
    "ciPctValue": "ci_pct_value",
    "ciLowerLimit": "ci_lower_limit",
    "ciUpperLimit": "ci_upper_limit",
}


def _outcome_measures(mod: dict[str, Any], path: str) -> list[Tree]:
    measures = []
    for m, p in dict_list(mod, "outcomeMeasures", path):
        measure = texts(m, _OUTCOME_MEASURE, p, "title")
        measure["groups"] = _groups(m, "groups", p)
        measure["denoms"] = _denoms(m, p)
        measure["classes"] = _classes(m, p)
        analyses = []
        for a, ap in dict_list(m, "analyses", p):
            analysis = texts(a, _ANALYSIS, ap)
            analysis["group_ids"] = get_str_list(a, "groupIds", ap)
            analyses.append(analysis)
        measure["analyses"] = analyses
        measures.append(measure)
    return measures


# ---------------------------------------------------------------------------
# adverse events

_AE_MODULE = {
    "frequencyThreshold": "frequency_threshold",
    "timeFrame": "time_frame",
    "description": "description",
}
_EVENT_GROUP_COUNTS = {
    "deathsNumAffected": "deaths_num_affected",
    "deathsNumAtRisk": "deaths_num_at_risk",
    "seriousNumAffected": "serious_num_affected",
    "seriousNumAtRisk": "serious_num_at_risk",
    "otherNumAffected": "other_num_affected",
    "otherNumAtRisk": "other_num_at_risk",
}
_EVENT = {
    "term": "term",
    "organSystem": "organ_system",
    "sourceVocabulary": "source_vocabulary",
    "assessmentType": "assessment_type",
    "notes": "notes",
}
_STAT_COUNTS = {
    "numEvents": "num_events",
    "numAffected": "num_affected",
    "numAtRisk": "num_at_risk",
}


def _ints(obj: dict[str, Any], fields: Mapping[str, str], path: str, out: Tree) -> Tree:
    """Add the whole-number fields of ``obj`` to ``out`` (checked by :func:`get_int`)."""
    for key, name in fields.items():
        value = obj.get(key)
        if value is not None:
            out[name] = value if value.__class__ is int else get_int(obj, key, path)
    return out


def _events(mod: dict[str, Any], key: str, path: str) -> list[Tree]:
    events = []
    for e, p in dict_list(mod, key, path):
        event = texts(e, _EVENT, p, "term")
        event["stats"] = [
            _ints(s, _STAT_COUNTS, sp, texts(s, _GROUP_ID, sp, "groupId"))
            for s, sp in dict_list(e, "stats", p)
        ]
        events.append(event)
    return events


def _adverse_events(mod: dict[str, Any], path: str) -> Tree:
    out = texts(mod, _AE_MODULE, path)
    out["groups"] = [
        _ints(g, _EVENT_GROUP_COUNTS, p, texts(g, _GROUP, p, "id"))
        for g, p in dict_list(mod, "eventGroups", path)
    ]
    out["serious_events"] = _events(mod, "seriousEvents", path)
    out["other_events"] = _events(mod, "otherEvents", path)
    return out


# ---------------------------------------------------------------------------


def results_tree(section: dict[str, Any], path: str = "resultsSection") -> Tree | None:
    """An API v2 ``resultsSection`` → the :class:`Results` fields as a plain dict.

    For embedding in a larger tree validated in one call; an empty section gives None.
    """
    if not section:
        return None
    flow = get_dict(section, "participantFlowModule", path)
    base = get_dict(section, "baselineCharacteristicsModule", path)
    outcomes = get_dict(section, "outcomeMeasuresModule", path)
    events = get_dict(section, "adverseEventsModule", path)
    more = get_dict(section, "moreInfoModule", path)
    return {
        "participant_flow": _participant_flow(flow, f"{path}.participantFlowModule")
        if flow
        else None,
        "baseline": _baseline(base, f"{path}.baselineCharacteristicsModule") if base else None,
        "outcome_measures": _outcome_measures(outcomes, f"{path}.outcomeMeasuresModule"),
        "adverse_events": _adverse_events(events, f"{path}.adverseEventsModule")
        if events
        else None,
        "more_info": more_info_tree(more, f"{path}.moreInfoModule") if more else None,
    }


def normalize_v2_results(section: dict[str, Any], path: str = "resultsSection") -> Results | None:
    """An API v2 ``resultsSection`` → :class:`Results`; an empty section gives None."""
    tree = results_tree(section, path)
    return None if tree is None else Results.model_validate(tree)
