"""The plain-language tools of the patient summary: glossary, readability, small text rules."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from trialatlas.features.patient_summary.criteria_items import (
    _fallback_windows,
    find_windows,
    window_phrase,
)
from trialatlas.features.patient_summary.glossary import load_glossary, parse_glossary
from trialatlas.features.patient_summary.naming import tidy_intervention_name, uninvert
from trialatlas.features.patient_summary.prose import split_sentences, strip_label, title_case
from trialatlas.features.patient_summary.readability import count_syllables, fk_grade, text_stats


def test_glossary_file_has_hundreds_of_unique_terms() -> None:
    raw = json.loads((resources.files("trialatlas") / "data" / "glossary.json").read_text("utf-8"))
    terms = [e["term"] for e in raw["entries"]]
    assert len(terms) >= 300
    assert len({t.lower() for t in terms}) == len(terms)
    assert all(e["lay"].strip() for e in raw["entries"])
    assert {e.get("use", "replace") for e in raw["entries"]} == {"replace", "explain"}


@pytest.mark.parametrize(
    ("term", "lay"),
    [
        ("arthropathy", "joint disease"),
        ("allogeneic", "from a donor"),
        ("mesenchymal stem cells", "stem cells that can become bone, cartilage or fat cells"),
        ("randomized", "assigned to a group by chance"),
        ("placebo", "a look-alike with no active medicine"),
        ("crossover", "groups switch treatments partway through"),
        ("intra-articular", "into the joint"),
        ("fluoroscopic", "using live X-ray images"),
        ("hypertension", "high blood pressure"),
    ],
)
def test_glossary_knows_common_terms(term: str, lay: str) -> None:
    entry = load_glossary().lookup(term)
    assert entry is not None and entry.lay == lay


def test_replace_terms_keep_sentence_case_and_articles() -> None:
    g = load_glossary()
    assert g.plain("Hypertension is common.") == "High blood pressure is common."
    assert g.plain("It is an arthropathy of the spine.") == "It is a joint disease of the spine."
    assert g.plain("Subjects with renal impairment") == "People with poor kidney function"


def test_explain_terms_are_explained_once() -> None:
    g = load_glossary()
    seen: set[str] = set()
    first = g.plain("allogeneic cells and allogeneic donors", seen)
    assert first == "allogeneic (from a donor) cells and allogeneic donors"
    assert g.plain("allogeneic again", seen) == "allogeneic again"


def test_terms_do_not_match_inside_names_or_the_wrong_case() -> None:
    g = load_glossary()
    assert g.plain("BM-MSCs in vials") == "BM-MSCs (stem cells taken from bone marrow) in vials"
    assert "stem cell" not in g.plain("XBM-MSCsY")
    assert g.plain("the alt key") == "the alt key"  # "ALT" (a liver test) is case-sensitive
    assert g.plain("ALT above normal") == "ALT (a liver test) above normal"


def test_running_name_lowers_only_everyday_words() -> None:
    g = load_glossary()
    assert g.running_name("Low Back Pain") == "low back pain"
    assert g.running_name("HIV Infections") == "HIV infections"
    assert g.running_name("Parkinson Disease") == "Parkinson disease"


def test_bad_glossary_entries_are_refused() -> None:
    with pytest.raises(ValueError, match="use must be"):
        parse_glossary('{"entries": [{"term": "x", "lay": "y", "use": "shout"}]}')
    with pytest.raises(ValueError, match="required"):
        parse_glossary('{"entries": [{"term": "x", "lay": ""}]}')


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("cat", 1), ("table", 2), ("medicine", 3), ("injection", 3), ("people", 2), ("safety", 2),
     ("serious", 3), ("allogeneic", 5), ("diabetes", 4), ("MRI", 3), ("12", 1), ("well-known", 2)],
)  # fmt: skip
def test_syllable_counter(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_flesch_kincaid_formula() -> None:
    stats = text_stats(["The cat sat on the mat."])
    assert (stats.words, stats.sentences, stats.syllables) == (6, 1, 6)
    assert stats.grade == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)
    assert fk_grade([]) == 0.0
    hard = "The purpose of this investigation is to evaluate the pharmacokinetics of immunosuppressive medications."
    assert fk_grade([hard]) > 15 > fk_grade(["You can join if you are 18 or older."])


def test_sentences_labels_and_titles() -> None:
    assert split_sentences("Dr. Smith leads it. It uses e.g. saline. The end") == [
        "Dr. Smith leads it.",
        "It uses e.g. saline.",
        "The end",
    ]
    assert strip_label("PURPOSE: Phase II trial to study X.") == "Phase II trial to study X."
    assert title_case("BM-MSC injection for low back pain") == "BM-MSC Injection for Low Back Pain"
    assert title_case("botulinum toxin type A") == "Botulinum Toxin Type A"


@pytest.mark.parametrize(
    ("name", "tidy"),
    [
        ("Biological: BM-MSC injection", "BM-MSC Injection"),
        (
            "Drug: Poziotinib Once Daily Dosing or Twice Daily Dosing as determined in Phase 1",
            "Poziotinib",
        ),
        ("Metformin 500 mg tablets", "Metformin"),
        (
            "Other: Superficial cervical plexus block for experimental group",
            "Superficial Cervical Plexus Block",
        ),
        (
            "Angioplasty, Transluminal, Percutaneous Coronary, Other Catheter-Based Interventions",
            "Angioplasty",
        ),
    ],
)
def test_intervention_names_are_tidied(name: str, tidy: str) -> None:
    assert tidy_intervention_name(name) == tidy


def test_mesh_terms_are_read_in_reading_order() -> None:
    assert uninvert("Lupus Erythematosus, Systemic") == "Systemic Lupus Erythematosus"
    assert uninvert("Low Back Pain") == "Low Back Pain"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Taking anti-rheumatic medication within 3 months prior to study enrollment.",
         "within 3 months before enrollment"),
        ("Epidural steroid injections within 4 weeks prior to treatment injection.",
         "within 4 weeks before the first study treatment"),
        ("Antiretroviral agents within 60 days of study entry.", "within 60 days before enrollment"),
        ("Low back pain for at least 6 months;", "for at least 6 months"),
    ],
)  # fmt: skip
def test_time_windows_in_plain_words(text: str, phrase: str) -> None:
    assert window_phrase(find_windows(text)[0]) == phrase
    assert window_phrase(_fallback_windows(text)[0]) == phrase  # the parser-free rules agree
