"""Posted results → tables a page can show as they are (groups as columns).

Every cell holds exactly what the registry posted (``12.5 (3.1)``: value and
spread; ``12.5 (10.1 to 14.9)``: value and limits); the only computed figure is the
percentage beside an adverse-event count, from the posted affected/at-risk numbers.
Pure functions, no I/O.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trialatlas.model.codes import label
from trialatlas.model.results import (
    AdverseEvent,
    BaselineMeasure,
    Denom,
    EventGroup,
    FlowPeriod,
    MeasureClass,
    Measurement,
    OutcomeMeasure,
    ParticipantFlow,
    ResultGroup,
    Results,
)

TableKind = Literal["participant_flow", "baseline", "outcome_measure", "adverse_events"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Column(_Part):
    """One group of participants as posted (arm, cohort, total)."""

    id: str
    title: str
    description: str | None = None


class Row(_Part):
    """``kind="heading"`` rows name the measure or class that the rows under them break down."""

    label: str
    cells: list[str] = Field(default_factory=list)
    kind: Literal["data", "heading"] = "data"


class Note(_Part):
    label: str
    text: str


class ResultTable(_Part):
    kind: TableKind
    title: str
    subtitle: str | None = None
    notes: list[Note] = Field(default_factory=list)
    columns: list[Column] = Field(default_factory=list)
    rows: list[Row] = Field(default_factory=list)


class PostedResults(_Part):
    """The four parts of posted results, each as zero or more tables."""

    participant_flow: list[ResultTable] = Field(default_factory=list)
    baseline: list[ResultTable] = Field(default_factory=list)
    outcome_measures: list[ResultTable] = Field(default_factory=list)
    adverse_events: list[ResultTable] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)


OUTCOME_TYPE_LABELS = {
    "PRIMARY": "Primary outcome",
    "SECONDARY": "Secondary outcome",
    "OTHER_PRE_SPECIFIED": "Other pre-specified outcome",
    "POST_HOC": "Post-hoc outcome",
}


def _columns(groups: list[ResultGroup] | list[EventGroup]) -> list[Column]:
    return [Column(id=g.id, title=g.title or g.id, description=g.description) for g in groups]


def _notes(*pairs: tuple[str, str | None]) -> list[Note]:
    return [Note(label=name, text=text) for name, text in pairs if text]


def _code(kind: str, code: str | None) -> str | None:
    return label(kind, code) if code else None


def measurement_text(m: Measurement) -> str:
    """``value``, ``value (spread)`` or ``value (lower to upper)`` exactly as posted."""
    text = m.value or "—"
    if m.spread:
        text += f" ({m.spread})"
    if m.lower_limit or m.upper_limit:
        text += f" ({m.lower_limit or 'NA'} to {m.upper_limit or 'NA'})"
    return text


def _cells_by_group(values: dict[str, str], columns: list[Column]) -> list[str]:
    return [values.get(c.id, "") for c in columns]


def _denom_rows(denoms: list[Denom], columns: list[Column], default: str) -> list[Row]:
    rows = []
    for denom in denoms:
        values = {c.group_id: c.value or "" for c in denom.counts}
        units = (denom.units or "").strip()
        name = default if units.lower() in ("", "participants") else f"Number analyzed ({units})"
        rows.append(Row(label=name, cells=_cells_by_group(values, columns)))
    return rows


def value_label(unit: str | None, param_type: str | None) -> str:
    """Row label for values with no category title: their unit (``Percentage of participants``)."""
    if unit and unit.strip():
        text = unit.strip()
        return text[0].upper() + text[1:]
    return _code("param_type", param_type) or "Value"


def _class_rows(classes: list[MeasureClass], columns: list[Column], fallback: str) -> list[Row]:
    """Rows for a measure's classes and categories; untitled rows are labelled ``fallback``."""
    rows: list[Row] = []
    for measure_class in classes:
        if measure_class.title:
            rows.append(Row(label=measure_class.title, kind="heading"))
        for category in measure_class.categories:
            values = {m.group_id: measurement_text(m) for m in category.measurements}
            name = category.title or measure_class.title or fallback
            rows.append(Row(label=name, cells=_cells_by_group(values, columns)))
    return rows


