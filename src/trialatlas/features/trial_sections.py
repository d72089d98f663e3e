"""The labelled parts of the full registry page, one builder per section.

Each builder takes the normalized :class:`~trialatlas.model.study.Study` (or a part
of it) and returns display-ready values: registry codes turned into human labels
through the one lookup (:mod:`trialatlas.model.codes`), dates kept with their
precision and actual/estimated type, links checked to be plain web links. The
codes themselves stay in the Study that travels with the page. Pure, no I/O.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from trialatlas.model.codes import label, masking_label, phases_label
from trialatlas.model.study import (
    Eligibility,
    Intervention,
    PartialDate,
    Study,
)

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
REGISTRY_URL = "https://clinicaltrials.gov/study/{nct_id}"


class Part(BaseModel):
    """Base of every page part: no extra fields."""

    model_config = ConfigDict(extra="forbid")


class Fact(Part):
    """One labelled value: ``Status: Active, not recruiting`` (``code`` = ACTIVE_NOT_RECRUITING)."""

    label: str
    value: str
    code: str | None = None
    note: str | None = None  # "Actual" / "Estimated" for dates and enrollment


class LinkView(Part):
    """A link from the record; ``url`` is None when it is not a plain http(s) link."""

    label: str
    url: str | None = None


class ConditionsView(Part):
    conditions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    condition_mesh_terms: list[str] = Field(default_factory=list)
    intervention_mesh_terms: list[str] = Field(default_factory=list)


class InterventionRef(Part):
    """An intervention as named by an arm, with its description when the record has it."""

    name: str
    type_label: str | None = None
    description: str | None = None


class ArmView(Part):
    label: str
    type_label: str | None = None
    description: str | None = None
    interventions: list[InterventionRef] = Field(default_factory=list)


class InterventionView(Part):
    name: str
    type_label: str | None = None
    description: str | None = None
    other_names: list[str] = Field(default_factory=list)
    arm_labels: list[str] = Field(default_factory=list)


class OutcomeView(Part):
    measure: str
    description: str | None = None
    time_frame: str | None = None


class OutcomeGroup(Part):
    kind: str
    title: str
    outcomes: list[OutcomeView] = Field(default_factory=list)


class ReferenceView(Part):
    citation: str | None = None
    pmid: str | None = None
    url: str | None = None
    type_label: str | None = None


class IdentifierView(Part):
    id: str
    type_label: str
    source: str  # org_study_id, secondary_id, nct_alias
    domain: str | None = None
    link: str | None = None


class IpdView(Part):
    facts: list[Fact] = Field(default_factory=list)
    url: LinkView | None = None


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link, else None (never ``javascript:``)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _date_fact(name: str, value: PartialDate | None) -> Fact | None:
    if value is None:
        return None
    note = label("enrollment_type", value.type) if value.type else None
    return Fact(label=name, value=value.value, code=value.type, note=note)


def _fact(name: str, kind: str, code: str | None) -> Fact | None:
    return Fact(label=name, value=label(kind, code), code=code) if code else None


def _text_fact(name: str, value: str | None) -> Fact | None:
    return Fact(label=name, value=value) if value else None


def _yes_no(name: str, value: bool | None) -> Fact | None:
    return None if value is None else Fact(label=name, value="Yes" if value else "No")


def _present(*facts: Fact | None) -> list[Fact]:
    return [f for f in facts if f is not None]


def participants_text(count: int) -> str:
    """``40 participants``; ``1 participant``."""
    return f"{count:,} participant{'' if count == 1 else 's'}"


def basic_information(study: Study) -> list[Fact]:
    """Status, phase, enrollment, study type and the key dates."""
    status, design = study.status, study.design
    enrollment = None
    if design.enrollment_count is not None:
        enrollment = Fact(
            label="Enrollment",
            value=participants_text(design.enrollment_count),
            code=design.enrollment_type,
            note=label("enrollment_type", design.enrollment_type) or None,
        )
    phase = None
    if design.phases:
        phase = Fact(label="Phase", value=phases_label(design.phases), code="|".join(design.phases))
    return _present(
        _fact("Status", "overall_status", status.overall_status),
        _fact("Last known status", "overall_status", status.last_known_status),
        _text_fact("Why stopped", status.why_stopped),
        phase,
        enrollment,
        _fact("Study type", "study_type", design.study_type),
        _date_fact("Start date", status.start_date),
        _date_fact("Primary completion date", status.primary_completion_date),
        _date_fact("Completion date", status.completion_date),
        _date_fact("First posted", status.first_posted),
        _date_fact("Results first posted", status.results_first_posted),
        _date_fact("Last update posted", status.last_update_posted),
        _yes_no("Expanded access available", status.has_expanded_access),
    )


def conditions_view(study: Study) -> ConditionsView:
    """Conditions, keywords and MeSH terms as the record lists them."""
    return ConditionsView(
        conditions=study.conditions,
        keywords=study.keywords,
        condition_mesh_terms=[m.term for m in study.condition_mesh],
        intervention_mesh_terms=[m.term for m in study.intervention_mesh],
    )


def study_design(study: Study) -> list[Fact]:
    """Allocation, model, purpose, masking (with who is masked), oversight."""
    design, oversight = study.design, study.oversight
    masking = None
    if design.masking:
        masking = Fact(
            label="Masking",
            value=masking_label(design.masking, design.who_masked),
            code=design.masking,
        )
    return _present(
        _fact("Allocation", "allocation", design.allocation),
        _fact("Intervention model", "intervention_model", design.intervention_model),
        _text_fact("Model description", design.intervention_model_description),
        _fact("Primary purpose", "primary_purpose", design.primary_purpose),
        masking,
        _text_fact("Masking description", design.masking_description),
        _fact("Observational model", "observational_model", design.observational_model),
        _fact("Time perspective", "time_perspective", design.time_perspective),
        _text_fact("Target follow-up duration", design.target_duration),
        _yes_no("Patient registry", design.patient_registry),
        _yes_no("Data monitoring committee", oversight.has_dmc),
        _yes_no("FDA-regulated drug", oversight.is_fda_regulated_drug),
        _yes_no("FDA-regulated device", oversight.is_fda_regulated_device),
    )


def _find_intervention(name: str, interventions: list[Intervention]) -> InterventionRef:
    """``Drug: DSMO Injection`` (as an arm names it) → the intervention it points at."""
    kind, _, bare = name.partition(": ")
    wanted = bare if bare else name
    for iv in interventions:
        if iv.name == wanted or iv.name == name:
            return InterventionRef(
                name=iv.name,
                type_label=label("intervention_type", iv.type) or None,
                description=iv.description,
            )
    return InterventionRef(name=wanted, type_label=kind if bare else None)


def study_groups(study: Study) -> list[ArmView]:
    """Arms with their type label and the interventions each one receives."""
    return [
        ArmView(
            label=arm.label,
            type_label=label("arm_type", arm.type) or None,
            description=arm.description,
            interventions=[
                _find_intervention(n, study.interventions) for n in arm.intervention_names
            ],
        )
        for arm in study.arms
    ]


def interventions_view(study: Study) -> list[InterventionView]:
    """Interventions with their type label, other names and study groups."""
    return [
        InterventionView(
            name=iv.name,
            type_label=label("intervention_type", iv.type) or None,
            description=iv.description,
            other_names=iv.other_names,
            arm_labels=iv.arm_labels,
        )
        for iv in study.interventions
    ]


def outcome_groups(study: Study) -> list[OutcomeGroup]:
    """Primary, secondary and other outcome measures, each with its time frame."""
    titles = {
        "primary": "Primary outcome measures",
        "secondary": "Secondary outcome measures",
        "other": "Other outcome measures",
    }
    groups = []
    for kind, title in titles.items():
        outcomes = [
            OutcomeView(measure=o.measure, description=o.description, time_frame=o.time_frame)
            for o in study.outcomes
            if o.kind == kind
        ]
        if outcomes:
            groups.append(OutcomeGroup(kind=kind, title=title, outcomes=outcomes))
    return groups


def eligibility_facts(eligibility: Eligibility) -> list[Fact]:
    """Ages (original text; ``No maximum`` when open-ended), sex, healthy volunteers."""
    minimum = eligibility.minimum_age.text if eligibility.minimum_age else "No minimum"
    maximum = eligibility.maximum_age.text if eligibility.maximum_age else "No maximum"
    volunteers = {True: "Yes", False: "No", None: "Not stated"}[eligibility.healthy_volunteers]
    return _present(
        Fact(label="Minimum age", value=minimum),
        Fact(label="Maximum age", value=maximum),
        _fact("Sex", "sex", eligibility.sex),
        _yes_no("Gender-based eligibility", eligibility.gender_based),
        _text_fact("Gender eligibility description", eligibility.gender_description),
        Fact(label="Accepts healthy volunteers", value=volunteers),
        (
            Fact(
                label="Age groups",
                value=", ".join(label("std_age", a) for a in eligibility.std_ages),
            )
            if eligibility.std_ages
            else None
        ),
        _text_fact("Study population", eligibility.study_population),
        _text_fact(
            "Sampling method", label("sampling_method", eligibility.sampling_method) or None
        ),
    )


def see_also_links(study: Study) -> list[LinkView]:
    """The record's see-also links; unsafe URLs are kept as text only."""
    return [
        LinkView(label=link.label or link.url, url=safe_url(link.url))
        for link in study.see_also_links
    ]


