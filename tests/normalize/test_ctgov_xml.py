"""Legacy ClinicalTrials.gov ``clinical_study`` XML → Study: real records in, model values out.

The fixtures under ``tests/fixtures/xml/`` are unmodified documents copied from the
shared AllPublicXML/TREC set; every expected value below was read from those files.
"""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

import pytest

from trialatlas.model.study import Study
from trialatlas.normalize.ctgov_xml import normalize_xml
from trialatlas.normalize.ctgov_xml_values import (
    clean_textblock,
    masking_codes,
    phase_codes,
    std_ages,
    to_code,
)
from trialatlas.normalize.values import RecordError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "xml"
SHARED_XML = Path(__file__).resolve().parents[3] / "shared/data/trials/ctgov_xml_studies.jsonl.gz"


def raw(nct_id: str) -> str:
    return (FIXTURES / f"{nct_id}.xml").read_text(encoding="utf-8")


def study(nct_id: str) -> Study:
    return normalize_xml(raw(nct_id))


# --------------------------------------------------------------------------- records


def test_posted_results_with_adverse_events() -> None:
    s = study("NCT00461552")
    assert s.source_format == "ctgov_xml"
    assert s.has_results is True
    assert s.status.results_first_posted is not None
    assert s.status.results_first_posted.value == "2019-03-05"
    assert s.status.results_first_posted.type == "ACTUAL"
    assert (s.design.masking, s.design.who_masked) == (
        "TRIPLE",
        ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR"],
    )
    assert s.sponsors.collaborators[0].model_dump() == {
        "name": "Amylin Pharmaceuticals, LLC.",
        "org_class": "INDUSTRY",
    }
    assert s.sponsors.responsible_party is not None
    assert s.sponsors.responsible_party.type == "PRINCIPAL_INVESTIGATOR"
    assert s.sponsors.responsible_party.investigator_full_name == "Abhimanyu Garg"
    assert [a.intervention_names for a in s.arms] == [["Drug: Leptin"], ["Other: Placebo"]]
    assert s.interventions[0].other_names == ["Metreleptin"]

    r = s.results
    assert r is not None
    flow = r.participant_flow
    assert flow is not None
    assert [(g.id, g.title) for g in flow.groups] == [("P1", "Leptin"), ("P2", "Placebo")]
    period = flow.periods[0]
    assert period.title == "Overall Study"
    assert [m.type for m in period.milestones] == ["STARTED", "COMPLETED", "NOT COMPLETED"]
    completed = period.milestones[1].achievements
    assert [(a.group_id, a.num_subjects) for a in completed] == [("P1", "7"), ("P2", "5")]
    drop = period.drop_withdraws[0]
    assert drop.type == "Drug Dispensing error"
    assert [(c.group_id, c.value) for c in drop.reasons] == [("P1", "0"), ("P2", "2")]

    base = r.baseline
    assert base is not None
    assert [g.id for g in base.groups] == ["B1", "B2", "B3"]
    assert base.groups[2].title == "Total"
    assert [(c.group_id, c.value) for c in base.denoms[0].counts] == [
        ("B1", "7"),
        ("B2", "7"),
        ("B3", "14"),
    ]
    age = base.measures[1]
    assert (age.title, age.param_type, age.dispersion_type, age.unit_of_measure) == (
        "Age",
        "MEAN",
        "STANDARD_DEVIATION",
        "years",
    )
    b1 = age.classes[0].categories[0].measurements[0]
    assert (b1.group_id, b1.value, b1.spread) == ("B1", "50.4", "10.4")
    assert [c.title for c in base.measures[0].classes[0].categories] == [
        "<=18 years",
        "Between 18 and 65 years",
        ">=65 years",
    ]

    tg = r.outcome_measures[0]
    assert (tg.type, tg.title, tg.time_frame) == (
        "PRIMARY",
        "Fasting Serum Triglycerides",
        "6 months",
    )
    assert (tg.param_type, tg.dispersion_type, tg.unit_of_measure) == (
        "MEDIAN",
        "Full Range",
        "mg/dL",
    )
    assert [g.id for g in tg.groups] == ["O1", "O2"]
    assert [(c.group_id, c.value) for c in tg.denoms[0].counts] == [("O1", "7"), ("O2", "5")]
    o1 = tg.classes[0].categories[0].measurements[0]
    assert (o1.value, o1.lower_limit, o1.upper_limit) == ("237", "122", "439")
    analysis = tg.analyses[0]
    assert analysis.group_ids == ["O1", "O2"]
    assert (analysis.non_inferiority_type, analysis.p_value) == ("SUPERIORITY", "0.84")
    assert analysis.statistical_method == "Mixed Models Analysis"

    ae = r.adverse_events
    assert ae is not None
    assert (ae.frequency_threshold, ae.time_frame) == ("5", "6 months")
    e1, e2 = ae.groups
    assert (e1.id, e1.title) == ("E1", "Leptin")
    assert (e1.serious_num_affected, e1.serious_num_at_risk) == (1, 7)
    assert (e1.other_num_affected, e1.other_num_at_risk) == (4, 7)
    assert (e1.deaths_num_affected, e1.deaths_num_at_risk) == (0, 7)
    assert (e2.serious_num_affected, e2.serious_num_at_risk) == (0, 5)
    # the "Total" rows are group counts, not events
    assert all(e.organ_system != "Total" for e in ae.serious_events + ae.other_events)
    event = ae.serious_events[0]
    assert (event.term, event.organ_system) == (
        "cerebrovascular accident",
        "Nervous system disorders",
    )
    assert event.assessment_type == "NON_SYSTEMATIC_ASSESSMENT"
    assert event.notes == "Mild cerebrovascular event"
    assert [(x.group_id, x.num_events, x.num_affected, x.num_at_risk) for x in event.stats] == [
        ("E1", 1, 1, 7),
        ("E2", 0, 0, 5),
    ]

    info = r.more_info
    assert info is not None
    assert info.certain_agreement is not None
    assert info.certain_agreement.startswith(
        "Principal Investigators are NOT employed by the organization sponsoring the study.\n"
        "The only disclosure restriction on the PI"
    )
    assert info.point_of_contact == (
        "Dr. Abhimanyu Garg, UT Southwestern Medical Center, "
        "abhimanyu.garg@utsouthwestern.edu, 214-648-2895"
    )


