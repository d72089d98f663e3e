"""ClinicalTrials.gov API v2 JSON → Study: real records in, concrete model values out.

The fixtures under ``tests/fixtures/v2/`` are unmodified API v2 study objects copied
from the shared data set; every expected value below was read from those files.
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from trialatlas.model.study import Study
from trialatlas.normalize.ctgov_v2 import normalize_v2
from trialatlas.normalize.ctgov_v2_results import normalize_v2_results
from trialatlas.normalize.values import RecordError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v2"
SHARED_V2 = Path(__file__).resolve().parents[3] / "shared/data/trials/ctgov_v2_studies.jsonl.gz"


def raw(nct_id: str) -> dict[str, Any]:
    """One fixture study object as parsed JSON."""
    return json.loads((FIXTURES / f"{nct_id}.json").read_text(encoding="utf-8"))


def study(nct_id: str) -> Study:
    return normalize_v2(raw(nct_id))


# --------------------------------------------------------------------------- records


def test_open_ended_age_and_month_precision_dates() -> None:
    s = study("NCT00122499")
    assert s.source_format == "ctgov_v2"
    assert s.nct_id == "NCT00122499"
    ident = s.identification
    assert ident.org_study_id == "232.476/2003/180"
    assert ident.org_study_id_type is None
    assert ident.organization is not None
    assert (ident.organization.name, ident.organization.org_class) == (
        "Erasmus Medical Center",
        "OTHER",
    )
    assert ident.acronym is None and ident.secondary_ids == []

    st = s.status
    assert st.overall_status == "COMPLETED"
    assert st.start_date is not None and st.completion_date is not None
    assert (st.start_date.value, st.start_date.precision, st.start_date.type) == (
        "2003-02",
        "month",
        None,
    )
    assert st.start_date.text == "2003-02"
    assert (st.completion_date.value, st.completion_date.precision) == ("2005-02", "month")
    assert st.primary_completion_date is None
    assert st.status_verified_date is not None
    assert (st.status_verified_date.value, st.status_verified_date.precision) == (
        "2005-07",
        "month",
    )
    assert st.first_submitted is not None and st.first_submitted.value == "2005-07-19"
    assert st.first_posted is not None
    assert (st.first_posted.value, st.first_posted.type) == ("2005-07-22", "ESTIMATED")
    assert st.last_update_submitted is not None
    assert st.last_update_submitted.value == "2005-07-26"
    assert st.last_update_posted is not None and st.last_update_posted.value == "2005-07-27"
    assert st.results_first_posted is None
    assert st.has_expanded_access is False

    el = s.eligibility
    assert el.minimum_age is not None
    assert (el.minimum_age.text, el.minimum_age.days) == ("18 Years", 6574)
    assert el.maximum_age is None
    assert el.sex == "MALE"
    assert el.std_ages == ["ADULT", "OLDER_ADULT"]
    assert el.healthy_volunteers is False
    assert el.criteria_text is not None
    assert el.criteria_text.startswith("Inclusion Criteria:\n\n* Heterosexual men")
    assert el.criteria_text.endswith("preclude evaluation of response to tadalafil.")

    d = s.design
    assert (d.study_type, d.phases, d.allocation) == ("INTERVENTIONAL", ["PHASE3"], "RANDOMIZED")
    assert (d.intervention_model, d.primary_purpose, d.masking) == (
        "CROSSOVER",
        "TREATMENT",
        "DOUBLE",
    )
    assert d.who_masked == []
    assert d.enrollment_count is None and d.enrollment_type is None

    # no oversightModule, no arm groups, no references: all stay empty
    assert s.oversight.has_dmc is None and s.oversight.is_fda_regulated_drug is None
    assert s.arms == []
    assert [(i.type, i.name) for i in s.interventions] == [("DRUG", "tadalafil")]
    assert s.references == [] and s.see_also_links == [] and s.ipd_sharing is None
    assert s.conditions == ["Prostate Cancer", "Erectile Dysfunction"]
    assert s.keywords == ["Prostate cancer", "Radiotherapy", "Erectile dysfunction", "Tadalafil"]
    assert [(m.term, m.id) for m in s.condition_mesh] == [
        ("Prostatic Neoplasms", "D000011471"),
        ("Erectile Dysfunction", "D000007172"),
    ]
    assert [(m.term, m.id) for m in s.intervention_mesh] == [("Tadalafil", "D000068581")]
    assert [(o.kind, o.time_frame) for o in s.outcomes] == [
        ("primary", None),
        ("secondary", None),
        ("secondary", None),
    ]
    assert (
        s.outcomes[2].measure
        == "To assess the side effects of 20 mg tadalafil in men with ED after 3DCRT"
    )
    assert s.sponsors.lead_sponsor is not None
    assert s.sponsors.lead_sponsor.name == "Erasmus Medical Center"
    assert s.sponsors.collaborators == [] and s.sponsors.responsible_party is None
    assert s.has_results is False and s.results is None


def test_locations_geo_points_and_contacts() -> None:
    s = study("NCT03810573")
    assert s.status.overall_status == "RECRUITING"
    assert s.status.start_date is not None
    assert (s.status.start_date.value, s.status.start_date.type) == ("2024-03-01", "ESTIMATED")

    assert [c.model_dump() for c in s.central_contacts] == [
        {
            "name": "Brent Atkinson, PhD",
            "role": "CONTACT",
            "phone": "13035507866",
            "phone_ext": None,
            "email": "atkinsonbrent520@gmail.com",
        }
    ]
    assert [(o.name, o.affiliation, o.role) for o in s.overall_officials] == [
        ("Tony Goldschlager, MD", "Monash Health", "PRINCIPAL_INVESTIGATOR")
    ]
    assert len(s.locations) == 3
    first = s.locations[0]
    assert (first.facility, first.status, first.city, first.state, first.zip, first.country) == (
        "Monash Medical Center",
        "RECRUITING",
        "Clayton",
        "Victoria",
        "3168",
        "Australia",
    )
    assert first.geo is not None
    assert (first.geo.lat, first.geo.lon, first.geo.precision) == (-37.91667, 145.11667, "site")
    assert [(c.name, c.role) for c in first.contacts] == [
        ("Tony Goldschlager, MD", "CONTACT"),
        ("Tony Goldschlager, MD", "PRINCIPAL_INVESTIGATOR"),
    ]
    second = s.locations[1]
    assert (second.facility, second.city, second.state, second.zip) == (
        "St Vincent Melbourne",
        "Fitzroy",
        None,
        None,
    )
    # the registry's own typo is kept
    assert [c.name for c in second.contacts] == ["Terence Tan", "Ternece Tan, MD"]
    assert s.locations[2].geo is not None
    assert (s.locations[2].geo.lat, s.locations[2].geo.lon) == (-33.98333, 151.11667)

    ov = s.oversight
    assert (
        ov.has_dmc,
        ov.is_fda_regulated_drug,
        ov.is_fda_regulated_device,
        ov.is_unapproved_device,
        ov.is_us_export,
    ) == (True, False, True, True, True)
    d = s.design
    assert d.phases == ["NA"]
    assert d.who_masked == ["PARTICIPANT", "OUTCOMES_ASSESSOR"]
    assert (d.enrollment_count, d.enrollment_type) == (30, "ESTIMATED")
    assert [(a.label, a.type, a.description, a.intervention_names) for a in s.arms] == [
        ("NB1-1.5", "EXPERIMENTAL", "NB1 low dose", ["Device: NB1"]),
        ("NB1-2.0", "EXPERIMENTAL", "NB1 high dose", ["Device: NB1"]),
        ("Autograft", "NO_INTERVENTION", "Autograft", []),
    ]
    (device,) = s.interventions
    assert (device.type, device.name, device.description) == ("DEVICE", "NB1", "rhNELL-1/DBX")
    assert device.arm_labels == ["NB1-1.5", "NB1-2.0"] and device.other_names == []
    assert s.eligibility.minimum_age is not None and s.eligibility.maximum_age is not None
    assert s.eligibility.minimum_age.text == "17 Years"
    assert (s.eligibility.maximum_age.text, s.eligibility.maximum_age.days) == ("70 Years", 25568)
    assert s.ipd_sharing is not None
    assert (s.ipd_sharing.plan, s.ipd_sharing.description, s.ipd_sharing.info_types) == (
        "YES",
        "As requested",
        ["STUDY_PROTOCOL", "SAP", "ICF"],
    )
    assert s.ipd_sharing.time_frame is None and s.ipd_sharing.url is None
    assert s.sponsors.responsible_party is not None
    assert s.sponsors.responsible_party.type == "SPONSOR"
    assert s.sponsors.responsible_party.investigator_full_name is None


def test_observational_patient_registry() -> None:
    s = study("NCT03571217")
    d = s.design
    assert d.study_type == "OBSERVATIONAL"
    assert (d.observational_model, d.time_perspective) == ("COHORT", "PROSPECTIVE")
    assert (d.patient_registry, d.target_duration) == (True, "10 Years")
    assert (d.enrollment_count, d.enrollment_type) == (2500, "ESTIMATED")
    assert d.phases == [] and d.allocation is None and d.masking is None
    el = s.eligibility
    assert el.sampling_method == "PROBABILITY_SAMPLE"
    assert el.study_population is not None
    assert el.study_population.startswith("Type 2 diabetes mellitus. Diabetes mellitus (DM)")
    assert el.healthy_volunteers is None
    assert el.maximum_age is not None and el.maximum_age.text == "100 Years"
    ident = s.identification
    assert ident.acronym == "SBDES"
    # "Disk Factors" is the registry's typo, kept as written
    assert ident.official_title == (
        "The Cohort Study of Incidence and Disk Factors of Diabetic Retinopathy and Visual "
        "Impairment in Adults With Type 2 Diabetes"
    )
    assert [(a.label, a.type, a.description) for a in s.arms] == [
        ("Diabetic retinopathy cohort", None, None),
        ("Mild visual impairment cohort", None, None),
    ]
    assert s.interventions == []
    assert len(s.outcomes) == 6 and {o.kind for o in s.outcomes} == {"primary"}
    assert (
        s.outcomes[1].description
        == "Mild visual impairment was present if BCVA was \\< 20/25 but ≥ 20/63."
    )
    assert s.outcomes[0].time_frame == "December 31，2024"
    assert s.oversight.is_unapproved_device is None and s.oversight.has_dmc is False
    assert [m.term for m in s.condition_mesh][-1] == "Macular Degeneration"
    assert s.intervention_mesh == []
    (site,) = s.locations
    assert site.contacts[0].email == "zouhaidong@263.net"
    assert site.geo is not None and (site.geo.lat, site.geo.lon) == (31.22222, 121.45806)


def test_identifiers_sponsors_references() -> None:
    s = study("NCT05816499")
    assert s.identification.acronym == "AK104IIT018"
    rp = s.sponsors.responsible_party
    assert rp is not None
    assert (rp.type, rp.investigator_full_name, rp.investigator_title) == (
        "PRINCIPAL_INVESTIGATOR",
        "Baohui Han",
        "chief physician",
    )
    assert rp.investigator_affiliation == "Shanghai Chest Hospital"
    assert [(c.name, c.org_class) for c in s.sponsors.collaborators] == [
        ("The Affiliated Hospital of Qingdao University", "OTHER"),
        ("Anhui Provincial Hospital", "OTHER_GOV"),
        ("Zhejiang University", "OTHER"),
    ]
    assert s.design.phases == ["PHASE1", "PHASE2"]
    assert s.design.allocation == "NA" and s.design.masking == "NONE"
    docetaxel = s.interventions[2]
    assert docetaxel.name == "Docetaxel"
    assert len(docetaxel.other_names) == 11 and docetaxel.other_names[-1] == "Taxotere"
    assert docetaxel.arm_labels == ["Arm A (cadonilimab，anlotinib，docetaxel )"]
    assert s.arms[0].intervention_names == [
        "Drug: Cadonilimab",
        "Drug: Anlotinib",
        "Drug: Docetaxel",
    ]
    (ref,) = s.references
    assert (ref.pmid, ref.type) == ("21252716", "BACKGROUND")
    assert ref.citation is not None and ref.citation.startswith("Travis WD, Brambilla E")
    assert [(link.label, link.url) for link in s.see_also_links] == [
        ("2021 ESMO Abstract #1191O", "https://www.esmo.org/"),
        ("2021 ESMO Abstract #1284P", "https://www.esmo.org/"),
    ]
    assert s.ipd_sharing is not None
    assert s.ipd_sharing.time_frame == "starting 6 months after publication"
    assert s.ipd_sharing.info_types == ["STUDY_PROTOCOL", "SAP", "ICF", "CSR", "ANALYTIC_CODE"]
    assert [(m.term, m.id) for m in s.intervention_mesh] == [
        ("anlotinib", "C000625192"),
        ("Docetaxel", "D000077143"),
    ]
    # the registry's missing space is kept
    assert s.overall_officials[0].affiliation == "ShanghaiChest Hospital"
    assert s.eligibility.maximum_age is None
    assert s.oversight.has_dmc is None and s.oversight.is_fda_regulated_drug is False


def test_posted_results_with_adverse_events() -> None:
    s = study("NCT01768676")
    assert s.has_results is True
    assert s.status.results_first_posted is not None
    assert (s.status.results_first_posted.value, s.status.results_first_posted.type) == (
        "2015-12-14",
        "ESTIMATED",
    )
    assert s.status.start_date is not None and s.status.start_date.precision == "month"
    r = s.results
    assert r is not None

    flow = r.participant_flow
    assert flow is not None
    assert [(g.id, g.title, g.description) for g in flow.groups] == [
        ("FG000", "Avanafil", "100 mg once daily in the evening"),
        ("FG001", "Placebo", "placebo taken once daily in the evening"),
    ]
    assert flow.recruitment_details is None
    (period,) = flow.periods
    assert period.title == "Overall Study"
    assert [m.type for m in period.milestones] == ["STARTED", "COMPLETED", "NOT COMPLETED"]
    assert [(a.group_id, a.num_subjects) for a in period.milestones[0].achievements] == [
        ("FG000", "90"),
        ("FG001", "91"),
    ]
    assert [d.type for d in period.drop_withdraws] == [
        "Adverse Event",
        "Lost to Follow-up",
        "Protocol Violation",
        "Physician Decision",
        "Withdrawal by Subject",
    ]
    assert [(c.group_id, c.value) for c in period.drop_withdraws[1].reasons] == [
        ("FG000", "13"),
        ("FG001", "16"),
    ]

    base = r.baseline
    assert base is not None
    assert [g.id for g in base.groups] == ["BG000", "BG001", "BG002"]
    assert base.denoms[0].units == "Participants"
    assert [(c.group_id, c.value) for c in base.denoms[0].counts] == [
        ("BG000", "90"),
        ("BG001", "91"),
        ("BG002", "181"),
    ]
    age = base.measures[0]
    assert (age.title, age.param_type, age.dispersion_type, age.unit_of_measure) == (
        "Age, Continuous",
        "MEAN",
        "STANDARD_DEVIATION",
        "years",
    )
    assert [(m.group_id, m.value, m.spread) for m in age.classes[0].categories[0].measurements] == [
        ("BG000", "34.8", "7.23"),
        ("BG001", "32.9", "7.11"),
        ("BG002", "33.8", "7.21"),
    ]
    assert [c.title for c in base.measures[1].classes[0].categories] == ["Female", "Male"]

    assert len(r.outcome_measures) == 5
    primary = r.outcome_measures[0]
    assert (primary.type, primary.reporting_status, primary.param_type) == (
        "PRIMARY",
        "POSTED",
        "NUMBER",
    )
    assert primary.unit_of_measure == "percentage of participants"
    assert primary.time_frame == "Baseline to Week 26"
    assert [g.id for g in primary.groups] == ["OG000", "OG001"]
    assert [(c.group_id, c.value) for c in primary.denoms[0].counts] == [
        ("OG000", "68"),
        ("OG001", "69"),
    ]
    assert [(m.group_id, m.value) for m in primary.classes[0].categories[0].measurements] == [
        ("OG000", "1.5"),
        ("OG001", "14.5"),
    ]
    (analysis,) = primary.analyses
    assert analysis.group_ids == ["OG000", "OG001"]
    assert analysis.non_inferiority_type == "NON_INFERIORITY_OR_EQUIVALENCE"
    assert (analysis.param_type, analysis.param_value) == ("Risk Difference (RD)", "-12.93")
    assert (analysis.ci_pct_value, analysis.ci_lower_limit, analysis.ci_upper_limit) == (
        "95",
        "-21.56",
        "-4.29",
    )
    assert analysis.p_value is None and analysis.description is None

    ae = r.adverse_events
    assert ae is not None
    assert (ae.frequency_threshold, ae.time_frame, ae.description) == ("1", None, None)
    assert [
        (g.id, g.serious_num_affected, g.serious_num_at_risk, g.other_num_affected)
        for g in ae.groups
    ] == [("EG000", 0, 90, 14), ("EG001", 1, 91, 20)]
    assert ae.groups[0].deaths_num_affected is None
    (serious,) = ae.serious_events
    assert (serious.term, serious.organ_system, serious.source_vocabulary) == (
        "Nephrolithiasis",
        "Renal and urinary disorders",
        "MedDRA (15.1)",
    )
    assert serious.assessment_type == "SYSTEMATIC_ASSESSMENT"
    assert [(x.group_id, x.num_events, x.num_affected, x.num_at_risk) for x in serious.stats] == [
        ("EG000", 0, 0, 90),
        ("EG001", 1, 1, 91),
    ]
    assert len(ae.other_events) == 44
    assert ae.other_events[0].term == "Nasopharyngitis"
    assert ae.other_events[0].stats[1].num_events == 2

    info = r.more_info
    assert info is not None
    assert info.limitations is None
    assert info.point_of_contact == "Wesley D Day, PhD, Vivus, 650-934-5200"
    assert info.certain_agreement == (
        "Principal Investigators are NOT employed by the organization sponsoring the study.\n"
        "After Sponsor's written notification that publication of results is no longer planned "
        "or 12 months after termination of the study at all sites, Institution \\& PI may "
        "publish, upon written approval from Sponsor, results of the Study. Sponsor will be "
        "given the opportunity to review any proposed publication at least 60 days prior to "
        "submission for publication or disclosure. Upon Sponsor's written request, Institution "
        "and PI shall not publish or disclose information related to the Study."
    )


def test_terminated_results_with_class_denoms_and_limitations() -> None:
    s = study("NCT03500406")
    assert s.status.overall_status == "TERMINATED"
    assert s.status.why_stopped == (
        "PI changed subspecialties and no longer had access to main study population"
    )
    r = s.results
    assert r is not None and r.baseline is not None
    age = r.baseline.measures[0]
    assert age.title == "Age, Continuous"
    # class-level denoms keep their own units and counts
    assert age.classes[0].denoms[0].units == "Participants"
    assert [(c.group_id, c.value) for c in age.classes[0].denoms[0].counts] == [
        ("BG000", "4"),
        ("BG001", "20"),
        ("BG002", "24"),
    ]
    region = next(m for m in r.baseline.measures if m.title == "Region of Enrollment")
    assert region.classes[0].title == "United States"
    ae = r.adverse_events
    assert ae is not None
    assert ae.time_frame is not None
    assert ae.time_frame.startswith("Adverse events were collected three months post")
    assert [(g.id, g.deaths_num_affected, g.deaths_num_at_risk) for g in ae.groups] == [
        ("EG000", 0, 4),
        ("EG001", 0, 20),
    ]
    assert ae.groups[1].title == "Group 2 - PTT 3x Daily x 3 Months"
    info = r.more_info
    assert info is not None
    assert info.limitations == (
        "Study was terminated due to PI change of subspecialties and no longer able to access "
        "the main study population. Sincere efforts were made but we were unable to collect data."
    )
    assert info.certain_agreement == (
        "All Principal Investigators ARE employed by the organization sponsoring the study."
    )
    assert info.point_of_contact == (
        "Dr. Landon Trost, Mayo Clinic, Trost.Landon@mayo.edu, 507-284-3728"
    )


def test_coded_restriction_uses_registry_wording() -> None:
    data = raw("NCT01768676")
    data["resultsSection"]["moreInfoModule"]["certainAgreement"] = {
        "piSponsorEmployee": False,
        "restrictionType": "GT60",
        "restrictiveAgreement": True,
    }
    data["resultsSection"]["moreInfoModule"]["pointOfContact"]["phoneExt"] = "123"
    info = normalize_v2(data).results.more_info  # type: ignore[union-attr]
    assert info is not None
    assert info.certain_agreement is not None
    assert info.certain_agreement.splitlines()[1].endswith(
        "for a period that is more than 60 days but less than or equal to 180 days. The sponsor "
        "cannot require changes to the communication and cannot extend the embargo."
    )
    assert info.point_of_contact == "Wesley D Day, PhD, Vivus, 650-934-5200 ext. 123"


def test_results_section_alone() -> None:
    results = normalize_v2_results(raw("NCT01768676")["resultsSection"])
    assert results is not None and len(results.outcome_measures) == 5
    assert normalize_v2_results({}) is None


def test_strings_are_stripped_and_blank_is_missing() -> None:
    data = raw("NCT00122499")
    ident = data["protocolSection"]["identificationModule"]
    ident["briefTitle"] = "  Tadalafil after radiotherapy \n"
    ident["acronym"] = "   "
    s = normalize_v2(data)
    assert s.identification.brief_title == "Tadalafil after radiotherapy"
    assert s.identification.acronym is None


def test_dates_are_not_shared_between_studies() -> None:
    first, second = study("NCT00122499"), study("NCT00122499")
    assert first.status.start_date == second.status.start_date
    assert first.status.start_date is not second.status.start_date
    assert first.eligibility.minimum_age is not second.eligibility.minimum_age


def test_missing_has_results_follows_results_section() -> None:
    data = raw("NCT01768676")
    del data["hasResults"]
    assert normalize_v2(data).has_results is True
    data = raw("NCT00122499")
    del data["hasResults"]
    assert normalize_v2(data).has_results is False


# --------------------------------------------------------------------------- bad input


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[0].c`` in a nested dict/list."""
    node: Any = data
    parts = path.replace("[", ".[").split(".")
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node.setdefault(part, {})
    last = parts[-1]
    if last.startswith("["):
        node[int(last[1:-1])] = value
    else:
        node[last] = value


