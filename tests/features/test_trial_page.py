"""``build_trial_page`` / ``results_tables``: labels, dates, links and results, without a store."""

from __future__ import annotations

import json
import re
from pathlib import Path

from trialatlas.features.results_tables import measurement_text, results_tables
from trialatlas.features.trial_page import (
    RESULTS_NOT_IN_RECORD,
    RESULTS_NOT_POSTED,
    SECTIONS,
    RelatedTrial,
    build_trial_page,
    canonical_nct_id,
)
from trialatlas.features.trial_sections import safe_url
from trialatlas.model.codes import label
from trialatlas.model.results import Measurement
from trialatlas.model.study import (
    Age,
    Design,
    Eligibility,
    Identification,
    Link,
    Organization,
    PartialDate,
    Reference,
    ResponsibleParty,
    SecondaryId,
    Sponsors,
    Status,
    Study,
)
from trialatlas.normalize.ctgov_v2 import normalize_v2

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def make_study(**parts: object) -> Study:
    values: dict[str, object] = {
        "source_format": "ctgov_v2",
        "identification": Identification(nct_id="NCT01234567", brief_title="A study"),
    }
    values.update(parts)
    return Study(**values)  # type: ignore[arg-type]


def facts(items: list) -> dict[str, tuple[str, str | None]]:
    return {f.label: (f.value, f.note) for f in items}


def test_labels_dates_with_precision_and_open_ended_ages() -> None:
    study = make_study(
        status=Status(
            overall_status="RECRUITING",
            start_date=PartialDate(value="2023-11", precision="month", text="November 2023"),
            completion_date=PartialDate(
                value="2026-07-31", precision="day", text="2026-07-31", type="ESTIMATED"
            ),
        ),
        design=Design(
            study_type="INTERVENTIONAL",
            phases=["PHASE1", "PHASE2"],
            masking="NONE",
            enrollment_count=1,
            enrollment_type="ACTUAL",
        ),
        eligibility=Eligibility(minimum_age=Age(text="6 Months", days=182), sex="FEMALE"),
    )
    page = build_trial_page(study)
    basic = facts(page.basic_information)
    assert basic["Status"] == ("Recruiting", None)
    assert basic["Phase"] == ("Phase 1/Phase 2", None)
    assert basic["Enrollment"] == ("1 participant", "Actual")
    assert basic["Start date"] == ("2023-11", None)
    assert basic["Completion date"] == ("2026-07-31", "Estimated")
    assert facts(page.study_design)["Masking"] == ("None (Open Label)", None)
    masked = Design(masking="TRIPLE", who_masked=["PARTICIPANT", "CARE_PROVIDER", "INVESTIGATOR"])
    triple = build_trial_page(make_study(design=masked))
    assert facts(triple.study_design)["Masking"] == (
        "Triple (Participant, Care Provider, Investigator)", None,
    )  # fmt: skip
    eligibility = facts(page.eligibility.facts)
    assert eligibility["Minimum age"] == ("6 Months", None)
    assert eligibility["Maximum age"] == ("No maximum", None)
    assert eligibility["Sex"] == ("Female", None)
    assert eligibility["Accepts healthy volunteers"] == ("Not stated", None)


def test_links_are_checked_and_references_link_to_pubmed() -> None:
    study = make_study(
        see_also_links=[
            Link(url="javascript:alert(1)", label="bad"),
            Link(url="https://example.org/a"),
        ],
        references=[Reference(pmid="12345678", citation="Doe J. A paper.", type="RESULT")],
        identification=Identification(
            nct_id="NCT01234567",
            org_study_id="ABC-1",
            secondary_ids=[
                SecondaryId(id="R01 CA1", type="NIH", link="https://reporter.nih.gov/x"),
                SecondaryId(id="X", link="data:text/html,hi"),
            ],
        ),
    )
    page = build_trial_page(study)
    assert [(link.label, link.url) for link in page.see_also_links] == [
        ("bad", None),
        ("https://example.org/a", "https://example.org/a"),
    ]
    ref = page.references[0]
    assert (ref.url, ref.type_label) == ("https://pubmed.ncbi.nlm.nih.gov/12345678/", "Result")
    ids = [(i.id, i.type_label, i.source, i.link) for i in page.identifiers]
    assert ids == [
        ("ABC-1", "-", "org_study_id", None),
        (
            "R01 CA1",
            label("secondary_id_type", "NIH"),
            "secondary_id",
            "https://reporter.nih.gov/x",
        ),
        ("X", "-", "secondary_id", None),
    ]
    assert safe_url("ftp://example.org") is None and safe_url("https:///nohost") is None


