"""The normalized study: every field a registry page shows, from any source format.

Registry codes are kept verbatim in ClinicalTrials.gov API v2 spelling
(``ACTIVE_NOT_RECRUITING``, ``PHASE2``, ``RANDOMIZED`` …); human labels live in
one lookup (:mod:`trialatlas.model.codes`). A value the record does not give stays
``None`` (or an empty list): nothing is invented. No I/O here.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from trialatlas.model.results import Results

DatePrecision = Literal["year", "month", "day"]


class Model(BaseModel):
    """Base for every record part: strict field names, no extras."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class PartialDate(Model):
    """A registry date as given: ``2023-11`` stays a month, never forced to a day.

    ``value`` is the ISO partial date (``2023``, ``2023-11`` or ``2023-11-03``),
    ``text`` the original text of the record (``November 2023`` in the legacy XML),
    ``type`` is ``ACTUAL`` or ``ESTIMATED`` when the registry says which.
    """

    value: str
    precision: DatePrecision
    text: str
    type: Literal["ACTUAL", "ESTIMATED"] | None = None

    @property
    def earliest(self) -> date:
        """First calendar day the partial date can mean (for sorting and filters)."""
        parts = [int(p) for p in self.value.split("-")]
        while len(parts) < 3:
            parts.append(1)
        return date(parts[0], parts[1], parts[2])


class Age(Model):
    """An age limit: the original text (``18 Years``) and its length in days."""

    text: str
    days: int


class Organization(Model):
    name: str
    org_class: str | None = (
        None  # NIH, FED, INDUSTRY, OTHER, OTHER_GOV, NETWORK, INDIV, AMBIG, UNKNOWN
    )


class SecondaryId(Model):
    id: str
    type: str | None = (
        None  # NIH, FDA, VA, CDC, AHRQ, SAMHSA, OTHER_GRANT, EUDRACT_NUMBER, CTIS, REGISTRY, OTHER
    )
    domain: str | None = None
    link: str | None = None


class Identification(Model):
    nct_id: str
    brief_title: str | None = None
    official_title: str | None = None
    acronym: str | None = None
    org_study_id: str | None = None
    org_study_id_type: str | None = None
    organization: Organization | None = None
    secondary_ids: list[SecondaryId] = Field(default_factory=list)
    nct_id_aliases: list[str] = Field(default_factory=list)


class Status(Model):
    overall_status: str | None = None  # RECRUITING, COMPLETED, … (API v2 codes)
    last_known_status: str | None = None
    why_stopped: str | None = None
    status_verified_date: PartialDate | None = None
    start_date: PartialDate | None = None
    primary_completion_date: PartialDate | None = None
    completion_date: PartialDate | None = None
    first_submitted: PartialDate | None = None
    first_posted: PartialDate | None = None
    results_first_posted: PartialDate | None = None
    last_update_submitted: PartialDate | None = None
    last_update_posted: PartialDate | None = None
    has_expanded_access: bool | None = None


class ResponsibleParty(Model):
    type: str | None = None  # SPONSOR, PRINCIPAL_INVESTIGATOR, SPONSOR_INVESTIGATOR
    investigator_full_name: str | None = None
    investigator_title: str | None = None
    investigator_affiliation: str | None = None
    old_name_title: str | None = None
    old_organization: str | None = None


class Sponsors(Model):
    lead_sponsor: Organization | None = None
    collaborators: list[Organization] = Field(default_factory=list)
    responsible_party: ResponsibleParty | None = None


class Oversight(Model):
    has_dmc: bool | None = None
    is_fda_regulated_drug: bool | None = None
    is_fda_regulated_device: bool | None = None
    is_unapproved_device: bool | None = None
    is_us_export: bool | None = None


class MeshTerm(Model):
    term: str
    id: str | None = None


class Design(Model):
    study_type: str | None = None  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    phases: list[str] = Field(default_factory=list)  # EARLY_PHASE1, PHASE1 … PHASE4, NA
    allocation: str | None = None  # RANDOMIZED, NON_RANDOMIZED, NA
    intervention_model: str | None = (
        None  # SINGLE_GROUP, PARALLEL, CROSSOVER, FACTORIAL, SEQUENTIAL
    )
    intervention_model_description: str | None = None
    primary_purpose: str | None = None  # TREATMENT, PREVENTION, DIAGNOSTIC, …
    observational_model: str | None = None
    time_perspective: str | None = None
    masking: str | None = None  # NONE, SINGLE, DOUBLE, TRIPLE, QUADRUPLE
    who_masked: list[str] = Field(
        default_factory=list
    )  # PARTICIPANT, CARE_PROVIDER, INVESTIGATOR, OUTCOMES_ASSESSOR
    masking_description: str | None = None
    enrollment_count: int | None = None
    enrollment_type: Literal["ACTUAL", "ESTIMATED"] | None = None
    target_duration: str | None = None
    patient_registry: bool | None = None