def _flow_table(flow: ParticipantFlow, period: FlowPeriod, many: bool) -> ResultTable:
    columns = _columns(flow.groups)
    rows: list[Row] = []
    for milestone in period.milestones:
        values = {a.group_id: a.num_subjects or "" for a in milestone.achievements}
        name = milestone.type.capitalize() if milestone.type.isupper() else milestone.type
        rows.append(Row(label=name, cells=_cells_by_group(values, columns)))
    if period.drop_withdraws:
        rows.append(Row(label="Reasons for not completing", kind="heading"))
    for drop in period.drop_withdraws:
        values = {reason.group_id: reason.value or "" for reason in drop.reasons}
        rows.append(Row(label=drop.type, cells=_cells_by_group(values, columns)))
    title = "Participant flow" + (f": {period.title}" if many and period.title else "")
    return ResultTable(
        kind="participant_flow",
        title=title,
        notes=_notes(
            ("Recruitment details", flow.recruitment_details),
            ("Pre-assignment details", flow.pre_assignment_details),
        ),
        columns=columns,
        rows=rows,
    )


def _baseline_measure_rows(measure: BaselineMeasure, columns: list[Column]) -> list[Row]:
    unit = f" ({measure.unit_of_measure})" if measure.unit_of_measure else ""
    spread = _code("dispersion_type", measure.dispersion_type)
    param = _code("param_type", measure.param_type)
    stat = ", ".join(p for p in (param, spread) if p)
    heading = f"{measure.title}{unit}" + (f" — {stat}" if stat else "")
    rows = [Row(label=heading, kind="heading")]
    rows += _denom_rows(measure.denoms, columns, "Number analyzed")
    rows += _class_rows(
        measure.classes, columns, value_label(measure.unit_of_measure, measure.param_type)
    )
    return rows


def _baseline_table(results: Results) -> list[ResultTable]:
    baseline = results.baseline
    if baseline is None or not (baseline.groups or baseline.measures):
        return []
    columns = _columns(baseline.groups)
    rows = _denom_rows(baseline.denoms, columns, "Overall number of baseline participants")
    for measure in baseline.measures:
        rows += _baseline_measure_rows(measure, columns)
    return [
        ResultTable(
            kind="baseline",
            title="Baseline characteristics",
            notes=_notes(("Population", baseline.population_description)),
            columns=columns,
            rows=rows,
        )
    ]


def _ci_text(pct: object, lower: object, upper: object) -> str | None:
    """``95% CI 0.2 to 1.4``; a missing bound is "not given", no bound at all: no CI."""
    if not pct or (lower is None and upper is None):
        return None
    low = "not given" if lower is None else lower
    high = "not given" if upper is None else upper
    return f"{pct}% CI {low} to {high}"


def _outcome_table(measure: OutcomeMeasure) -> ResultTable:
    columns = _columns(measure.groups)
    rows = _denom_rows(measure.denoms, columns, "Number of participants analyzed")
    rows += _class_rows(
        measure.classes, columns, value_label(measure.unit_of_measure, measure.param_type)
    )
    analyses = []
    for analysis in measure.analyses:
        parts = [
            f"p-value {analysis.p_value}" if analysis.p_value else None,
            analysis.statistical_method,
            " ".join(str(v) for v in (analysis.param_type, analysis.param_value) if v is not None)
            or None,
            _ci_text(analysis.ci_pct_value, analysis.ci_lower_limit, analysis.ci_upper_limit),
        ]
        text = "; ".join(p for p in parts if p)
        if text:
            analyses.append(("Statistical analysis", text))
    stat = ", ".join(
        p
        for p in (
            _code("param_type", measure.param_type),
            _code("dispersion_type", measure.dispersion_type),
        )
        if p
    )
    return ResultTable(
        kind="outcome_measure",
        title=measure.title,
        subtitle=OUTCOME_TYPE_LABELS.get(measure.type or "", _code("outcome_type", measure.type)),
        notes=_notes(
            ("Description", measure.description),
            ("Time frame", measure.time_frame),
            ("Population", measure.population_description),
            ("Unit of measure", measure.unit_of_measure),
            ("Statistic", stat or None),
            (
                "Reporting status",
                "Not posted" if measure.reporting_status == "NOT_POSTED" else None,
            ),
            *analyses,
        ),
        columns=columns,
        rows=rows,
    )


