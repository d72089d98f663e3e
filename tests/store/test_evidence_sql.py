"""Evidence queries for the patient summary: other trials of the same treatment, indexed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from trialatlas.features.patient_summary import patient_summary
from trialatlas.model.results import AdverseEvents, EventGroup, Results
from trialatlas.model.study import Intervention, MeshTerm, PartialDate, Study
from trialatlas.normalize.ctgov_v2 import normalize_v2
from trialatlas.sample import sample_dir
from trialatlas.sources.records import RawRecord
from trialatlas.store import open_store
from trialatlas.store.base import Store
from trialatlas.store.sqlite.evidence import column_match, completed_with_results_sql

SEED = "NCT06001853"


def seed_study() -> Study:
    data = json.loads((sample_dir() / f"{SEED}.json").read_text())
    return normalize_v2(data)


def variant(base: Study, nct_id: str, name: str, condition: str, status: str, results: bool,
            completed: str | None = None, mesh: str | None = None) -> Study:  # fmt: skip
    study = base.model_copy(deep=True)
    study.identification.nct_id = nct_id
    study.identification.brief_title = f"Trial {nct_id}"
    study.interventions = [Intervention(name=name, type="BIOLOGICAL")]
    study.intervention_mesh = [MeshTerm(term=mesh)] if mesh else []
    study.conditions = [condition]
    study.condition_mesh = []
    study.status.overall_status = status
    study.status.completion_date = (
        PartialDate(value=completed, precision="day", text=completed) if completed else None
    )
    study.has_results = results
    return study


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    base = seed_study()
    studies = [
        base,
        variant(
            base, "NCT90000001", "BM-MSC infusion", "Low Back Pain", "COMPLETED", True, "2020-05-01"
        ),
        variant(
            base,
            "NCT90000002",
            "Allogeneic BM-MSCs",
            "Knee Osteoarthritis",
            "COMPLETED",
            True,
            "2022-01-15",
        ),
        variant(base, "NCT90000003", "BM-MSC", "Low Back Pain", "RECRUITING", False),
        variant(base, "NCT90000004", "BM-MSC", "Low Back Pain", "COMPLETED", False, "2019-01-01"),
        variant(
            base,
            "NCT90000005",
            "Stem cells",
            "Low Back Pain",
            "COMPLETED",
            True,
            "2021-01-01",
            mesh="BM-MSC",
        ),  # fmt: skip
        variant(base, "NCT90000006", "Saline", "Low Back Pain", "COMPLETED", True, "2023-01-01"),
    ]
    studies[1].results = Results(
        adverse_events=AdverseEvents(
            groups=[
                EventGroup(id="E1", title="BM-MSC", serious_num_affected=2, serious_num_at_risk=10),
                EventGroup(id="E2", title="Saline", serious_num_affected=1, serious_num_at_risk=12),
            ]
        )
    )
    path = Path(tmp_path_factory.mktemp("evidence")) / "evidence.db"
    opened = open_store(str(path))
    for study in studies:
        text = study.model_dump_json()
        raw = RawRecord(
            source="test",
            position=study.nct_id,
            format="ctgov_v2",
            text=text,
            data=json.loads(text),
        )
        opened.write_study(study, raw)
    yield opened
    opened.close()


def test_completed_trials_with_results_of_the_same_treatment(store: Store) -> None:
    total, trials = store.trials_with_results(["BM-MSC"], exclude=SEED, limit=5)
    assert total == 3
    # newest completion first; recruiting and results-less trials are left out; MeSH names count
    assert [t.nct_id for t in trials] == ["NCT90000002", "NCT90000005", "NCT90000001"]
    assert trials[0].title == "Trial NCT90000002"
    assert trials[0].completion_date == "2022-01-15"
    total, trials = store.trials_with_results(["BM-MSC"], exclude=SEED, limit=1)
    assert total == 3 and len(trials) == 1


def test_counts_by_treatment_and_condition(store: Store) -> None:
    assert store.count_intervention_trials(["BM-MSC"], ["Low Back Pain"], exclude=SEED) == 4
    assert store.count_intervention_trials(["BM-MSC"], ["Low Back Pain"]) == 5  # the seed itself
    assert store.count_intervention_trials(["BM-MSC"], ["Knee Osteoarthritis"]) == 1
    assert store.count_intervention_trials(["BM-MSC"], [], exclude=SEED) == 5
    assert store.count_intervention_trials(["no such thing"], ["Low Back Pain"]) == 0


def test_hostile_terms_are_words_only(store: Store) -> None:
    hostile = ['x") OR interventions : *', "NEAR(a b)", "'; DROP TABLE studies; --", "   "]
    assert store.trials_with_results(hostile, exclude=None, limit=5)[0] == 0
    assert store.count_intervention_trials(hostile, hostile) == 0
    assert store.trials_with_results([], exclude=None)[0] == 0


def test_match_expression_quotes_every_phrase() -> None:
    assert column_match("interventions", ["BM-MSC", "bm msc", "Mesenchymal (stem) cells"]) == (
        'interventions : ("bm msc" OR "mesenchymal stem cells")'
    )
    assert column_match("conditions", ["", "!!"]) is None


def test_the_full_text_index_is_read_first(store: Store) -> None:
    plan = store.execute(  # type: ignore[attr-defined]
        "EXPLAIN QUERY PLAN " + completed_with_results_sql(), ('interventions : ("bm msc")', "", 5)
    ).fetchall()
    steps = [row[-1] for row in plan]
    first_table = next(s for s in steps if s.startswith(("SCAN", "SEARCH")))
    assert "studies_fts" in first_table


def test_serious_events_are_summed_over_groups(store: Store) -> None:
    events = store.serious_events(["NCT90000001", "NCT90000002", "NCT00000000"])
    assert list(events) == ["NCT90000001"]  # the others posted no adverse events
    assert (events["NCT90000001"].affected, events["NCT90000001"].at_risk) == (3, 22)
    assert store.serious_events([]) == {}


def test_the_patient_summary_cites_the_other_trials(store: Store) -> None:
    study = store.get_study(SEED)
    assert study is not None
    summary = patient_summary(store, study)
    evidence = next(a for a in summary.answers if a.id == "evidence")
    assert "The registry holds 3 finished trials of BM-MSC that posted results." in evidence.text
    assert [i.nct_id for i in evidence.items] == ["NCT90000002", "NCT90000005", "NCT90000001"]
    assert "They do not prove that the treatment works." in evidence.text
    safety = next(a for a in summary.answers if a.id == "safety")
    sentence = next(s for s in safety.sentences if "serious side effect" in s.text)
    assert sentence.text == (
        "In 1 finished trial of BM-MSC that posted results, 2 of 10 participants given the "
        "treatment had a serious side effect."
    )  # the saline comparison group (1 of 12) is not added in (issue 12)
    assert sentence.sources == ["store:NCT90000001.results.adverse_events"]
    differences = next(a for a in summary.answers if a.id == "differences")
    assert "4 other trials in the registry test BM-MSC for low back pain." in differences.text
