"""Sentence vectors as every backend stores and reads them (one float16 row per study:
it halves the table, 768 bytes a study, and changes a cosine by less than 1e-3;
readers get float32), and the batches of study texts they are made from. No SQL here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy as np

from trialatlas.store.base import StudyText

StoredDtype = np.float16
NEXT_GENERATION = "UPDATE vector_generation SET value = value + 1 WHERE id = 1"
VECTOR_COLUMNS = ("nct_id", "model", "checksum", "vector")  # of study_vectors


def stored_rows(
    model: str, rows: Sequence[tuple[str, str, np.ndarray]]
) -> list[tuple[str, str, str, bytes]]:
    """Rows of :data:`VECTOR_COLUMNS` (the vector as stored bytes) from
    ``(nct_id, checksum, vector)`` rows."""
    return [
        (nct, model, checksum, np.asarray(vec, dtype=StoredDtype).tobytes())
        for nct, checksum, vec in rows
    ]


def read_batch(rows: Sequence[tuple[str, bytes]]) -> tuple[list[str], np.ndarray]:
    """The NCT IDs and the float32 vectors (one a row) of stored ``(nct_id, vector)`` rows."""
    ids = [r[0] for r in rows]
    data = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=StoredDtype)
    return ids, data.reshape(len(ids), -1).astype(np.float32)


def study_text(
    nct_id: str,
    brief_title: str | None,
    official_title: str | None,
    summary: str | None,
    conditions: Iterable[str] | None,
    interventions: Iterable[str] | None,
) -> StudyText:
    """A study's text fields as read from its rows (an empty summary is no summary)."""
    return StudyText(
        nct_id=nct_id,
        brief_title=brief_title,
        official_title=official_title,
        conditions=tuple(conditions or ()),
        interventions=tuple(interventions or ()),
        summary=summary or None,
    )


def study_text_batches(
    nct_ids: Sequence[str] | None,
    batch: int,
    of_ids: Callable[[list[str]], list[StudyText]],
    after: Callable[[str, int], list[StudyText]],
) -> Iterator[list[StudyText]]:
    """Text fields of studies in batches: the given ones in their order (``of_ids``
    reads those of a batch, in any order), or all by NCT ID (``after(nct_id, n)``
    reads the next ``n`` after ``nct_id``; keyset pages)."""
    if nct_ids is not None:
        for start in range(0, len(nct_ids), batch):
            chunk = list(nct_ids[start : start + batch])
            found = {text.nct_id: text for text in of_ids(chunk)}
            texts = [found[n] for n in chunk if n in found]
            if texts:
                yield texts
        return
    last = ""
    while True:
        texts = after(last, batch)
        if not texts:
            return
        last = texts[-1].nct_id
        yield texts
