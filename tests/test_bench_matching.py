"""bench/matching.py's parts: the metrics on hand-computed cases, the fixed split, and the
TrialGPT → API v2 conversion ingested into a real store (no ../shared data needed)."""

from __future__ import annotations

import gzip
import math
import sys
from pathlib import Path

import orjson
import pytest

from trialatlas.ingest import ingest_paths
from trialatlas.store import open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from matching import BASELINE, bm25_baseline, note_terms, run_benchmark  # noqa: E402
from matching_data import Benchmark, split_ids  # noqa: E402
from matching_metrics import (  # noqa: E402
    Scores,
    dcg,
    grade_share_at_k,
    ndcg_at_k,
    percentile,
    precision_at_k,
)
from matching_trials import (  # noqa: E402
    criteria_lines,
    phases,
    trialgpt_to_v2,
    write_studies,
)

L2_3 = math.log2(3)


def test_dcg_discounts_by_log2_of_rank_plus_one() -> None:
    assert dcg([2, 0, 1]) == pytest.approx(2 / 1 + 0 + 1 / 2)
    assert dcg([0, 2]) == pytest.approx(2 / L2_3)


def test_ndcg_graded_hand_computed() -> None:
    judged = {"A": 0, "B": 2, "C": 1, "D": 2}
    # ranked gains 0, 2, 1 → 2/log2(3) + 1/2; ideal 2, 2, 1 → 2 + 2/log2(3) + 1/2
    expected = (2 / L2_3 + 0.5) / (2 + 2 / L2_3 + 0.5)
    assert ndcg_at_k(["A", "B", "C"], judged) == pytest.approx(expected)
    assert ndcg_at_k(["A", "B", "C"], judged) == pytest.approx(0.468348, abs=1e-6)


def test_ndcg_perfect_ranking_is_one_and_unjudged_counts_zero() -> None:
    judged = {"A": 2, "B": 1}
    assert ndcg_at_k(["A", "B", "X"], judged) == pytest.approx(1.0)
    # an unjudged trial first pushes both relevant ones down one rank
    assert ndcg_at_k(["X", "A", "B"], judged) == pytest.approx((2 / L2_3 + 1 / 2) / (2 + 1 / L2_3))


def test_ndcg_cuts_at_k_and_ideal_is_cut_too() -> None:
    judged = {f"R{i}": 1 for i in range(12)}
    ranked = [f"N{i}" for i in range(10)] + ["R0"]
    assert ndcg_at_k(ranked, judged) == 0.0  # the relevant trial is 11th
    assert ndcg_at_k([f"R{i}" for i in range(10)], judged) == pytest.approx(1.0)


def test_ndcg_none_without_a_relevant_judged_trial() -> None:
    assert ndcg_at_k(["A"], {"A": 0, "B": 0}) is None
    assert ndcg_at_k(["A"], {}) is None


def test_precision_at_10_counts_missing_ranks_as_not_relevant() -> None:
    judged = {"A": 2, "B": 1, "C": 0, "D": 1}
    assert precision_at_k(["A", "B", "C", "D", "E"], judged) == pytest.approx(0.3)
    assert precision_at_k(["C"], judged) == 0.0
    assert precision_at_k(["A", "B"], judged, k=2) == 1.0


def test_grade_shares_separate_eligible_from_excluded() -> None:
    judged = {"A": 2, "B": 1, "C": 1}
    ranked = ["A", "B", "C", "Z"]
    assert grade_share_at_k(ranked, judged, 2) == pytest.approx(0.1)
    assert grade_share_at_k(ranked, judged, 1) == pytest.approx(0.2)


def test_scores_skip_an_unscorable_patient_and_average_the_rest() -> None:
    scores = Scores()
    scores.add(["A"], {"A": 1}, 0.5)
    scores.add(["B"], {"A": 1}, 1.5)
    scores.add(["A"], {"A": 0}, 9.0)
    assert scores.scored == 2 and scores.skipped == 1
    assert scores.mean(scores.ndcg) == pytest.approx(0.5)
    assert percentile([0.5, 1.5, 9.0], 95) == 9.0
    assert percentile([], 95) == 0.0


def test_split_is_exact_halves_and_independent_of_order() -> None:
    ids = [f"q-{i}" for i in range(31)]
    first = split_ids(ids)
    assert sorted(first.values()).count("tune") == 16
    assert split_ids(list(reversed(ids))) == first
    assert set(first.values()) == {"tune", "held-out"}


def test_phases_and_criteria_lines() -> None:
    assert phases("Phase 1/Phase 2") == ["PHASE1", "PHASE2"]
    assert phases("Early Phase 1") == ["EARLY_PHASE1"]
    assert phases("N/A") == ["NA"]
    assert phases("") == []
    assert criteria_lines("inclusion criteria: \n\n Adults. \n\n  BMI  < 30 ") == [
        "Adults.",
        "BMI < 30",
    ]
    assert criteria_lines(": \n\n Pregnancy \n\n") == ["Pregnancy"]