def test_open_ended_age_month_dates_and_combined_phase() -> None:
    s = study("NCT00004492")
    assert s.design.phases == ["PHASE1", "PHASE2"]
    assert (s.design.study_type, s.design.allocation) == ("INTERVENTIONAL", "RANDOMIZED")
    assert (s.design.enrollment_count, s.design.enrollment_type) == (20, "ESTIMATED")
    start = s.status.start_date
    assert start is not None
    assert (start.value, start.precision, start.text, start.type) == (
        "1999-10",
        "month",
        "October 1999",
        None,
    )
    assert s.status.completion_date is not None
    assert s.status.completion_date.value == "2001-09"
    assert s.status.primary_completion_date is None
    posted = s.status.first_posted
    assert posted is not None
    assert (posted.value, posted.precision, posted.type) == ("1999-10-19", "day", "ESTIMATED")
    el = s.eligibility
    assert el.minimum_age is not None
    assert (el.minimum_age.text, el.minimum_age.days) == ("18 Years", 6574)
    assert el.maximum_age is None  # "N/A": no upper limit
    assert el.std_ages == ["ADULT", "OLDER_ADULT"]
    assert (el.sex, el.healthy_volunteers) == ("ALL", False)
    # <source> is the data provider; its class is unknown unless a sponsor has that name
    assert s.identification.organization is not None
    assert s.identification.organization.model_dump() == {
        "name": "FDA Office of Orphan Products Development",
        "org_class": None,
    }
    assert s.sponsors.lead_sponsor is not None
    assert s.sponsors.lead_sponsor.org_class == "OTHER"
    assert [m.term for m in s.intervention_mesh] == ["Clotrimazole", "Miconazole", "Hydroxyurea"]
    assert all(m.id is None for m in s.condition_mesh + s.intervention_mesh)
    assert s.arms == [] and s.outcomes == []
    assert s.brief_summary == (
        "OBJECTIVES:\n\nI. Compare the efficacy of hydroxyurea with or without clotrimazole in "
        "terms of limiting the severity of anemia and the rate of hemolysis in patients with "
        "sickle cell anemia."
    )