PS = "protocolSection"


@pytest.mark.parametrize(
    ("fixture", "path", "value", "field"),
    [
        ("NCT03810573", f"{PS}.designModule.phases", "PHASE2", f"{PS}.designModule.phases"),
        (
            "NCT03810573",
            f"{PS}.designModule.enrollmentInfo.count",
            "many",
            f"{PS}.designModule.enrollmentInfo.count",
        ),
        (
            "NCT03810573",
            f"{PS}.designModule.enrollmentInfo.type",
            "GUESSED",
            f"{PS}.designModule.enrollmentInfo.type",
        ),
        (
            "NCT03810573",
            f"{PS}.contactsLocationsModule.locations",
            {},
            f"{PS}.contactsLocationsModule.locations",
        ),
        (
            "NCT03810573",
            f"{PS}.contactsLocationsModule.locations[1]",
            "Fitzroy",
            f"{PS}.contactsLocationsModule.locations[1]",
        ),
        (
            "NCT03810573",
            f"{PS}.contactsLocationsModule.locations[2].geoPoint.lat",
            "-33.9",
            f"{PS}.contactsLocationsModule.locations[2].geoPoint.lat",
        ),
        (
            "NCT03810573",
            f"{PS}.contactsLocationsModule.locations[2].geoPoint.lat",
            123.0,
            f"{PS}.contactsLocationsModule.locations[2].geoPoint",
        ),
        (
            "NCT03810573",
            f"{PS}.contactsLocationsModule.locations[0].contacts[1].name",
            ["Tony"],
            f"{PS}.contactsLocationsModule.locations[0].contacts[1].name",
        ),
        ("NCT03810573", f"{PS}.designModule", [], f"{PS}.designModule"),
        (
            "NCT03810573",
            f"{PS}.oversightModule.oversightHasDmc",
            "yes",
            f"{PS}.oversightModule.oversightHasDmc",
        ),
        (
            "NCT03810573",
            f"{PS}.statusModule.startDateStruct.date",
            "sometime in 2024",
            f"{PS}.statusModule.startDateStruct.date",
        ),
        (
            "NCT03810573",
            f"{PS}.statusModule.startDateStruct.type",
            "ANTICIPATED",
            f"{PS}.statusModule.startDateStruct.type",
        ),
        (
            "NCT03810573",
            f"{PS}.statusModule.statusVerifiedDate",
            202403,
            f"{PS}.statusModule.statusVerifiedDate",
        ),
        (
            "NCT03810573",
            f"{PS}.eligibilityModule.maximumAge",
            "seventy",
            f"{PS}.eligibilityModule.maximumAge",
        ),
        (
            "NCT03810573",
            f"{PS}.armsInterventionsModule.armGroups[0].interventionNames",
            "Device: NB1",
            f"{PS}.armsInterventionsModule.armGroups[0].interventionNames",
        ),
        (
            "NCT03810573",
            f"{PS}.armsInterventionsModule.armGroups[2].label",
            None,
            f"{PS}.armsInterventionsModule.armGroups[2].label",
        ),
        (
            "NCT03810573",
            f"{PS}.conditionsModule.conditions[1]",
            {"name": "Spondylolisthesis"},
            f"{PS}.conditionsModule.conditions[1]",
        ),
        (
            "NCT03810573",
            "derivedSection.conditionBrowseModule.meshes[0].term",
            ["Intervertebral Disc Degeneration"],
            "derivedSection.conditionBrowseModule.meshes[0].term",
        ),
        ("NCT03810573", "derivedSection", "none", "derivedSection"),
        ("NCT03810573", "hasResults", "false", "hasResults"),
        (
            "NCT01768676",
            "resultsSection.adverseEventsModule.eventGroups[1].seriousNumAtRisk",
            "ninety-one",
            "resultsSection.adverseEventsModule.eventGroups[1].seriousNumAtRisk",
        ),
        (
            "NCT01768676",
            "resultsSection.adverseEventsModule.otherEvents[3].stats[0].numAffected",
            True,
            "resultsSection.adverseEventsModule.otherEvents[3].stats[0].numAffected",
        ),
        (
            "NCT01768676",
            "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].classes[0]"
            ".categories[0].measurements[1].value",
            {"v": "14.5"},
            "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].classes[0]"
            ".categories[0].measurements[1].value",
        ),
        (
            "NCT01768676",
            "resultsSection.participantFlowModule.periods[0].milestones",
            {"type": "STARTED"},
            "resultsSection.participantFlowModule.periods[0].milestones",
        ),
        (
            "NCT01768676",
            "resultsSection.moreInfoModule.certainAgreement.piSponsorEmployee",
            "no",
            "resultsSection.moreInfoModule.certainAgreement.piSponsorEmployee",
        ),
    ],
)
def test_wrong_type_names_the_field(fixture: str, path: str, value: Any, field: str) -> None:
    data = raw(fixture)
    _set(data, path, value)
    with pytest.raises(RecordError) as err:
        normalize_v2(data)
    assert err.value.field == field


