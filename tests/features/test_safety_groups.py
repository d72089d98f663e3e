"""Issue 12, "Right figures": serious side effects are said per posted group (treatment
and comparison each named), never as a sum over groups that are not the treatment.

NCT00490919 posted a double-blind treatment group, a placebo group and an open-label
run-in group; its answer said "9 of 1563", the three groups added into one denominator.
"""

from __future__ import annotations

import re

import pytest

from trialatlas.features.patient_summary import patient_summary
from trialatlas.features.patient_summary.event_groups import (
    group_counts,
    group_role,
    treatment_counts,
)
from trialatlas.model.study import Study
from trialatlas.store import open_store
from trialatlas.store.base import Store

_FIGURE = re.compile(r"\b(\d+) of (\d+) participants\b")


def _safety(store: Store, study: Study) -> tuple[list[str], list[str]]:
    """The safety answer's sentences and its linked trials' notes."""
    summary = patient_summary(store, study)
    answer = next(a for a in summary.answers if a.id == "safety")
    return [s.text for s in answer.sentences], [i.note or "" for i in answer.items]


def check_store(path: str) -> int:
    """Every trial with posted adverse events: each "N of M participants" its safety
    answer says about its own groups is one posted group's own pair, and the figures of
    other trials never count a comparison, run-in or total group. Returns trials checked."""
    store = open_store(path)
    checked = 0
    try:
        for study in store.iter_studies():
            events = study.results.adverse_events if study.results else None
            if events is None or not any(g.serious_num_at_risk for g in events.groups):
                continue
            pairs = {(g.serious_num_affected or 0, g.serious_num_at_risk) for g in events.groups}
            sentences, notes = _safety(store, study)
            own = [s for s in sentences if "finished trial" not in s]
            said = [(int(a), int(b)) for s in own for a, b in _FIGURE.findall(s)]
            assert said, (study.nct_id, sentences)
            assert set(said) <= pairs, (study.nct_id, said, pairs)
            for note in notes:
                if _FIGURE.search(note):
                    assert "given the treatment" in note, (study.nct_id, note)
            checked += 1
    finally:
        store.close()
    return checked


def test_every_trial_with_posted_results_says_each_groups_own_figures(
    bundled_store_path: str,
) -> None:
    assert check_store(bundled_store_path) > 50


def test_nct00490919_names_the_treatment_and_the_placebo_group(bundled_store_path: str) -> None:
    store = open_store(bundled_store_path)
    try:
        study = store.get_study("NCT00490919")
        assert study is not None
        sentences, _ = _safety(store, study)
    finally:
        store.close()
    text = " ".join(sentences)
    assert "1563" not in text and "9 of" not in text
    assert "The treatment group “Double-blind BTDS 10, 20”: 3 of 256 participants" in text
    assert "The comparison group “Double-blind Placebo TDS 10, 20”: 2 of 283 participants" in text
    assert "“Open-label Run-in Period, BTDS 5, 10, 20”: 4 of 1024 participants" in text


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Double-blind BTDS 10, 20", "treatment"),
        ("Double-blind Placebo TDS 10, 20", "comparison"),
        ("Open-label Run-in Period, BTDS 5, 10, 20", "other"),
        ("Total", "total"),
        ("Ibuprofen", "comparison"),  # the arm of that name is an active comparator
    ],
)
def test_groups_are_told_apart(title: str, role: str) -> None:
    arms = [("Double-blind BTDS 10 or 20", "EXPERIMENTAL"), ("Ibuprofen", "ACTIVE_COMPARATOR")]
    assert group_role(title, arms) == role


def test_other_trials_count_only_their_treatment_groups() -> None:
    posted = [
        ("Drug X", 3, 100),
        ("Placebo", 5, 90),
        ("Run-in, Drug X", 7, 400),
        ("Total", 15, 590),
    ]
    counts = group_counts(posted)
    assert [c.role for c in counts] == ["treatment", "comparison", "other"]  # a total is dropped
    assert treatment_counts(counts) == (3, 100)
    assert treatment_counts(group_counts([("Placebo", 1, 10)])) is None
