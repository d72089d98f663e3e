"""The full registry page and its JSON twin, checked against every section and fact of seed 001.

``data/seed_001_registry_page.txt`` is the reference page (the seed) for NCT06001853;
the store behind ``client`` is built from the bundled sample record of that trial.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SEED_ID = "NCT06001853"
DETAILS = f"/trials/{SEED_ID}/details"
API = f"/api/trials/{SEED_ID}"
SEED_PAGE = Path(__file__).parent / "data" / "seed_001_registry_page.txt"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Headings of seed 001, in order.
SEED_HEADINGS = [
    "Study Results",
    "Basic Information",
    "Brief Summary",
    "Related Clinical Trials",
    "Detailed Description",
    "Conditions",
    "Study Design",
    "Study Groups",
    "Interventions",
    "Eligibility Criteria",
    "Sponsors",
    "Responsible Party",
    "Principal Investigators",
    "Locations",
    "Countries",
    "Related Links",
    "Other Identifiers",
    "More Related Trials",
]
# The registry nests these bullets under the item before them (the seed page flattens them).
NESTED = {
    "Chronic low back pain is defined as the following:": [
        "Low back pain for at least 6 months;",
        "Failed at least 3 months of conservative back pain care.",
        "Have at a minimum undergone supervised physical therapy,",
        "Low back pain of at least 30mm and not more than 90mm of 100mm",
        "ODI score of at least 20 and no more than 90 on a 100-point percentage scale.",
    ],
    "Any lumbar facet intra-articular injection including steroids": [
        "Contrast medium (diagnostic injection);",
        "Nerve-blocking anesthetics (e.g., lidocaine, bupivacaine);",
        "Antibiotics;",
        "Saline;",
        "NSAIDs.",
    ],
}
RESULTS_MESSAGE = (
    "The study team has not published outcome measurements, participant flow, or safety "
    "data for this trial yet. Check back later for updates."
)


def seed_lines() -> list[str]:
    return [line.strip() for line in SEED_PAGE.read_text(encoding="utf-8").splitlines()]


def seed_criteria() -> tuple[list[str], list[str]]:
    """Inclusion and exclusion criteria as the seed page lists them ("\\>" shown as ">")."""
    lines = seed_lines()
    start = lines.index("Inclusion Criteria")
    middle = lines.index("Exclusion Criteria")
    end = lines.index("18 Years")

    def items(chunk: list[str]) -> list[str]:
        return [
            line.removeprefix("* ").replace("\\>", ">") for line in chunk if line.startswith("* ")
        ]

    return items(lines[start + 1 : middle]), items(lines[middle + 1 : end])


def seed_blurbs() -> dict[str, str]:
    """The one-line explanation under each seed heading."""
    lines = seed_lines()
    return {h: lines[lines.index(h) + 1] for h in SEED_HEADINGS if h != "Study Results"}


@pytest.fixture(scope="module")
def page(client, parse_html: Callable[[str], Any]) -> Any:
    response = client.get(DETAILS)
    assert response.status_code == 200
    return parse_html(response.text)


@pytest.fixture(scope="module")
def api_body(client) -> dict:
    response = client.get(API)
    assert response.status_code == 200
    return response.json()


def section(page: Any, section_id: str) -> Any:
    return page.find("section", id=section_id)


def facts(node: Any) -> dict[str, str]:
    """``<dt>label</dt><dd>value</dd>`` pairs inside ``node``."""
    out = {}
    for fact in node.find_all("div", cls="fact"):
        out[fact.find("dt").text] = fact.find("dd").text
    return out


# --- HTTP -------------------------------------------------------------------------------


def test_details_page_is_html_and_advertises_its_json_twin(client) -> None:
    response = client.get(DETAILS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert (
        response.headers["link"]
        == f'</api/trials/{SEED_ID}>; rel="alternate"; type="application/json"'
    )


def test_lowercase_nct_id_redirects_to_the_canonical_page(client) -> None:
    response = client.get(DETAILS.lower(), follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == DETAILS


# --- every section and fact of seed 001 ---------------------------------------------------


def test_header_title_nct_id_last_updated(page: Any) -> None:
    head = page.find("header", cls="page-head")
    assert page.find("h1").text == "Allogeneic BM-MSC's in Patients With Lumbar Facet Arthropathy"
    assert "NCT ID: NCT06001853" in head.text
    assert "Last Updated: 2026-01-13" in head.text


def test_sections_follow_seed_order_with_their_explanations(page: Any) -> None:
    titles = [s.find("h2").text for s in page.find("div", cls="sections").find_all("section")]
    positions = [titles.index(h) for h in SEED_HEADINGS]
    assert positions == sorted(positions), titles
    # A full registry page also lists the outcome measures, right after the interventions.
    assert titles.index("Outcome Measures") == titles.index("Interventions") + 1
    blurbs = seed_blurbs()
    for sec in page.find("div", cls="sections").find_all("section"):
        title = sec.find("h2").text
        if title in blurbs:
            assert sec.find("p", cls="section__blurb").text == blurbs[title]


def test_related_slots_show_the_related_trials(page: Any, api_body: dict) -> None:
    for slot, key in (("related", "related"), ("more-related", "more_related")):
        assert "hidden" not in section(page, slot).attrs
        shown = [a.attrs["href"] for a in section(page, slot).find_all("a")]
        assert shown == [f"/trials/{t['nct_id']}/details" for t in api_body[key]]
    toc = page.find("nav", cls="toc").text
    assert "Related Clinical Trials" in toc and "Eligibility Criteria" in toc


def test_results_not_published_message(page: Any) -> None:
    assert section(page, "results").find("p", cls="notice").text == RESULTS_MESSAGE


def test_basic_information(page: Any) -> None:
    values = facts(section(page, "basic-information"))
    assert values["Status"] == "Active, not recruiting"
    assert values["Phase"] == "Phase 2"
    # seed 001 gives no actual/estimated types: none are shown (never invented)
    assert values["Enrollment"] == "40 participants"
    assert values["Study type"] == "Interventional"
    assert values["Start date"] == "2023-11-03"
    assert values["Completion date"] == "2026-07-31"
    assert values["Last update posted"] == "2026-01-13"
    assert "Primary completion date" not in values


def test_brief_summary_and_conditions(page: Any) -> None:
    summary = section(page, "brief-summary").text
    assert "evaluate the safety and effect of bone marrow-derived stem cells" in summary
    chips = [li.text for li in section(page, "conditions").find("ul", cls="chips").find_all("li")]
    assert chips == ["Lumbar Facet Arthropathy", "Low Back Pain"]


def test_study_design(page: Any) -> None:
    values = facts(section(page, "study-design"))
    assert values["Allocation"] == "Randomized"
    assert values["Intervention model"] == "Crossover"
    assert values["Primary purpose"] == "Treatment"
    assert values["Masking"] == "Triple"  # seed 001 does not say who is masked


def test_study_groups_with_their_interventions(page: Any) -> None:
    cards = section(page, "study-groups").find_all("article")
    assert [c.find("h3").text for c in cards] == ["Arm A Treatment", "Arm B: DMSO Crossover"]
    arm_a, arm_b = cards
    assert (
        "single set of intra-articular injections of allogeneic, culture-expanded BM-MSCs"
        in arm_a.text
    )
    assert "BM-MSC injection" in arm_a.find("ul", cls="sublist").text
    assert (
        "10 x 106 in 1 ml per facet joint for a total of 2 joints"
        in arm_a.find("ul", cls="sublist").text
    )
    assert "Participants in Arm B will receive a DMSO injection." in arm_b.text
    assert "DSMO Injection" in arm_b.find("ul", cls="sublist").text
    assert "re-assigned to Arm A: treatment then be followed for 12 months" in arm_b.text


def test_interventions(page: Any) -> None:
    cards = section(page, "interventions").find_all("article")
    assert [c.find("h3").text for c in cards] == ["BM-MSC injection", "DSMO Injection"]
    assert [c.find("span", cls="tag").text for c in cards] == ["Biological", "Drug"]
    assert "for a total of 2 joints" in cards[0].text
    assert "After 6 months, patients randomized to Arm B: DMSO will be unblinded" in cards[1].text


def test_outcome_measures_section_says_the_record_lists_none(page: Any) -> None:
    outcomes = section(page, "outcome-measures")  # seed 001 shows no outcome measures
    assert "The registry record lists no outcome measures." in outcomes.text
    assert not outcomes.find_all("p", cls="outcome__measure")


def _criteria_items(page: Any, kind: str) -> list[Any]:
    block = section(page, "eligibility").find("div", cls=f"criteria--{kind}")
    return block.find_all("li")


def _item_text(li: Any) -> str:
    return li.own_text


@pytest.mark.parametrize("kind", ["inclusion", "exclusion"])
def test_every_criterion_of_the_seed_is_listed(page: Any, kind: str) -> None:
    expected = seed_criteria()[0 if kind == "inclusion" else 1]
    shown = [_item_text(li) for li in _criteria_items(page, kind)]
    assert shown == expected
    heading = section(page, "eligibility").find("div", cls=f"criteria--{kind}").find("h3").text
    assert heading == ("Inclusion Criteria" if kind == "inclusion" else "Exclusion Criteria")


def test_sub_bullets_are_nested_lists(page: Any) -> None:
    items = _criteria_items(page, "inclusion") + _criteria_items(page, "exclusion")
    nested_texts = {text for subs in NESTED.values() for text in subs}
    for li in items:
        parent_li = next((a for a in li.ancestors() if a.tag == "li"), None)
        text = _item_text(li)
        sub = next((s for s in nested_texts if text.startswith(s)), None)
        if sub is None:
            assert parent_li is None, f"{text!r} should be a top-level criterion"
            continue
        assert parent_li is not None, f"{text!r} should be nested"
        assert li.parent is not None and li.parent.tag == "ul" and li.parent.parent is parent_li
        owner = next(o for o, subs in NESTED.items() if sub in subs)
        assert _item_text(parent_li).startswith(owner)


def test_registry_escapes_are_shown_as_plain_characters(page: Any) -> None:
    text = section(page, "eligibility").text
    assert "spondylolisthesis > Grade II" in text
    assert "\\>" not in text


def test_eligibility_facts(page: Any) -> None:
    values = facts(section(page, "eligibility"))
    assert values["Minimum age"] == "18 Years"
    assert values["Maximum age"] == "No maximum"
    assert values["Sex"] == "All"
    assert values["Accepts healthy volunteers"] == "No"


def test_sponsor_responsible_party_and_investigator(page: Any) -> None:
    sponsor = section(page, "sponsors")
    assert sponsor.find("p", cls="person__name").text == "Mayo Clinic"
    assert "Organization type: Other" in sponsor.text
    party = section(page, "responsible-party")
    assert party.find("p", cls="person__name").text == "Wenchun Qu"
    assert party.find("p", cls="person__role").text == "Principal Investigator"
    pi = section(page, "investigators")
    assert pi.find("p", cls="person__name").text == "Wenchun Qu, MD, PhD"
    assert pi.find("p", cls="person__role").text == "Role: Principal Investigator"
    assert "Mayo Clinic" in pi.find("p", cls="person__meta").text


def test_locations_and_countries(page: Any) -> None:
    site = section(page, "locations").find("li", cls="site")
    assert site.find("p", cls="site__facility").text == "Mayo Clinic in Florida"
    assert site.find("p", cls="site__place").text == "Jacksonville, Florida, United States"
    assert [li.text for li in section(page, "countries").find_all("li")] == ["United States"]


def test_related_links_and_other_identifiers(page: Any) -> None:
    link = section(page, "related-links").find("a")
    assert link.text == "Mayo Clinic Clinical Trials"
    assert link.attrs["href"].startswith("https://")
    ident = section(page, "other-identifiers").find("li", cls="identifier")
    assert ident.find("p", cls="identifier__id").text == "21-013278"
    assert "Identifier Type: -" in ident.text
    assert "Identifier Source: org_study_id" in ident.text


# --- JSON twin -------------------------------------------------------------------------------


def test_json_twin_carries_the_record_and_the_labelled_page(client, api_body: dict) -> None:
    response = client.get(API)
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["link"] == f'<{DETAILS}>; rel="alternate"; type="text/html"'
    body = api_body
    assert body["nct_id"] == SEED_ID
    assert body["patient_summary"]["nct_id"] == SEED_ID
    assert 0 < len(body["related"]) <= 5 and SEED_ID not in {t["nct_id"] for t in body["related"]}
    study = body["study"]
    assert study["identification"]["nct_id"] == SEED_ID
    assert study["status"]["overall_status"] == "ACTIVE_NOT_RECRUITING"
    assert study["design"]["phases"] == ["PHASE2"]
    assert study["design"]["enrollment_count"] == 40
    assert body["header"]["last_updated"] == "2026-01-13"
    assert body["results"] == {"posted": False, "message": RESULTS_MESSAGE, "tables": None}


def test_json_twin_matches_the_page_facts(api_body: dict) -> None:
    basic = {f["label"]: f["value"] for f in api_body["basic_information"]}
    assert basic["Status"] == "Active, not recruiting"
    assert basic["Phase"] == "Phase 2"
    assert basic["Enrollment"] == "40 participants"
    assert basic["Study type"] == "Interventional"
    assert basic["Start date"] == "2023-11-03"
    assert basic["Completion date"] == "2026-07-31"
    design = {f["label"]: f["value"] for f in api_body["study_design"]}
    assert design["Masking"] == "Triple"
    assert [a["label"] for a in api_body["study_groups"]] == [
        "Arm A Treatment",
        "Arm B: DMSO Crossover",
    ]
    assert [i["name"] for i in api_body["interventions"]] == ["BM-MSC injection", "DSMO Injection"]
    eligibility = {f["label"]: f["value"] for f in api_body["eligibility"]["facts"]}
    assert (eligibility["Minimum age"], eligibility["Sex"]) == ("18 Years", "All")
    assert eligibility["Accepts healthy volunteers"] == "No"
    kinds = [s["kind"] for s in api_body["eligibility"]["criteria"]]
    assert kinds == ["inclusion", "exclusion"]
    inclusion = api_body["eligibility"]["criteria"][0]["blocks"][0]["items"]
    chronic = next(i for i in inclusion if i["text"].startswith("Chronic low back pain is defined"))
    assert chronic["children"][0]["items"][0]["text"] == "Low back pain for at least 6 months;"
    assert api_body["sponsors"][0] == {
        "name": "Mayo Clinic",
        "role": "Lead sponsor",
        "class_code": "OTHER",
        "class_label": "Other",
    }
    assert api_body["investigators"][0]["role_label"] == "Principal Investigator"
    assert api_body["locations"][0]["place"] == "Jacksonville, Florida, United States"
    assert api_body["countries"] == ["United States"]
    assert api_body["identifiers"][0]["source"] == "org_study_id"
    assert [s["id"] for s in api_body["sections"]][:3] == [
        "results",
        "basic-information",
        "brief-summary",
    ]


# --- unknown trials ---------------------------------------------------------------------------


@pytest.mark.parametrize("nct_id", ["NCT00000000", "not-an-id", "NCT1234"])
def test_unknown_trial_is_a_friendly_404_page(client, nct_id: str) -> None:
    response = client.get(f"/trials/{nct_id}/details")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Trial not found" in response.text
    assert "Traceback" not in response.text
    assert 'role="search"' in response.text


@pytest.mark.parametrize("nct_id", ["NCT00000000", "not-an-id"])
def test_unknown_trial_is_a_json_404(client, nct_id: str) -> None:
    response = client.get(f"/api/trials/{nct_id}")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "not_found"
    # a well-formed NCT ID is named; anything else is never echoed back (issue 14)
    assert (nct_id in body["error"]["message"]) == nct_id.startswith("NCT")
