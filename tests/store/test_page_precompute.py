"""What the patient and registry pages ask of the store, kept precomputed and indexed:
study briefs (related trials), the finished-with-results index (evidence), and the
full-text ranking that reads study rows for its best hits only. Real SQLite files."""

from __future__ import annotations

import copy
import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from trialatlas.ingest import ingest_paths
from trialatlas.normalize.ctgov_v2 import normalize_v2
from trialatlas.sample import sample_dir
from trialatlas.sources.records import RawRecord
from trialatlas.store import StoreError, open_store
from trialatlas.store.base import Store, StudyBrief
from trialatlas.store.fts_query import FTS_WEIGHTS
from trialatlas.store.prepared import prepare_study
from trialatlas.store.sqlite.briefs import decode_brief
from trialatlas.store.sqlite.evidence import completed_with_results_count_sql
from trialatlas.store.sqlite.schema import MIGRATIONS
from trialatlas.store.sqlite.text_rank import any_terms_match
from trialatlas.store.study_documents import study_brief_of

SEED = json.loads((sample_dir() / "NCT06001853.json").read_text())
FIXTURES = Path(__file__).parents[1] / "fixtures"


def _study(nct: str, updated: str, drug: str, status: str, results: bool, **extra: Any) -> dict:
    study = copy.deepcopy(SEED)
    protocol = study["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct
    protocol["identificationModule"]["briefTitle"] = extra.get("title", f"Trial {nct}")
    protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated
    protocol["statusModule"]["overallStatus"] = status
    protocol["statusModule"]["completionDateStruct"] = {"date": extra.get("done", "2020-01-01")}
    protocol["conditionsModule"]["conditions"] = extra.get("conditions", ["Low Back Pain"])
    protocol["armsInterventionsModule"]["interventions"] = [
        {"type": "DRUG", "name": drug, "armGroupLabels": ["Arm A Treatment"]}
    ]
    study["hasResults"] = results
    return study


def _ingest(store: Store, tmp_path: Path, name: str, studies: list[dict]) -> None:
    src = tmp_path / f"{name}.jsonl"
    src.write_text("\n".join(json.dumps(s) for s in studies) + "\n")
    summary = ingest_paths(store, [str(src)])
    assert summary.rejected == 0, summary.rejects


def _briefs_from_documents(path: Path, ids: list[str] | None = None) -> dict[str, StudyBrief]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT nct_id, coalesce(brief_title, official_title, nct_id), overall_status,"
            " study_type, phases, document FROM studies"
        ).fetchall()
    finally:
        conn.close()
    return {r[0]: study_brief_of(*r) for r in rows if ids is None or r[0] in ids}