class Arm(Model):
    label: str
    type: str | None = (
        None  # EXPERIMENTAL, ACTIVE_COMPARATOR, PLACEBO_COMPARATOR, SHAM_COMPARATOR, NO_INTERVENTION, OTHER
    )
    description: str | None = None
    intervention_names: list[str] = Field(
        default_factory=list
    )  # "Drug: Nifedipine" as the registry writes it


class Intervention(Model):
    name: str
    type: str | None = (
        None  # DRUG, DEVICE, BIOLOGICAL, PROCEDURE, RADIATION, BEHAVIORAL, GENETIC, DIETARY_SUPPLEMENT, COMBINATION_PRODUCT, DIAGNOSTIC_TEST, OTHER
    )
    description: str | None = None
    other_names: list[str] = Field(default_factory=list)
    arm_labels: list[str] = Field(default_factory=list)


class Outcome(Model):
    kind: Literal["primary", "secondary", "other"]
    measure: str
    description: str | None = None
    time_frame: str | None = None


class Eligibility(Model):
    criteria_text: str | None = None
    sex: str | None = None  # ALL, FEMALE, MALE
    gender_based: bool | None = None
    gender_description: str | None = None
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    std_ages: list[str] = Field(default_factory=list)  # CHILD, ADULT, OLDER_ADULT
    healthy_volunteers: bool | None = None
    study_population: str | None = None
    sampling_method: str | None = None


class Contact(Model):
    name: str | None = None
    role: str | None = (
        None  # CONTACT, PRINCIPAL_INVESTIGATOR, SUB_INVESTIGATOR, STUDY_CHAIR, STUDY_DIRECTOR
    )
    phone: str | None = None
    phone_ext: str | None = None
    email: str | None = None


class Official(Model):
    name: str
    affiliation: str | None = None
    role: str | None = None  # PRINCIPAL_INVESTIGATOR, STUDY_CHAIR, STUDY_DIRECTOR


class GeoPoint(Model):
    lat: float
    lon: float
    # "zip": at its US ZIP code's centroid; "city": at its city (registry geoPoints are
    # city points); "site": an exact point (none of the bundled sources gives one)
    precision: Literal["site", "zip", "city"] = "site"


class Location(Model):
    facility: str | None = None
    status: str | None = None  # RECRUITING, NOT_YET_RECRUITING, …
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: str | None = None
    geo: GeoPoint | None = None
    contacts: list[Contact] = Field(default_factory=list)


class Reference(Model):
    citation: str | None = None
    pmid: str | None = None
    type: str | None = None  # BACKGROUND, RESULT, DERIVED


class Link(Model):
    url: str
    label: str | None = None


class IpdSharing(Model):
    plan: str | None = None  # YES, NO, UNDECIDED
    description: str | None = None
    info_types: list[str] = Field(default_factory=list)
    time_frame: str | None = None
    access_criteria: str | None = None
    url: str | None = None


class Study(Model):
    """One registry record, normalized. ``source_format`` says which mapper made it."""

    source_format: Literal["ctgov_v2", "ctgov_xml"]
    identification: Identification
    status: Status = Field(default_factory=Status)
    sponsors: Sponsors = Field(default_factory=Sponsors)
    oversight: Oversight = Field(default_factory=Oversight)
    brief_summary: str | None = None
    detailed_description: str | None = None
    conditions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    condition_mesh: list[MeshTerm] = Field(default_factory=list)
    intervention_mesh: list[MeshTerm] = Field(default_factory=list)
    design: Design = Field(default_factory=Design)
    arms: list[Arm] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    eligibility: Eligibility = Field(default_factory=Eligibility)
    central_contacts: list[Contact] = Field(default_factory=list)
    overall_officials: list[Official] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    see_also_links: list[Link] = Field(default_factory=list)
    ipd_sharing: IpdSharing | None = None
    has_results: bool = False
    results: Results | None = None

    @property
    def nct_id(self) -> str:
        return self.identification.nct_id

    @property
    def title(self) -> str:
        ident = self.identification
        return ident.brief_title or ident.official_title or ident.nct_id