def test_locations_with_investigators_and_contacts() -> None:
    s = study("NCT00494689")
    assert (s.status.overall_status, s.status.last_known_status) == ("UNKNOWN", "RECRUITING")
    assert s.status.completion_date is not None
    assert s.status.completion_date.type == "ESTIMATED"
    first, second = s.locations
    assert first.model_dump() == {
        "facility": "Devathasan Neurology Practice #11-16 MEMC",
        "status": "RECRUITING",
        "city": "Singapore",
        "state": None,
        "zip": "228510",
        "country": "Singapore",
        "geo": None,
        "contacts": [
            {
                "name": "Devathasan Gobinathan, FRCP MD",
                "role": "PRINCIPAL_INVESTIGATOR",
                "phone": None,
                "phone_ext": None,
                "email": None,
            }
        ],
    }
    assert [(c.name, c.role, c.phone, c.email) for c in second.contacts] == [
        ("Gobinathan Devathasan, FRCP", "CONTACT", "65-97304401", "devathasan@msn.com")
    ]
    assert [(c.name, c.role) for c in s.central_contacts] == [
        ("Devathasan Gobinathan, FRCP,MD", "CONTACT"),
        ("Weng Kiong Ow Yong, Bsc", "CONTACT"),
    ]
    official = s.overall_officials[0]
    assert (official.name, official.role) == ("Weng Kiong Aw Yong, Bsc (QUT)", "STUDY_CHAIR")
    assert [(r.type, r.pmid) for r in s.references] == [("BACKGROUND", None)]
    assert s.eligibility.minimum_age is None and s.eligibility.maximum_age is None
    assert s.eligibility.std_ages == ["CHILD", "ADULT", "OLDER_ADULT"]


def test_observational_study() -> None:
    s = study("NCT00461721")
    d = s.design
    assert (d.study_type, d.observational_model, d.phases) == ("OBSERVATIONAL", "CASE_CONTROL", [])
    assert d.allocation is None and d.masking is None and d.patient_registry is None
    el = s.eligibility
    assert (el.study_population, el.sampling_method) == ("x", "NON_PROBABILITY_SAMPLE")
    assert el.maximum_age is not None and el.maximum_age.text == "65 Years"
    assert el.std_ages == ["ADULT", "OLDER_ADULT"]
    assert s.status.primary_completion_date is not None
    assert s.status.primary_completion_date.model_dump() == {
        "value": "2007-01",
        "precision": "month",
        "text": "January 2007",
        "type": "ACTUAL",
    }
    assert s.oversight.has_dmc is False
    assert s.oversight.is_fda_regulated_drug is None


def test_nested_criteria_keep_their_bullets_and_depth() -> None:
    s = study("NCT00004464")
    text = s.eligibility.criteria_text
    assert text is not None
    assert text.startswith(
        "PROTOCOL ENTRY CRITERIA:\n\n--Disease Characteristics--\n\n"
        "  -  Acquired severe aplastic anemia or paroxysmal nocturnal hemoglobinuria\n\n"
    )
    assert (
        "  -  Must meet one of the following criteria:\n\n"
        "       -  Severe aplastic anemia\n\n"
        "            -  Less than 25% bone marrow cellularity and depression in two of three "
        "blood counts (reticulocytes less than 40,000/mm3\n\n"
    ) in text
    assert "\r" not in text and "&#xD;" not in text
    assert s.eligibility.maximum_age is not None and s.eligibility.maximum_age.text == "70 Years"
    assert s.eligibility.std_ages == ["CHILD", "ADULT", "OLDER_ADULT"]
    assert s.status.completion_date is not None
    assert (s.status.completion_date.value, s.status.completion_date.precision) == (
        "2008-11-11",
        "day",
    )
    assert (s.oversight.is_fda_regulated_drug, s.oversight.is_fda_regulated_device) == (True, False)
    assert [x.id for x in s.identification.secondary_ids] == [
        "96-01-17-02",
        "JHOC-96011702",
        "JHOC-9611",
        "199/13895",
    ]
    assert s.sponsors.responsible_party is not None
    assert s.sponsors.responsible_party.type == "SPONSOR"