def _raw(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(sql)
    finally:
        conn.close()


def test_stored_briefs_equal_the_documents_briefs_for_real_records(tmp_path: Path) -> None:
    path = tmp_path / "real.db"
    store = open_store(str(path))
    try:
        summary = ingest_paths(
            store,
            [str(sample_dir() / "NCT06001853.json"), str(FIXTURES / "v2"), str(FIXTURES / "xml")],
        )
        assert summary.rejected == 0
        expected = _briefs_from_documents(path)
        assert len(expected) > 5
        stored = store.execute("SELECT count(*) FROM study_briefs").fetchone()[0]  # type: ignore[attr-defined]
        assert stored == len(expected)
        assert store.study_briefs([*expected, "NCT00000000"]) == expected
    finally:
        store.close()


def test_a_replaced_study_replaces_its_brief_and_its_evidence(tmp_path: Path) -> None:
    path = tmp_path / "replace.db"
    store = open_store(str(path))
    try:
        _ingest(store, tmp_path, "first", [
            _study("NCT09200001", "2024-01-01", "Zebrafinib", "COMPLETED", True, done="2021-01-01"),
            _study("NCT09200002", "2024-01-01", "Zebrafinib", "COMPLETED", True, done="2022-01-01"),
            _study("NCT09200003", "2024-01-01", "Quokkamab", "RECRUITING", False),
        ])  # fmt: skip
        total, trials = store.trials_with_results(["zebrafinib"], None, 5)
        assert total == 2 and [t.nct_id for t in trials] == ["NCT09200002", "NCT09200001"]
        # a newer version: another drug, no longer finished with results; and one that now is
        _ingest(store, tmp_path, "second", [
            _study("NCT09200002", "2025-01-01", "Quokkamab", "TERMINATED", False,
                   title="Renamed", conditions=["Knee Osteoarthritis"]),
            _study("NCT09200003", "2025-01-01", "Zebrafinib", "COMPLETED", True, done="2023-05-01"),
        ])  # fmt: skip
        brief = store.study_briefs(["NCT09200002"])["NCT09200002"]
        assert brief.title == "Renamed" and brief.overall_status == "TERMINATED"
        assert brief.conditions == ("Knee Osteoarthritis",)
        assert [iv.name for iv in brief.interventions] == ["Quokkamab"]
        assert store.study_briefs(["NCT09200001", "NCT09200002", "NCT09200003"]) == (
            _briefs_from_documents(path, ["NCT09200001", "NCT09200002", "NCT09200003"])
        )
        total, trials = store.trials_with_results(["zebrafinib"], None, 5)
        assert total == 2 and [t.nct_id for t in trials] == ["NCT09200003", "NCT09200001"]
        assert store.trials_with_results(["zebrafinib"], "NCT09200003", 5)[0] == 1
        assert store.count_intervention_trials(["quokkamab"], ["knee osteoarthritis"], None) == 1
        assert store.count_intervention_trials(["quokkamab"], [], "NCT09200002") == 0
        assert store.count_intervention_trials(["zebrafinib"], [], "NCT00000000") == 2
        rows = store.execute("SELECT count(*) FROM study_briefs").fetchone()[0]  # type: ignore[attr-defined]
        assert rows == 3  # replaced, never added twice
    finally:
        store.close()


def test_a_store_from_before_gets_its_index_and_briefs_when_opened_for_writing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    store = open_store(str(path))
    _ingest(store, tmp_path, "old", [
        _study(f"NCT0930000{i}", "2024-01-01", f"Drug{i}", "COMPLETED", True) for i in range(4)
    ])  # fmt: skip
    store.close()
    before = len(MIGRATIONS) - 2  # the schema before the index (9) and the briefs (10)
    _raw(path, f"""
        DROP TABLE study_briefs;
        DROP INDEX studies_finished_with_results;
        PRAGMA user_version = {before};
    """)  # fmt: skip
    with pytest.raises(StoreError, match="schema version"):
        open_store(str(path), read_only=True)  # a reader cannot migrate
    store = open_store(str(path))
    try:
        assert store.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)  # type: ignore[attr-defined]
        indexes = {
            r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }  # type: ignore[attr-defined]
        assert "studies_finished_with_results" in indexes
        assert store.execute("SELECT count(*) FROM study_briefs").fetchone()[0] == 4  # type: ignore[attr-defined]
        assert store.trials_with_results(["drug2"], None, 5)[0] == 1
    finally:
        store.close()
    assert open_store(str(path), read_only=True).study_briefs(["NCT09300001"]) == (
        _briefs_from_documents(path, ["NCT09300001"])
    )


def test_a_study_without_a_stored_brief_is_read_from_its_document(tmp_path: Path) -> None:
    path = tmp_path / "partial.db"
    store = open_store(str(path))
    _ingest(store, tmp_path, "partial", [
        _study(f"NCT0940000{i}", "2024-01-01", f"Drug{i}", "COMPLETED", True) for i in range(3)
    ])  # fmt: skip
    store.close()
    _raw(path, "DELETE FROM study_briefs WHERE nct_id = 'NCT09400001'")
    reader = open_store(str(path), read_only=True)
    try:
        assert reader.study_briefs(["NCT09400000", "NCT09400001"]) == (
            _briefs_from_documents(path, ["NCT09400000", "NCT09400001"])
        )
    finally:
        reader.close()


def test_evidence_reads_the_partial_index_not_the_study_rows(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "plan.db"))
    try:
        plan = store.execute(  # type: ignore[attr-defined]
            "EXPLAIN QUERY PLAN " + completed_with_results_count_sql(),
            ('interventions : ("x")', ""),
        ).fetchall()
        steps = [row[-1] for row in plan]
        assert any("studies_finished_with_results" in s for s in steps), steps
        assert not any("PRIMARY KEY" in s for s in steps), steps
    finally:
        store.close()


