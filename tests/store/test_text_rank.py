"""Ranked OR-queries over the full-text index (the retrieval stage of matching)."""

from __future__ import annotations

import pytest

from trialatlas.store import open_store
from trialatlas.store.sqlite.text_rank import any_terms_match


def test_terms_become_quoted_phrases_or_ed() -> None:
    assert any_terms_match(["low back pain", "facet"]) == '"low back pain" OR "facet"'
    assert any_terms_match(['x" OR NOT y', "(", ""]) == '"x or not y"'
    assert any_terms_match(["", "  ", "()"]) is None


def test_columns_restrict_and_unknown_column_is_refused() -> None:
    assert any_terms_match(["knee"], ["title", "conditions"]) == '{title conditions} : ("knee")'
    with pytest.raises(ValueError, match="no such full-text column"):
        any_terms_match(["knee"], ["title; DROP"])


def test_any_term_matches_and_the_seed_trial_ranks_first(seed_store_path: str) -> None:
    store = open_store(seed_store_path)
    try:
        hits = store.rank_text(["facet", "mesenchymal stem cells", "zzzzunknownword"], 5)
        assert hits and hits[0][0] == "NCT06001853"
        assert all(a[1] >= b[1] for a, b in zip(hits, hits[1:], strict=False))
        assert store.rank_text(["zzzzunknownword"], 5) == []
        # a term given twice weighs more: the trial it favours does not fall
        twice = store.rank_text(["facet", "facet", "cancer"], 50)
        once = store.rank_text(["facet", "cancer"], 50)
        assert dict(twice)["NCT06001853"] > dict(once)["NCT06001853"]
        only_title = store.rank_text(["facet"], 5, columns=["title"])
        assert "NCT06001853" in {n for n, _ in only_title}
    finally:
        store.close()


def test_document_frequencies_count_trials_by_the_index_s_own_stems(seed_store_path: str) -> None:
    store = open_store(seed_store_path)
    try:
        counts = store.text_document_frequencies(["facet", "Facets", "zzzzunknownword", ""])
        assert set(counts) == {"facet", "Facets", "zzzzunknownword"}
        assert counts["facet"] >= 1 and counts["facet"] == counts["Facets"]  # one stem
        assert counts["zzzzunknownword"] == 0
        assert counts["facet"] == len(store.rank_text(["facet"], 1000))
        assert store.text_document_frequencies([]) == {}
    finally:
        store.close()
