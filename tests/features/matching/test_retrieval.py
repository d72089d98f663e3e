"""Candidate retrieval: the keyword query built from what was understood, and rank fusion."""

from __future__ import annotations

from trialatlas.features.matching.patient_facts import Finding, PatientFacts
from trialatlas.features.matching.query import build_query
from trialatlas.features.matching.retrieve import RRF_K, fuse


def _finding(name: str, status: str, text: str | None = None) -> Finding:
    return Finding(text=text or name, name=name, status=status)  # type: ignore[arg-type]


def test_fusion_prefers_a_trial_several_retrievers_like() -> None:
    fused = fuse(
        {"keywords": ["A", "B", "C"], "dense": ["C", "D"]}, {"keywords": 1.0, "dense": 1.0}
    )
    assert [c.nct_id for c in fused][:1] == ["C"]
    assert fused[0].ranks == {"keywords": 3, "dense": 1}
    assert abs(fused[0].fused - (1 / (RRF_K + 3) + 1 / (RRF_K + 1))) < 1e-12
    assert {c.nct_id for c in fused} == {"A", "B", "C", "D"}


def test_fusion_of_nothing_is_empty_and_ties_are_stable() -> None:
    assert fuse({}) == []
    fused = fuse({"keywords": ["B"], "conditions": ["A"]}, {"keywords": 1.0, "conditions": 1.0})
    assert [c.nct_id for c in fused] == ["A", "B"]


def test_only_the_patients_own_findings_become_keywords() -> None:
    facts = PatientFacts(
        age=55,
        conditions=[
            _finding("low back pain", "present", "LBP"),
            _finding("diabetes mellitus", "absent"),
            _finding("breast cancer", "family"),
            _finding("myocardial infarction", "history", "MI"),
            _finding("pneumonia", "possible"),
        ],
    )
    query = build_query(facts)
    assert "low back pain" in query.terms and "myocardial infarction" in query.terms
    assert "LBP" in query.terms  # as written, beside the normalized name
    for excluded in ("diabetes mellitus", "breast cancer", "pneumonia"):
        assert excluded not in query.terms and excluded not in query.dense_text
    # present conditions lead and weigh more than a single mention
    assert query.terms.count("low back pain") > 1
    assert query.dense_text.startswith("low back pain")


def test_a_child_gets_paediatric_terms_and_no_expansion_keeps_names_only() -> None:
    facts = PatientFacts(age=8, conditions=[_finding("pneumonia", "present", "PNA")])
    query = build_query(facts, expand=False)
    assert "pediatric" in query.terms and "PNA" not in query.terms