@pytest.mark.parametrize("nct_id", [None, "", "NCT123", "nct03810573", "NCT038105730", 3810573])
def test_bad_nct_id_is_rejected(nct_id: Any) -> None:
    data = raw("NCT03810573")
    ident = data["protocolSection"]["identificationModule"]
    if nct_id is None:
        del ident["nctId"]
    else:
        ident["nctId"] = nct_id
    with pytest.raises(RecordError) as err:
        normalize_v2(data)
    assert err.value.field == "protocolSection.identificationModule.nctId"


def test_missing_protocol_section_is_a_missing_nct_id() -> None:
    with pytest.raises(RecordError) as err:
        normalize_v2({"derivedSection": {}, "hasResults": False})
    assert err.value.field == "protocolSection.identificationModule.nctId"
    assert "missing" in err.value.message


def test_not_an_object() -> None:
    with pytest.raises(RecordError) as err:
        normalize_v2([raw("NCT03810573")])  # type: ignore[arg-type]
    assert err.value.field == "study"


def test_input_is_not_modified() -> None:
    data = raw("NCT01768676")
    before = copy.deepcopy(data)
    normalize_v2(data)
    assert data == before


# --------------------------------------------------------------------------- shared set


def test_every_shared_v2_record_normalizes() -> None:
    if not SHARED_V2.is_file():
        pytest.skip(f"shared data not present: {SHARED_V2}")
    count = with_results = 0
    with gzip.open(SHARED_V2, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            s = normalize_v2(record["study"])
            assert s.nct_id == record["nct_id"]
            count += 1
            with_results += s.results is not None
    assert (count, with_results) == (1212, 98)