TINY = {
    "nct_id": "NCT09999991",
    "format": "trialgpt_trial_info",
    "doc": {
        "NCT_ID": "NCT09999991",
        "brief_title": "Zoledronate for Postmenopausal Osteopenia",
        "brief_summary": "A trial of zoledronate.~Second paragraph.",
        "phase": "Phase 2/Phase 3",
        "diseases_list": ["Osteopenia", "Osteopenia", "Postmenopausal Bone Loss"],
        "drugs_list": ["Zoledronic acid"],
        "enrollment": "120.0",
        "inclusion_criteria": "inclusion criteria: \n\n Women aged 50 or older \n\n T-score below -1",
        "exclusion_criteria": ": \n\n Prior bisphosphonate use \n\n ",
    },
}


def test_trialgpt_to_v2_shape() -> None:
    study = trialgpt_to_v2(TINY)["protocolSection"]
    assert study["identificationModule"] == {
        "nctId": "NCT09999991",
        "briefTitle": "Zoledronate for Postmenopausal Osteopenia",
    }
    assert study["statusModule"] == {"overallStatus": "UNKNOWN"}
    assert study["conditionsModule"]["conditions"] == ["Osteopenia", "Postmenopausal Bone Loss"]
    assert study["designModule"] == {
        "phases": ["PHASE2", "PHASE3"],
        "enrollmentInfo": {"count": 120},
    }
    assert study["eligibilityModule"]["eligibilityCriteria"] == (
        "Inclusion Criteria:\n\n* Women aged 50 or older\n* T-score below -1"
        "\n\nExclusion Criteria:\n\n* Prior bisphosphonate use"
    )
    with pytest.raises(ValueError):
        trialgpt_to_v2({"nct_id": "NCT0072802", "doc": {"brief_title": "x"}})


def test_converted_record_ingests_with_no_reject_and_bm25_finds_it(tmp_path: Path) -> None:
    source = tmp_path / "trials.jsonl.gz"
    bad = {"nct_id": "NCT123", "doc": {"brief_title": "malformed id"}}
    written, unusable = write_studies([TINY, TINY, bad], source, skip=set())
    assert (written, unusable) == (1, 1)
    with gzip.open(source, "rb") as fh:
        assert len([orjson.loads(line) for line in fh]) == 1
    store = open_store(str(tmp_path / "t.db"))
    try:
        summary = ingest_paths(store, [str(source)])
        assert (summary.loaded, summary.rejected) == (1, 0), summary.rejects
        study = store.get_study("NCT09999991")
        assert study is not None
        assert study.identification.brief_title == "Zoledronate for Postmenopausal Osteopenia"
        assert study.status.overall_status == "UNKNOWN"
        assert study.brief_summary == "A trial of zoledronate.\nSecond paragraph."
        assert study.design.phases == ["PHASE2", "PHASE3"]
        assert study.design.enrollment_count == 120
        assert study.conditions == ["Osteopenia", "Postmenopausal Bone Loss"]
        assert "Exclusion Criteria:" in (study.eligibility.criteria_text or "")
        note = "A 62-year-old woman with osteopenia; she was never given zoledronate."
        assert bm25_baseline(store, note) == ["NCT09999991"]
        assert bm25_baseline(store, "asthma in a child") == []
    finally:
        store.close()


def test_note_terms_are_distinct_words_without_stopwords() -> None:
    assert note_terms("The pain of the back, and PAIN in the leg’s nerve") == [
        "pain",
        "back",
        "leg's",
        "nerve",
    ]


def test_run_benchmark_skips_patients_without_a_relevant_trial_in_the_store(
    tmp_path: Path,
) -> None:
    source = tmp_path / "trials.jsonl.gz"
    write_studies([TINY], source, skip=set())
    store = open_store(str(tmp_path / "t.db"))
    try:
        assert ingest_paths(store, [str(source)]).rejected == 0
        bench = Benchmark(
            "toy",
            {"q1": "osteopenia after menopause", "q2": "asthma", "q3": "osteopenia"},
            {
                "q1": {"NCT09999991": 2, "NCT00000001": 2},  # the second is not in the store
                "q2": {"NCT00000001": 1},  # nothing relevant in the store: skipped
                "q3": {"NCT09999991": 0},  # judged but not relevant: skipped
            },
        )
        run = run_benchmark(
            bench, "toy", store, [(BASELINE, bm25_baseline)], ["tune", "held-out"], None
        )
    finally:
        store.close()
    assert (run.patients, run.skipped, run.judged_present) == (3, 2, 1)
    assert run.per_patient == {"q1": {BASELINE: 1.0}}
    scores = run.scores[BASELINE][bench.splits()["q1"]]
    assert scores.ndcg == [1.0] and scores.precision == [0.1]