def test_ranking_ties_come_out_as_if_every_hit_was_joined_then_sorted(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "ties.db"))
    try:
        # twelve trials with the same text (BM25 ties) and three that say it more often
        _ingest(store, tmp_path, "ties", [
            _study(f"NCT095000{i:02d}", "2024-01-01", "Wombatinib", "COMPLETED", True,
                   title="Wombatinib trial")
            for i in (7, 3, 11, 0, 9, 5, 1, 10, 2, 8, 4, 6)
        ] + [
            _study(f"NCT095001{i:02d}", "2024-01-01", "Wombatinib", "COMPLETED", True,
                   title="Wombatinib wombatinib trial")
            for i in range(3)
        ])  # fmt: skip
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        match = any_terms_match(["wombatinib"], ("title", "interventions"))
        reference = store.execute(  # type: ignore[attr-defined]
            f"SELECT s.nct_id, bm25(studies_fts, {weights}) AS rank FROM studies_fts"
            " JOIN studies s ON s.id = studies_fts.rowid WHERE studies_fts MATCH ?"
            " ORDER BY rank, s.nct_id",
            (match,),
        ).fetchall()
        assert len({r[1] for r in reference}) < len(reference)  # there are ties
        for limit in (1, 3, 4, 7, 15, 40):
            got = store.rank_text(["wombatinib"], limit, columns=("title", "interventions"))
            assert got == [(n, -float(r)) for n, r in reference[:limit]]
        assert store.rank_text(["no such word"], 5) == []
    finally:
        store.close()


def test_kept_counts_follow_every_write_seen_by_another_process_s_reader(tmp_path: Path) -> None:
    path = tmp_path / "kept.db"
    writer = open_store(str(path))
    _ingest(writer, tmp_path, "a", [
        _study(f"NCT0960000{i}", "2024-01-01", "Zebrafinib", "COMPLETED", True) for i in range(3)
    ])  # fmt: skip
    reader = open_store(str(path), read_only=True)
    try:
        assert reader.count_studies() == 3
        assert reader.term_document_counts("interventions", ["zebrafinib"]) == {"zebrafinib": 3}
        assert [n for n, _ in reader.term_neighbours("NCT09600000")] == [
            "NCT09600001",
            "NCT09600002",
        ]
        _ingest(writer, tmp_path, "b", [
            _study("NCT09600003", "2024-01-01", "Zebrafinib", "COMPLETED", True),
            _study("NCT09600001", "2025-01-01", "Quokkamab", "COMPLETED", True),
        ])  # fmt: skip
        assert reader.count_studies() == 4
        assert reader.term_document_counts("interventions", ["zebrafinib", "quokkamab"]) == {
            "zebrafinib": 3,
            "quokkamab": 1,
        }
        # the new trial is found (the term counts kept before the write are not used)
        neighbours = [n for n, _ in reader.term_neighbours("NCT09600000")]
        assert sorted(neighbours) == ["NCT09600001", "NCT09600002", "NCT09600003"]
        with pytest.raises(ValueError, match="no such term field"):
            reader.term_document_counts("sponsors", [])
    finally:
        reader.close()
        writer.close()


def test_a_prepared_study_without_its_brief_gets_one_worked_out_when_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bare.db"
    study = normalize_v2(_study("NCT09700001", "2024-01-01", "Wombatinib", "COMPLETED", True))
    text = json.dumps(_study("NCT09700001", "2024-01-01", "Wombatinib", "COMPLETED", True))
    prepared = prepare_study(study, RawRecord("test", "1", "ctgov_v2", text, data=json.loads(text)))
    assert prepared.brief  # prepared (by the ingest workers) with the study
    store = open_store(str(path))
    try:
        store.write_prepared(dataclasses.replace(prepared, brief=b""))
        assert store.study_briefs(["NCT09700001"]) == _briefs_from_documents(path)
        assert (
            decode_brief("NCT09700001", prepared.brief)
            == _briefs_from_documents(path)["NCT09700001"]
        )
    finally:
        store.close()