def references(study: Study) -> list[ReferenceView]:
    """Publications, each linked to PubMed when it has a PMID."""
    out = []
    for ref in study.references:
        pmid = ref.pmid.strip() if ref.pmid else None
        out.append(
            ReferenceView(
                citation=ref.citation,
                pmid=pmid,
                url=PUBMED_URL.format(pmid=pmid) if pmid and pmid.isdigit() else None,
                type_label=label("reference_type", ref.type) or None,
            )
        )
    return out


def identifiers(study: Study) -> list[IdentifierView]:
    """Org study ID (``Identifier Source: org_study_id``), secondary IDs, NCT aliases."""
    ident = study.identification
    out = []
    if ident.org_study_id:
        out.append(
            IdentifierView(
                id=ident.org_study_id,
                type_label=label("secondary_id_type", ident.org_study_id_type) or "-",
                source="org_study_id",
            )
        )
    for sid in ident.secondary_ids:
        out.append(
            IdentifierView(
                id=sid.id,
                type_label=label("secondary_id_type", sid.type) or "-",
                source="secondary_id",
                domain=sid.domain,
                link=safe_url(sid.link),
            )
        )
    for alias in ident.nct_id_aliases:
        out.append(IdentifierView(id=alias, type_label="NCT alias", source="nct_alias"))
    return out


def ipd_sharing(study: Study) -> IpdView:
    """The individual-participant-data sharing statement, labelled."""
    ipd = study.ipd_sharing
    if ipd is None:
        return IpdView()
    facts = _present(
        _fact("Plan to share", "ipd_plan", ipd.plan),
        _text_fact("Plan description", ipd.description),
        (
            Fact(
                label="Supporting information",
                value=", ".join(label("ipd_info_type", t) for t in ipd.info_types),
            )
            if ipd.info_types
            else None
        ),
        _text_fact("Time frame", ipd.time_frame),
        _text_fact("Access criteria", ipd.access_criteria),
    )
    url = LinkView(label=ipd.url, url=safe_url(ipd.url)) if ipd.url else None
    return IpdView(facts=facts, url=url)


def registry_url(nct_id: str) -> str:
    """The record's page on ClinicalTrials.gov."""
    return REGISTRY_URL.format(nct_id=nct_id)
