"""Legacy ClinicalTrials.gov XML ``clinical_results`` → the fields of :class:`Results`.

Posted results in the AllPublicXML / TREC ``clinical_study`` format: participant flow,
baseline, outcome measures with analyses, reported (adverse) events and the "more
information" block. Group ids are kept as written (``P1``, ``B1``, ``O1``, ``E1``);
values stay strings as posted. The per-group totals of the adverse-event tables
("Total, serious adverse events", "Total, other adverse events", "Total, all-cause
mortality") become the counts of ``EventGroup``, as API v2 holds them; they are not
events.

The mapping builds plain dicts shaped exactly like :class:`~trialatlas.model.results.Results`
(field names and nesting); the caller validates the whole study once, which checks
every key and type (models forbid extras) and is cheaper than building each part as
a model. Pure functions, no I/O.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from trialatlas.normalize.ctgov_xml_values import (
    Json,
    child_text,
    child_texts,
    clean_text,
    each,
    fields,
    to_code,
)
from trialatlas.normalize.values import RecordError

# XML dispersion text → API v2 MeasureDispersionType (other text: its upper-snake code).
_DISPERSION = {
    "80% Confidence Interval": "CONFIDENCE_80",
    "90% Confidence Interval": "CONFIDENCE_90",
    "95% Confidence Interval": "CONFIDENCE_95",
    "97.5% Confidence Interval": "CONFIDENCE_975",
    "99% Confidence Interval": "CONFIDENCE_99",
    "Geometric Coefficient of Variation": "GEOMETRIC_COEFFICIENT",
}

# Total rows of the event tables (category "Total"): sub_title → EventGroup field prefix.
_TOTAL_ROWS = {
    "serious_events": {
        "Total, serious adverse events": "serious",
        "Total, all-cause mortality": "deaths",
    },
    "other_events": {"Total, other adverse events": "other"},
}


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
    if not gid or not gid.strip():
        raise RecordError(f"{path}/@group_id", "missing group id")
    return gid.strip()


# --- shared result parts ---------------------------------------------------------------


def _groups(parent: Element, path: str) -> list[Json]:
    gpath = f"{path}/group_list/group"
    return [
        {
            "id": _group_id(g, gpath),
            "title": child_text(g, "title"),
            "description": child_text(g, "description"),
        }
        for g in each(parent, "group_list", "group")
    ]


def _counts(items: list[Element], attr: str, path: str) -> list[Json]:
    """``<… group_id=… attr=…>`` elements → ``Count`` dicts (value as posted)."""
    return [{"group_id": _group_id(c, path), "value": clean_text(c.get(attr))} for c in items]


def _denoms(parent: Element, path: str) -> list[Json]:
    """``analyzed_list/analyzed`` → denominators (units and a count per group)."""
    cpath = f"{path}/analyzed_list/analyzed/count_list/count"
    return [
        {
            "units": child_text(a, "units"),
            "counts": _counts(each(a, "count_list", "count"), "value", cpath),
        }
        for a in each(parent, "analyzed_list", "analyzed")
    ]


def _measurement(m: Element, path: str) -> Json:
    get = m.get
    return {
        "group_id": _group_id(m, path),
        "value": clean_text(get("value")),
        "spread": clean_text(get("spread")),
        "lower_limit": clean_text(get("lower_limit")),
        "upper_limit": clean_text(get("upper_limit")),
        "comment": clean_text(m.text),
    }


def _classes(measure: Element, path: str) -> list[Json]:
    cpath = f"{path}/class_list/class"
    mpath = f"{cpath}/category_list/category/measurement_list/measurement"
    return [
        {
            "title": child_text(cls, "title"),
            "denoms": _denoms(cls, cpath),
            "categories": [
                {
                    "title": child_text(cat, "title"),
                    "measurements": [
                        _measurement(m, mpath) for m in each(cat, "measurement_list", "measurement")
                    ],
                }
                for cat in each(cls, "category_list", "category")
            ],
        }
        for cls in each(measure, "class_list", "class")
    ]


# --- sections ------------------------------------------------------------------------


def _participant_flow(el: Element, path: str) -> Json:
    ppath = f"{path}/period_list/period"
    mpath = f"{ppath}/milestone_list/milestone"
    dpath = f"{ppath}/drop_withdraw_reason_list/drop_withdraw_reason"
    periods = [
        {
            "title": child_text(period, "title"),
            "milestones": [
                {
                    "type": _required(ms, "title", mpath),
                    "achievements": [
                        {
                            "group_id": _group_id(p, f"{mpath}/participants_list/participants"),
                            "num_subjects": clean_text(p.get("count")),
                            "comment": clean_text(p.text),
                        }
                        for p in each(ms, "participants_list", "participants")
                    ],
                }
                for ms in each(period, "milestone_list", "milestone")
            ],
            "drop_withdraws": [
                {
                    "type": _required(dw, "title", dpath),
                    "reasons": _counts(
                        each(dw, "participants_list", "participants"),
                        "count",
                        f"{dpath}/participants_list/participants",
                    ),
                }
                for dw in each(period, "drop_withdraw_reason_list", "drop_withdraw_reason")
            ],
        }
        for period in each(el, "period_list", "period")
    ]
    return {
        "recruitment_details": child_text(el, "recruitment_details"),
        "pre_assignment_details": child_text(el, "pre_assignment_details"),
        "groups": _groups(el, path),
        "periods": periods,
    }


def _baseline(el: Element, path: str) -> Json:
    mpath = f"{path}/measure_list/measure"
    measures = [
        {
            "title": _required(m, "title", mpath),
            "description": child_text(m, "description"),
            "population_description": child_text(m, "population"),
            "param_type": to_code(child_text(m, "param")),
            "dispersion_type": to_code(child_text(m, "dispersion"), _DISPERSION),
            "unit_of_measure": child_text(m, "units"),
            "denoms": _denoms(m, mpath),
            "classes": _classes(m, mpath),
        }
        for m in each(el, "measure_list", "measure")
    ]
    return {
        "population_description": child_text(el, "population"),
        "groups": _groups(el, path),
        "denoms": _denoms(el, path),
        "measures": measures,
    }


def _analysis(el: Element) -> Json:
    f = fields(el)
    return {
        "group_ids": child_texts(el.find("group_id_list"), "group_id"),
        "description": f.get("groups_desc"),
        "non_inferiority_type": to_code(f.get("non_inferiority_type")),
        "p_value": f.get("p_value"),
        "statistical_method": f.get("method"),
        "param_type": f.get("param_type"),
        "param_value": f.get("param_value"),
        "ci_pct_value": f.get("ci_percent"),
        "ci_lower_limit": f.get("ci_lower_limit"),
        "ci_upper_limit": f.get("ci_upper_limit"),
    }


def _outcome(el: Element, path: str) -> Json:
    f = fields(el)
    measure = el.find("measure")
    m = fields(measure)
    mpath = f"{path}/measure"
    title = f.get("title") or m.get("title")
    if title is None:
        raise RecordError(f"{path}/title", "outcome measure without a title")
    return {
        "type": to_code(f.get("type")),
        "title": title,
        "description": f.get("description") or m.get("description"),
        "population_description": f.get("population") or m.get("population"),
        "param_type": to_code(m.get("param")),
        # API v2 codes the baseline dispersion but posts the outcome one as text: kept so.
        "dispersion_type": m.get("dispersion"),
        "unit_of_measure": m.get("units"),
        "time_frame": f.get("time_frame"),
        "groups": _groups(el, path),
        "denoms": _denoms(measure, mpath) if measure is not None else [],
        "classes": _classes(measure, mpath) if measure is not None else [],
        "analyses": [_analysis(a) for a in each(el, "analysis_list", "analysis")],
    }


def _stat(c: Element, path: str) -> Json:
    return {
        "group_id": _group_id(c, path),
        "num_events": _int_attr(c, "events", path),
        "num_affected": _int_attr(c, "subjects_affected", path),
        "num_at_risk": _int_attr(c, "subjects_at_risk", path),
    }


def _events(el: Element | None, table: str, path: str, groups: dict[str, Json]) -> list[Json]:
    """One event table; its total rows fill the counts of ``groups`` instead of the list."""
    if el is None:
        return []
    total_rows = _TOTAL_ROWS[table]
    default_vocab = child_text(el, "default_vocab")
    default_assessment = child_text(el, "default_assessment")
    cpath = f"{path}/category_list/category/event_list/event/counts"
    events: list[Json] = []
    for cat in each(el, "category_list", "category"):
        organ_system = child_text(cat, "title")
        for ev in each(cat, "event_list", "event"):
            sub = ev.find("sub_title")
            term = clean_text(sub.text) if sub is not None else None
            if organ_system == "Total" and term in total_rows:
                prefix = total_rows[term]
                for stat in (_stat(c, cpath) for c in ev.findall("counts")):
                    group = groups.get(stat["group_id"])
                    if group is None:
                        raise RecordError(cpath, f"unknown group {stat['group_id']!r}")
                    group[f"{prefix}_num_affected"] = stat["num_affected"]
                    group[f"{prefix}_num_at_risk"] = stat["num_at_risk"]
                continue
            vocab = clean_text(sub.get("vocab")) if sub is not None else None
            events.append(
                {
                    "term": term,  # a few legacy events have no sub_title: no term posted
                    "organ_system": organ_system,
                    "source_vocabulary": vocab or default_vocab,
                    "assessment_type": to_code(child_text(ev, "assessment") or default_assessment),
                    "notes": child_text(ev, "description"),
                    "stats": [_stat(c, cpath) for c in ev.findall("counts")],
                }
            )
    return events


def _adverse_events(el: Element, path: str) -> Json:
    groups = {g["id"]: g for g in _groups(el, path)}
    serious_el = el.find("serious_events")
    other_el = el.find("other_events")
    return {
        "frequency_threshold": child_text(other_el, "frequency_threshold"),
        "time_frame": child_text(el, "time_frame"),
        "description": child_text(el, "desc"),
        "serious_events": _events(serious_el, "serious_events", f"{path}/serious_events", groups),
        "other_events": _events(other_el, "other_events", f"{path}/other_events", groups),
        "groups": list(groups.values()),
    }


def _more_info(el: Element) -> Json | None:
    agreements = fields(el.find("certain_agreements"))
    agreement = [agreements.get("pi_employee"), agreements.get("restrictive_agreement")]
    contact = fields(el.find("point_of_contact"))
    contact_parts = [contact.get(k) for k in ("name_or_title", "organization", "email", "phone")]
    info = {
        "limitations": child_text(el, "limitations_and_caveats"),
        "certain_agreement": "\n".join(t for t in agreement if t) or None,
        "point_of_contact": ", ".join(t for t in contact_parts if t) or None,
    }
    return info if any(info.values()) else None


def map_results(el: Element, path: str = "clinical_study/clinical_results") -> Json:
    """Map one ``<clinical_results>`` element to a dict shaped like :class:`Results`.

    Raises :class:`RecordError` naming the element path for a missing group id or
    title, or a count that is not a whole number.
    """
    flow = el.find("participant_flow")
    baseline = el.find("baseline")
    events = el.find("reported_events")
    return {
        "participant_flow": None
        if flow is None
        else _participant_flow(flow, f"{path}/participant_flow"),
        "baseline": None if baseline is None else _baseline(baseline, f"{path}/baseline"),
        "outcome_measures": [
            _outcome(o, f"{path}/outcome_list/outcome[{i}]")
            for i, o in enumerate(each(el, "outcome_list", "outcome"))
        ],
        "adverse_events": None
        if events is None
        else _adverse_events(events, f"{path}/reported_events"),
        "more_info": _more_info(el),
    }