def test_arms_masking_links_and_ipd_statement() -> None:
    s = study("NCT05381142")
    d = s.design
    assert (d.allocation, d.intervention_model, d.primary_purpose) == (
        "RANDOMIZED",
        "PARALLEL",
        "BASIC_SCIENCE",
    )
    assert (d.masking, d.who_masked) == ("SINGLE", ["PARTICIPANT"])
    assert d.masking_description == "The study will be performed with a participant-blinded design."
    assert [(a.label, a.type, a.intervention_names) for a in s.arms] == [
        ("Elinzanetant (BAY3427080)", "EXPERIMENTAL", ["Drug: Elinzanetant (BAY3427080)"]),
        ("Placebo", "PLACEBO_COMPARATOR", ["Drug: Placebo"]),
    ]
    assert s.interventions[0].arm_labels == ["Elinzanetant (BAY3427080)"]
    assert [o.kind for o in s.outcomes] == ["primary"] * 4 + ["secondary"]
    assert s.outcomes[1].description == (
        "AUC(0-tlast) will be used as the main parameter if AUC cannot be reliably determined"
    )
    el = s.eligibility
    assert (el.sex, el.healthy_volunteers, el.std_ages) == (
        "FEMALE",
        True,
        ["ADULT", "OLDER_ADULT"],
    )
    assert [link.url for link in s.see_also_links] == ["https://clinicaltrials.bayer.com/"]
    assert s.ipd_sharing is not None and s.ipd_sharing.plan == "NO"
    assert s.status.start_date is not None
    assert (s.status.start_date.value, s.status.start_date.type) == ("2022-05-23", "ACTUAL")
    assert s.brief_summary is not None
    assert "To answer this question, the researchers will measure:\n\n  -  The (average)" in (
        s.brief_summary
    )


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xml")), ids=lambda p: p.stem)
def test_fixture_round_trips_through_the_model(path: Path) -> None:
    s = normalize_xml(path.read_text(encoding="utf-8"))
    assert s.nct_id == path.stem
    assert Study.model_validate(s.model_dump()) == s
    assert all(loc.geo is None for loc in s.locations)


# --------------------------------------------------------------------------- values


def test_code_and_text_helpers() -> None:
    assert phase_codes("Phase 2/Phase 3") == ["PHASE2", "PHASE3"]
    assert phase_codes("N/A") == ["NA"] and phase_codes("Early Phase 1") == ["EARLY_PHASE1"]
    assert masking_codes("None (Open Label)") == ("NONE", [])
    assert masking_codes("Double Blind (Subject, Caregiver, Investigator, Outcomes Assessor)") == (
        "DOUBLE",
        ["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR", "OUTCOMES_ASSESSOR"],
    )
    assert masking_codes("Open Label") == ("NONE", [])
    assert to_code("Active, not recruiting") == "ACTIVE_NOT_RECRUITING"
    assert to_code("Some New Registry Value!") == "SOME_NEW_REGISTRY_VALUE"  # kept, not dropped
    assert std_ages("6 Months", "17 Years") == ["CHILD"]
    assert std_ages("216 Months", "64 Years") == ["ADULT"]  # 216 months is 18 years
    assert std_ages("65 Years", None) == ["OLDER_ADULT"]
    assert clean_textblock("\n   One\r\n   two\r\n\r\n     -  a\r\n        b\r\n  ") == (
        "One two\n\n  -  a b"
    )


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("<nct_id>NCT00461721</nct_id>", "<nct_id>NCT123</nct_id>", "clinical_study/id_info/nct_id"),
        ("<start_date>December 2006</start_date>", "<start_date>Someday</start_date>", "clinical_study/start_date"),
        ("<minimum_age>18 Years</minimum_age>", "<minimum_age>adult</minimum_age>", "clinical_study/eligibility/minimum_age"),
        ('<enrollment type="Anticipated">20</enrollment>', "<enrollment>about 20</enrollment>", "clinical_study/enrollment"),
        ("<healthy_volunteers>No</healthy_volunteers>", "<healthy_volunteers>Maybe</healthy_volunteers>", "clinical_study/eligibility/healthy_volunteers"),
        ("<has_dmc>No</has_dmc>", "<has_dmc>Perhaps</has_dmc>", "clinical_study/oversight_info/has_dmc"),
    ],
)  # fmt: skip
def test_bad_values_name_the_element(old: str, new: str, field: str) -> None:
    text = raw("NCT00461721")
    assert old in text
    with pytest.raises(RecordError) as err:
        normalize_xml(text.replace(old, new))
    assert err.value.field == field