def test_sponsor_as_responsible_party_and_results_messages() -> None:
    study = make_study(
        sponsors=Sponsors(
            lead_sponsor=Organization(name="Acme Pharma", org_class="INDUSTRY"),
            collaborators=[Organization(name="NCI", org_class="NIH")],
            responsible_party=ResponsibleParty(type="SPONSOR"),
        ),
        has_results=True,
    )
    page = build_trial_page(study)
    assert page.responsible_party is not None
    assert (page.responsible_party.name, page.responsible_party.role_label) == (
        "Acme Pharma",
        "Sponsor",
    )
    assert [(o.name, o.role, o.class_label) for o in page.sponsors] == [
        ("Acme Pharma", "Lead sponsor", "Industry"),
        ("NCI", "Collaborator", "NIH"),
    ]
    assert page.results.message == RESULTS_NOT_IN_RECORD
    assert build_trial_page(make_study()).results.message == RESULTS_NOT_POSTED


def test_sections_follow_the_registry_page_and_related_slots_show_when_filled() -> None:
    page = build_trial_page(make_study())
    assert [s.id for s in page.sections] == [sid for sid, _, _ in SECTIONS]
    assert {s.id for s in page.sections if s.hidden} == {"related", "more-related"}
    filled = build_trial_page(make_study(), related=[RelatedTrial(nct_id="NCT00000001", title="X")])
    assert {s.id for s in filled.sections if s.hidden} == {"more-related"}


def test_canonical_nct_id() -> None:
    assert canonical_nct_id(" nct06001853 ") == "NCT06001853"
    assert canonical_nct_id("NCT0600185") is None
    assert canonical_nct_id("06001853") is None


def test_results_tables_from_a_real_record() -> None:
    record = json.loads((FIXTURES / "v2" / "NCT01768676.json").read_text(encoding="utf-8"))
    study = normalize_v2(record)
    assert study.results is not None
    tables = results_tables(study.results)
    flow = tables.participant_flow[0]
    assert [c.title for c in flow.columns] == ["Avanafil", "Placebo"]
    assert flow.rows[0].label == "Started"
    assert flow.rows[0].cells == ["90", "91"]
    assert tables.baseline and tables.baseline[0].rows
    posted = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    assert [t.title for t in tables.outcome_measures] == [m["title"] for m in posted]
    assert tables.outcome_measures[0].subtitle == "Primary outcome"
    overview = tables.adverse_events[0]
    serious = next(r for r in overview.rows if r.label == "Total, serious adverse events")
    assert serious.cells == ["0/90 (0.00%)", "1/91 (1.10%)"]


def test_measurement_text_keeps_posted_values() -> None:
    assert measurement_text(Measurement(group_id="G", value="12.5", spread="3.1")) == "12.5 (3.1)"
    assert (
        measurement_text(Measurement(group_id="G", value="4", lower_limit="1", upper_limit="9"))
        == "4 (1 to 9)"
    )
    assert measurement_text(Measurement(group_id="G")) == "—"


def test_registry_markdown_escapes_are_dropped_from_the_page(bundled_store_path: str) -> None:
    """API v2 text escapes markdown (``aged \\>18 years``); the page shows plain text,
    the stored Study keeps the registry's text."""
    from trialatlas.features.trial_page import trial_page
    from trialatlas.store import open_store

    store = open_store(bundled_store_path)
    try:
        for nct in ("NCT01108900", "NCT03355963", "NCT03895671"):
            page = trial_page(store, nct, with_patient_summary=False)
            assert page is not None
            text = page.model_dump_json(exclude={"study"})
            assert not re.search(r"\\\\[<>*\[\]~]", text), nct
            assert re.search(r"\\\\[<>*\[\]~]", page.study.model_dump_json()), nct  # as stored
        page = trial_page(store, "NCT01108900", with_patient_summary=False)
        assert page is not None and ">18 years" in page.model_dump_json(exclude={"study"})
    finally:
        store.close()


def test_a_confidence_interval_without_bounds_says_so() -> None:
    from trialatlas.features.results_tables import _ci_text

    assert _ci_text("95", "0.2", "1.4") == "95% CI 0.2 to 1.4"
    assert _ci_text("95", None, "1.4") == "95% CI not given to 1.4"
    assert _ci_text("95", None, None) is None
    assert _ci_text(None, "0.2", "1.4") is None