def _affected(affected: int | None, at_risk: int | None, events: int | None = None) -> str:
    """``3/40 (7.50%)``; the percentage is computed from the posted counts."""
    if affected is None and at_risk is None:
        return ""
    text = f"{'' if affected is None else affected}/{'' if at_risk is None else at_risk}"
    if affected is not None and at_risk:
        text += f" ({100 * affected / at_risk:.2f}%)"
    if events is not None:
        text += f", {events} event{'s' if events != 1 else ''}"
    return text


def _event_rows(events: list[AdverseEvent], columns: list[Column]) -> list[Row]:
    rows: list[Row] = []
    organ = None
    for event in sorted(events, key=lambda e: (e.organ_system or "", e.term or "")):
        if event.organ_system and event.organ_system != organ:
            organ = event.organ_system
            rows.append(Row(label=organ, kind="heading"))
        values = {
            s.group_id: _affected(s.num_affected, s.num_at_risk, s.num_events) for s in event.stats
        }
        rows.append(
            Row(label=event.term or "(term not posted)", cells=_cells_by_group(values, columns))
        )
    return rows


def _adverse_tables(results: Results) -> list[ResultTable]:
    ae = results.adverse_events
    if ae is None:
        return []
    columns = _columns(ae.groups)
    notes = _notes(
        ("Time frame", ae.time_frame),
        ("Description", ae.description),
        (
            "Frequency threshold for other adverse events",
            f"{ae.frequency_threshold}%" if ae.frequency_threshold else None,
        ),
    )
    totals = [
        (
            "All-cause mortality",
            [_affected(g.deaths_num_affected, g.deaths_num_at_risk) for g in ae.groups],
        ),
        (
            "Total, serious adverse events",
            [_affected(g.serious_num_affected, g.serious_num_at_risk) for g in ae.groups],
        ),
        (
            "Total, other adverse events",
            [_affected(g.other_num_affected, g.other_num_at_risk) for g in ae.groups],
        ),
    ]
    summary = ResultTable(
        kind="adverse_events",
        title="Adverse events: overview",
        subtitle="Participants affected / at risk",
        notes=notes,
        columns=columns,
        rows=[Row(label=name, cells=cells) for name, cells in totals if any(cells)],
    )
    tables = [summary]
    for title, events in (
        ("Serious adverse events", ae.serious_events),
        ("Other adverse events", ae.other_events),
    ):
        if events:
            tables.append(
                ResultTable(
                    kind="adverse_events",
                    title=title,
                    subtitle="Participants affected / at risk, number of events",
                    columns=columns,
                    rows=_event_rows(events, columns),
                )
            )
    return tables


def results_tables(results: Results) -> PostedResults:
    """All posted results of a study as tables: flow, baseline, outcome measures, adverse events."""
    flow = results.participant_flow
    flow_tables = []
    if flow is not None:
        many = len(flow.periods) > 1
        flow_tables = [_flow_table(flow, period, many) for period in flow.periods]
    more = results.more_info
    return PostedResults(
        participant_flow=flow_tables,
        baseline=_baseline_table(results),
        outcome_measures=[_outcome_table(m) for m in results.outcome_measures],
        adverse_events=_adverse_tables(results),
        notes=_notes(
            ("Limitations and caveats", more.limitations if more else None),
            ("Point of contact", more.point_of_contact if more else None),
        ),
    )
