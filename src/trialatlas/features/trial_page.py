"""``trial_page``: the full registry page of one trial (the seed 001 layout) as one typed result.

The web layer renders this result as HTML (``/trials/{nct_id}/details``) and as JSON
(``/api/trials/{nct_id}``); the CLI prints it. It carries the normalized Study
(codes verbatim) plus every section already labelled for people, in the order
of the registry page. ``related``/``more_related`` are slots the related-trials
feature fills; ``patient_summary`` is the slot of the patient-summary feature.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from trialatlas.features.criteria_text import (
    Block,
    OutlineSection,
    criteria_outline,
    text_blocks,
    unescape_registry,
)
from trialatlas.features.related import NeighbourIndex, RelatedTrial, related_trials
from trialatlas.features.results_tables import PostedResults, results_tables
from trialatlas.features.text_bounds import bounded
from trialatlas.features.trial_people import (
    ContactView,
    OrgView,
    PersonView,
    SiteView,
    contacts_view,
    countries,
    investigators,
    responsible_party,
    sites,
    sponsors_view,
)
from trialatlas.features.trial_sections import (
    ArmView,
    ConditionsView,
    Fact,
    IdentifierView,
    InterventionView,
    IpdView,
    LinkView,
    OutcomeGroup,
    Part,
    ReferenceView,
    basic_information,
    conditions_view,
    eligibility_facts,
    identifiers,
    interventions_view,
    ipd_sharing,
    outcome_groups,
    references,
    registry_url,
    see_also_links,
    study_design,
    study_groups,
)
from trialatlas.model.codes import label, phases_label
from trialatlas.model.nct_id import NCT_ID_RE
from trialatlas.model.study import Study
from trialatlas.store.base import Store

NCT_ID = NCT_ID_RE  # ASCII digits only (see trialatlas.model.nct_id)

RESULTS_NOT_POSTED = (
    "The study team has not published outcome measurements, participant flow, "
    "or safety data for this trial yet. Check back later for updates."
)
RESULTS_NOT_IN_RECORD = (
    "The registry reports that results were posted, but this copy of the record does "
    "not include them. See the record on ClinicalTrials.gov."
)


class SectionHead(Part):
    """One section of the page: anchor id, heading, the one-line explanation under it."""

    id: str
    title: str
    blurb: str | None = None
    hidden: bool = False


# The registry page's sections in seed 001's order, with its explanations.
SECTIONS: tuple[tuple[str, str, str | None], ...] = (
    ("results", "Study Results", None),
    (
        "basic-information",
        "Basic Information",
        "Get a concise snapshot of the trial, including recruitment status, study phase, "
        "enrollment targets, and key timeline milestones.",
    ),
    (
        "brief-summary",
        "Brief Summary",
        "Review the sponsor-provided synopsis that highlights what the study is about "
        "and why it is being conducted.",
    ),
    (
        "related",
        "Related Clinical Trials",
        "Explore similar clinical trials based on study characteristics and research focus.",
    ),
    (
        "detailed-description",
        "Detailed Description",
        "Dive into the extended narrative that explains the scientific background, "
        "objectives, and procedures in greater depth.",
    ),
    (
        "conditions",
        "Conditions",
        "See the medical conditions and disease areas that this research is targeting "
        "or investigating.",
    ),
    (
        "study-design",
        "Study Design",
        "Understand how the trial is structured, including allocation methods, masking "
        "strategies, primary purpose, and other design elements.",
    ),
    (
        "study-groups",
        "Study Groups",
        "Review each arm or cohort in the study, along with the interventions and "
        "objectives associated with them.",
    ),
    (
        "interventions",
        "Interventions",
        "Learn about the drugs, procedures, or behavioral strategies being tested and "
        "how they are applied within this trial.",
    ),
    (
        "outcome-measures",
        "Outcome Measures",
        "See what the study team measures to judge the results, and when each "
        "measurement is taken.",
    ),
    (
        "eligibility",
        "Eligibility Criteria",
        "Check the participation requirements, including inclusion and exclusion rules, "
        "age limits, and whether healthy volunteers are accepted.",
    ),
    (
        "sponsors",
        "Sponsors",
        "Meet the organizations funding or collaborating on the study and learn about their roles.",
    ),
    (
        "responsible-party",
        "Responsible Party",
        "Identify the individual or organization who holds primary responsibility for "
        "the study information submitted to regulators.",
    ),
    (
        "investigators",
        "Principal Investigators",
        "Learn about the lead researchers overseeing the trial and their institutional "
        "affiliations.",
    ),
    (
        "locations",
        "Locations",
        "Explore where the study is taking place and check the recruitment status at "
        "each participating site.",
    ),
    (
        "countries",
        "Countries",
        "Review the countries where the study has at least one active or historical site.",
    ),
    (
        "related-links",
        "Related Links",
        "Access external resources that provide additional context or updates about the study.",
    ),
    (
        "other-identifiers",
        "Other Identifiers",
        "Review additional registry numbers or institutional identifiers associated with "
        "this trial.",
    ),
    (
        "ipd-sharing",
        "Individual Participant Data Sharing",
        "Find out whether the study team plans to share individual participant data "
        "with other researchers.",
    ),
    (
        "more-related",
        "More Related Trials",
        "Additional clinical trials that may be relevant based on similarity analysis.",
    ),
)


class Header(Part):
    title: str
    official_title: str | None = None
    acronym: str | None = None
    nct_id: str
    last_updated: str | None = None
    status_code: str | None = None
    status_label: str | None = None
    phase_label: str | None = None
    registry_url: str


class ResultsView(Part):
    """Posted results as tables, or the message that says why there are none."""

    posted: bool
    message: str | None = None
    tables: PostedResults | None = None


class EligibilityView(Part):
    facts: list[Fact] = Field(default_factory=list)
    criteria: list[OutlineSection] = Field(default_factory=list)


class TrialPage(Part):
    """Everything the full registry page shows, labelled, in page order, plus the Study."""

    nct_id: str
    header: Header
    sections: list[SectionHead]
    results: ResultsView
    basic_information: list[Fact]
    brief_summary: list[Block]
    related: list[RelatedTrial] = Field(default_factory=list)
    detailed_description: list[Block]
    conditions: ConditionsView
    study_design: list[Fact]
    study_groups: list[ArmView]
    interventions: list[InterventionView]
    outcome_measures: list[OutcomeGroup]
    eligibility: EligibilityView
    sponsors: list[OrgView]
    responsible_party: PersonView | None = None
    investigators: list[PersonView]
    central_contacts: list[ContactView]
    locations: list[SiteView]
    countries: list[str]
    see_also_links: list[LinkView]
    references: list[ReferenceView]
    identifiers: list[IdentifierView]
    ipd_sharing: IpdView
    more_related: list[RelatedTrial] = Field(default_factory=list)
    study: Study
    texts_cut: bool = False  # a text was longer than the page shows (features.text_bounds)
    patient_summary: Any = None


def _header(study: Study) -> Header:
    status = study.status
    return Header(
        title=study.title,
        official_title=study.identification.official_title,
        acronym=study.identification.acronym,
        nct_id=study.nct_id,
        last_updated=status.last_update_posted.value if status.last_update_posted else None,
        status_code=status.overall_status,
        status_label=label("overall_status", status.overall_status) or None,
        phase_label=phases_label(study.design.phases) or None,
        registry_url=registry_url(study.nct_id),
    )


def _results(study: Study) -> ResultsView:
    if study.results is not None:
        return ResultsView(posted=True, tables=results_tables(study.results))
    message = RESULTS_NOT_IN_RECORD if study.has_results else RESULTS_NOT_POSTED
    return ResultsView(posted=False, message=message)


def _sections(related: list[RelatedTrial], more_related: list[RelatedTrial]) -> list[SectionHead]:
    hidden = {"related": not related, "more-related": not more_related}
    return [
        SectionHead(id=sid, title=title, blurb=blurb, hidden=hidden.get(sid, False))
        for sid, title, blurb in SECTIONS
    ]


def build_trial_page(
    study: Study,
    related: list[RelatedTrial] | None = None,
    more_related: list[RelatedTrial] | None = None,
) -> TrialPage:
    """The registry page of a Study already in hand (pure). Views read at most
    :data:`MAX_PAGE_TEXT_CHARS` of each text (``texts_cut`` says when one was longer);
    ``study`` stays the whole record."""
    full, study = study, bounded(study)
    related = related or []
    more_related = more_related or []
    page = TrialPage(
        nct_id=study.nct_id,
        header=_header(study),
        sections=_sections(related, more_related),
        results=_results(study),
        basic_information=basic_information(study),
        brief_summary=text_blocks(study.brief_summary),
        related=related,
        detailed_description=text_blocks(study.detailed_description),
        conditions=conditions_view(study),
        study_design=study_design(study),
        study_groups=study_groups(study),
        interventions=interventions_view(study),
        outcome_measures=outcome_groups(study),
        eligibility=EligibilityView(
            facts=eligibility_facts(study.eligibility),
            criteria=criteria_outline(study.eligibility.criteria_text),
        ),
        sponsors=sponsors_view(study),
        responsible_party=responsible_party(study),
        investigators=investigators(study),
        central_contacts=contacts_view(study.central_contacts),
        locations=sites(study),
        countries=countries(study),
        see_also_links=see_also_links(study),
        references=references(study),
        identifiers=identifiers(study),
        ipd_sharing=ipd_sharing(study),
        more_related=more_related,
        study=full,
        texts_cut=study is not full,
    )
    return _plain_text(page, skip={"study", "criteria"})


def _plain_text(part: BaseModel, skip: set[str]) -> BaseModel:
    """``part`` with the registry's markdown backslash escapes dropped from every text
    (``aged \\>18 years`` → ``aged >18 years``), fields in ``skip`` left as they are
    (the Study stays as stored; the criteria outline unescapes its own text)."""
    updates: dict[str, Any] = {}
    for name in type(part).model_fields:
        if name in skip:
            continue
        value = getattr(part, name)
        plain = _plain_value(value, skip)
        if plain is not value:
            updates[name] = plain
    return part.model_copy(update=updates) if updates else part


def _plain_value(value: Any, skip: set[str]) -> Any:
    if isinstance(value, str):
        plain = unescape_registry(value)
        return value if plain == value else plain
    if isinstance(value, list):
        items = [_plain_value(v, skip) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, tuple):
        items = [_plain_value(v, skip) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else tuple(items)
    if isinstance(value, Part):
        return _plain_text(value, skip)
    return value


def canonical_nct_id(nct_id: str) -> str | None:
    """``nct06001853`` → ``NCT06001853``; None when it cannot be an NCT ID."""
    candidate = nct_id.strip().upper()
    return candidate if NCT_ID.match(candidate) else None


def trial_page(
    store: Store,
    nct_id: str,
    *,
    with_patient_summary: bool = True,
    writer: Any = None,
    with_related: bool = True,
    vectors: NeighbourIndex | None = None,
) -> TrialPage | None:
    """The full registry page of ``nct_id``, or None when the store has no such trial.

    ``patient_summary`` is filled by the patient-summary feature with ``writer`` (the
    rule-based writer when None), the same result the patient page renders;
    ``related``/``more_related`` by :func:`related_trials` (with ``vectors`` when given).
    """
    canonical = canonical_nct_id(nct_id)
    if canonical is None:
        return None
    study = store.get_study(canonical)
    if study is None:
        return None
    found = related_trials(store, canonical, vectors) if with_related else None
    page = build_trial_page(
        study,
        related=found.related if found else None,
        more_related=found.more_related if found else None,
    )
    if with_patient_summary:
        from trialatlas.features.patient_summary import patient_summary  # imports this module

        page.patient_summary = patient_summary(store, study, writer)
    return page