# --------------------------------------------------------------------------- safety


def _normalize_within(text: str, seconds: float = 10.0) -> BaseException | None:
    """Run normalize_xml in a thread: the error it raised, or a failure if it hangs."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            normalize_xml(text)
            outcome.append(None)
        except BaseException as exc:  # reported to the test, whatever it is
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "normalize_xml did not return"
    return outcome[0]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info>
<brief_title>&lol9;</brief_title></clinical_study>
"""


@pytest.mark.parametrize(
    "text",
    [
        BILLION_LAUGHS,
        '<?xml version="1.0"?>\n<!DOCTYPE clinical_study SYSTEM "file:///etc/passwd">\n'
        "<clinical_study><id_info><nct_id>NCT00000102</nct_id></id_info></clinical_study>",
        '<!DOCTYPE clinical_study [<!ENTITY x SYSTEM "http://example.invalid/x">]>'
        "<clinical_study><brief_title>&x;</brief_title></clinical_study>",
        "<!-- a comment first -->\n<!doctype clinical_study>\n<clinical_study/>",
    ],
    ids=["billion-laughs", "external-doctype", "external-entity", "lowercase-doctype"],
)
def test_doctype_and_entity_declarations_are_refused(text: str) -> None:
    error = _normalize_within(text)
    assert isinstance(error, RecordError)
    assert (error.field, error.message) == ("xml", "DOCTYPE/entity declarations are not allowed")


def test_real_document_with_a_doctype_is_refused() -> None:
    text = raw("NCT00461721").replace(
        "<clinical_study>",
        '<!DOCTYPE clinical_study [<!ENTITY n "NCT00461721">]>\n<clinical_study>',
        1,
    )
    error = _normalize_within(text)
    assert isinstance(error, RecordError) and error.field == "xml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<clinical_study><id_info></clinical_study>", "mismatched tag"),
        (raw("NCT00461721")[:2000], "no element found"),
        (
            "<clinical_study><brief_title>&undefined;</brief_title></clinical_study>",
            "undefined entity",
        ),
        ("", "no element found"),
    ],
    ids=["mismatched", "truncated", "undefined-entity", "empty"],
)
def test_malformed_xml_is_a_record_error(text: str, message: str) -> None:
    error = _normalize_within(text)
    assert isinstance(error, RecordError)
    assert error.field == "xml" and message in error.message


def test_wrong_root_is_a_record_error() -> None:
    with pytest.raises(RecordError, match="expected <clinical_study>"):
        normalize_xml('<studies><clinical_study rank="1"/></studies>')


# --------------------------------------------------------------------------- corpus


@pytest.mark.slow
def test_every_shared_xml_record_normalizes() -> None:
    if not SHARED_XML.is_file():
        pytest.skip(f"shared data not present: {SHARED_XML}")
    count = with_results = 0
    failures: list[str] = []
    with gzip.open(SHARED_XML, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            count += 1
            try:
                s = normalize_xml(record["xml"])
            except RecordError as exc:
                failures.append(f"{record['nct_id']}: {exc}")
                continue
            assert s.nct_id == record["nct_id"]
            with_results += s.has_results
            assert s.has_results == (s.results is not None)
    assert failures == []
    assert count == 6909
    assert with_results == 469
