"""Posted results: participant flow, baseline, outcome measures, adverse events.

Shaped after the ClinicalTrials.gov API v2 ``resultsSection`` so both source
formats map onto it and a page can render each part as a table (groups are the
columns, measures/milestones/events the rows). Values stay strings as posted
("12.5", "NA"): a page shows exactly what the registry holds.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResultGroup(_Part):
    id: str
    title: str | None = None
    description: str | None = None


class Count(_Part):
    """A number per group (``value`` as posted)."""

    group_id: str
    value: str | None = None


class Measurement(_Part):
    group_id: str
    value: str | None = None
    spread: str | None = None
    lower_limit: str | None = None
    upper_limit: str | None = None
    comment: str | None = None


class Category(_Part):
    title: str | None = None
    measurements: list[Measurement] = Field(default_factory=list)


class Denom(_Part):
    units: str | None = None
    counts: list[Count] = Field(default_factory=list)


class MeasureClass(_Part):
    title: str | None = None
    denoms: list[Denom] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)


class Analysis(_Part):
    group_ids: list[str] = Field(default_factory=list)
    description: str | None = None
    non_inferiority_type: str | None = None
    p_value: str | None = None
    statistical_method: str | None = None
    param_type: str | None = None
    param_value: str | None = None
    ci_pct_value: str | None = None
    ci_lower_limit: str | None = None
    ci_upper_limit: str | None = None


class OutcomeMeasure(_Part):
    type: str | None = None  # PRIMARY, SECONDARY, OTHER_PRE_SPECIFIED, POST_HOC
    title: str
    description: str | None = None
    population_description: str | None = None
    reporting_status: str | None = None  # POSTED, NOT_POSTED
    param_type: str | None = None  # MEAN, MEDIAN, COUNT_OF_PARTICIPANTS, …
    dispersion_type: str | None = None
    unit_of_measure: str | None = None
    time_frame: str | None = None
    groups: list[ResultGroup] = Field(default_factory=list)
    denoms: list[Denom] = Field(default_factory=list)
    classes: list[MeasureClass] = Field(default_factory=list)
    analyses: list[Analysis] = Field(default_factory=list)


class BaselineMeasure(_Part):
    title: str
    description: str | None = None
    population_description: str | None = None
    param_type: str | None = None
    dispersion_type: str | None = None
    unit_of_measure: str | None = None
    denoms: list[Denom] = Field(default_factory=list)
    classes: list[MeasureClass] = Field(default_factory=list)


class Baseline(_Part):
    population_description: str | None = None
    groups: list[ResultGroup] = Field(default_factory=list)
    denoms: list[Denom] = Field(default_factory=list)
    measures: list[BaselineMeasure] = Field(default_factory=list)


class Achievement(_Part):
    group_id: str
    num_subjects: str | None = None
    comment: str | None = None


class Milestone(_Part):
    type: str  # STARTED, COMPLETED, NOT COMPLETED, or a custom milestone title
    comment: str | None = None
    achievements: list[Achievement] = Field(default_factory=list)


class DropWithdraw(_Part):
    type: str
    reasons: list[Count] = Field(default_factory=list)


class FlowPeriod(_Part):
    title: str | None = None
    milestones: list[Milestone] = Field(default_factory=list)
    drop_withdraws: list[DropWithdraw] = Field(default_factory=list)


class ParticipantFlow(_Part):
    recruitment_details: str | None = None
    pre_assignment_details: str | None = None
    groups: list[ResultGroup] = Field(default_factory=list)
    periods: list[FlowPeriod] = Field(default_factory=list)


class EventGroup(_Part):
    id: str
    title: str | None = None
    description: str | None = None
    deaths_num_affected: int | None = None
    deaths_num_at_risk: int | None = None
    serious_num_affected: int | None = None
    serious_num_at_risk: int | None = None
    other_num_affected: int | None = None
    other_num_at_risk: int | None = None


class EventStat(_Part):
    group_id: str
    num_events: int | None = None
    num_affected: int | None = None
    num_at_risk: int | None = None


class AdverseEvent(_Part):
    term: str | None = None  # a few legacy records leave it blank
    organ_system: str | None = None
    source_vocabulary: str | None = None
    assessment_type: str | None = None  # SYSTEMATIC_ASSESSMENT, NON_SYSTEMATIC_ASSESSMENT
    notes: str | None = None
    stats: list[EventStat] = Field(default_factory=list)


class AdverseEvents(_Part):
    frequency_threshold: str | None = None
    time_frame: str | None = None
    description: str | None = None
    groups: list[EventGroup] = Field(default_factory=list)
    serious_events: list[AdverseEvent] = Field(default_factory=list)
    other_events: list[AdverseEvent] = Field(default_factory=list)


class MoreInfo(_Part):
    limitations: str | None = None
    certain_agreement: str | None = None
    point_of_contact: str | None = None  # "Title, Organization, email, phone" as posted


class Results(_Part):
    participant_flow: ParticipantFlow | None = None
    baseline: Baseline | None = None
    outcome_measures: list[OutcomeMeasure] = Field(default_factory=list)
    adverse_events: AdverseEvents | None = None
    more_info: MoreInfo | None = None
