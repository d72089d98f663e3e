"""The reads every store backend answers alike: a study and its raw record by NCT ID,
and, each through the backend's own query modules, the listing of the
ClinicalTrials.gov-compatible API and the FHIR search and the evidence for the patient
summary. The mixin :class:`SharedReads` of both backends' reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from trialatlas.model.study import Study
from trialatlas.store.base import EvidenceTrial, SeriousEvents, StoredRecord, TextHit
from trialatlas.store.listing import StudyListPage, StudyListQuery
from trialatlas.store.listing_sql import ListingSql
from trialatlas.store.prepared import decode_study, decode_text
from trialatlas.store.sql_text import Params


def text_hit(row: Sequence[Any], conditions: list[str]) -> TextHit:
    """A full-text hit from a row ``(nct_id, title, overall_status, phases, rank)``
    (phases: codes joined by ``|``; rank: lower is better)."""
    nct_id, title, status, phases, rank = row[:5]
    codes = phases.split("|") if phases else []
    return TextHit(nct_id, title, status, codes, conditions, score=-float(rank))


class EvidenceQueries(Protocol):
    """A backend's evidence module (``store/<backend>/evidence.py``); ``store`` is the
    backend's reads."""

    def trials_with_results(
        self, store: Any, intervention_terms: Sequence[str], exclude: str | None, limit: int
    ) -> tuple[int, list[EvidenceTrial]]: ...

    def count_intervention_trials(
        self,
        store: Any,
        intervention_terms: Sequence[str],
        condition_terms: Sequence[str],
        exclude: str | None,
    ) -> int: ...

    def serious_events(self, store: Any, nct_ids: Sequence[str]) -> dict[str, SeriousEvents]: ...


class SharedReads:
    """Reads in the backend's ``_params`` spelling, or answered by its ``_listing`` and
    ``_evidence``; the class that mixes it in runs queries
    (:class:`trialatlas.store.sql_text.Rows`, and what its evidence module asks)."""

    _params: ClassVar[type[Params]]
    _listing: ClassVar[ListingSql]
    _evidence: ClassVar[EvidenceQueries]

    if TYPE_CHECKING:

        def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]: ...

    # -- studies and raw records --
    def get_study(self, nct_id: str) -> Study | None:
        p = self._params()
        found = self.rows(
            f"SELECT document FROM studies WHERE nct_id = {p.add('id', nct_id)}", p.values
        )
        return decode_study(found[0][0]) if found else None

    def get_raw(self, nct_id: str) -> StoredRecord | None:
        p = self._params()
        found = self.rows(
            "SELECT nct_id, format, source, checksum, last_update_posted, loaded_at, body"
            f" FROM raw_records WHERE nct_id = {p.add('id', nct_id)}",
            p.values,
        )
        if not found:
            return None
        nct, fmt, source, checksum, last_update, loaded_at, body = found[0]
        text = decode_text(body)
        return StoredRecord(nct, fmt, source, checksum, text, last_update, loaded_at)

    def iter_nct_ids(self) -> list[str]:
        return [r[0] for r in self.rows("SELECT nct_id FROM studies ORDER BY nct_id")]

    def latest_update_posted(self) -> str | None:
        found = self.rows("SELECT max(last_update_posted) FROM studies")
        return found[0][0] if found else None

    # -- ClinicalTrials.gov-compatible API and FHIR search (store/listing_sql.py) --
    def list_studies(
        self,
        query: StudyListQuery,
        after: Sequence[Any] | None,
        limit: int,
        count_total: bool = False,
    ) -> StudyListPage:
        return self._listing.list_studies(self, query, after, limit, count_total)

    # -- evidence for the patient summary (store/<backend>/evidence.py) --
    def trials_with_results(
        self, intervention_terms: Sequence[str], exclude: str | None = None, limit: int = 5
    ) -> tuple[int, list[EvidenceTrial]]:
        return self._evidence.trials_with_results(self, intervention_terms, exclude, limit)

    def count_intervention_trials(
        self,
        intervention_terms: Sequence[str],
        condition_terms: Sequence[str],
        exclude: str | None = None,
    ) -> int:
        return self._evidence.count_intervention_trials(
            self, intervention_terms, condition_terms, exclude
        )

    def serious_events(self, nct_ids: Sequence[str]) -> dict[str, SeriousEvents]:
        return self._evidence.serious_events(self, nct_ids)
