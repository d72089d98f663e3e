"""The text a study's vector is made from, and its checksum (unchanged text, no re-embedding).

Title; conditions; interventions; the start of the brief summary, in that order, so
the model (which reads its first :data:`~trialatlas.index.embedding.MAX_TOKENS`
tokens) always sees the research focus and then as much of the summary as fits.
The same text comes from a :class:`~trialatlas.model.study.Study` or from the
store's :class:`~trialatlas.store.base.StudyText` rows (no study decoded).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from trialatlas.model.study import Study
from trialatlas.store.base import StudyText

# Characters of the brief summary kept: past MAX_TOKENS (64, ~250 characters with the
# title) the model never reads them, and an edit far into a summary then changes no vector.
SUMMARY_CHARS = 300
_SPACE = re.compile(r"\s+")


def embedding_text(study: Study) -> str:
    """The text embedded for ``study``."""
    return compose_text(
        study.title,
        study.conditions,
        [iv.name for iv in study.interventions],
        study.brief_summary,
    )


def stored_embedding_text(row: StudyText) -> str:
    """The same text from the store's row (equal to ``embedding_text`` of its study)."""
    title = row.brief_title or row.official_title or row.nct_id
    return compose_text(title, row.conditions, row.interventions, row.summary)


def compose_text(
    title: str, conditions: Sequence[str], interventions: Sequence[str], summary: str | None
) -> str:
    """``Title. Condition, condition. Intervention, intervention. Summary start``."""
    parts = [_clean(title)]
    for names in (conditions, interventions):
        unique = list(dict.fromkeys(_clean(n) for n in names if n and n.strip()))
        if unique:
            parts.append(", ".join(unique))
    if summary and summary.strip():
        parts.append(_start(_clean(summary), SUMMARY_CHARS))
    return ". ".join(p.rstrip(".") for p in parts if p)


def text_checksum(text: str) -> str:
    """A short, stable checksum of an embedding text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _start(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]
