"""Facts read straight from a stored study document (the compressed normalized Study
JSON), without building the whole Study: backend-neutral, no SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import zstandard

from trialatlas.store.base import BriefIntervention, SeriousEvents, StudyBrief
from trialatlas.store.site_rows import NewPoint


def serious_events_of(nct_id: str, blob: bytes) -> SeriousEvents | None:
    """The posted serious adverse events of one stored document, summed over its groups
    (None when it has no posted adverse events)."""
    document = orjson.loads(zstandard.decompress(blob))
    groups = ((document.get("results") or {}).get("adverse_events") or {}).get("groups") or []
    if not groups:
        return None
    return SeriousEvents(
        nct_id=nct_id,
        affected=sum(int(g.get("serious_num_affected") or 0) for g in groups),
        at_risk=sum(int(g.get("serious_num_at_risk") or 0) for g in groups),
        groups=len(groups),
        posted=tuple(
            (str(g.get("title") or g.get("id") or ""), g.get("serious_num_affected"),
             g.get("serious_num_at_risk"))
            for g in groups
        ),
        arms=tuple((str(a.get("label") or ""), a.get("type")) for a in document.get("arms") or []),
    )  # fmt: skip


def study_brief_of(
    nct_id: str,
    title: str,
    status: str | None,
    study_type: str | None,
    phases: str | None,
    blob: bytes,
) -> StudyBrief:
    """What the related-trials feature compares of one trial (its row and document)."""
    document: dict[str, Any] = orjson.loads(zstandard.decompress(blob))
    return study_brief_of_document(nct_id, title, status, study_type, phases, document)


def study_brief_of_document(
    nct_id: str,
    title: str,
    status: str | None,
    study_type: str | None,
    phases: str | None,
    doc: dict[str, Any],
) -> StudyBrief:
    """:func:`study_brief_of` from the document already parsed."""
    design = doc.get("design") or {}
    arm_types = {a["label"]: a.get("type") or "" for a in doc.get("arms") or ()}
    return StudyBrief(
        nct_id=nct_id,
        title=title,
        overall_status=status,
        study_type=study_type,
        phases=tuple(phases.split("|")) if phases else (),
        primary_purpose=design.get("primary_purpose"),
        conditions=tuple(doc.get("conditions") or ()),
        condition_mesh=tuple(m["term"] for m in doc.get("condition_mesh") or ()),
        intervention_mesh=tuple(m["term"] for m in doc.get("intervention_mesh") or ()),
        interventions=tuple(
            BriefIntervention(
                type=iv.get("type"),
                name=iv["name"],
                other_names=tuple(iv.get("other_names") or ()),
                arm_types=tuple(
                    arm_types[label] for label in iv.get("arm_labels") or () if label in arm_types
                ),
            )
            for iv in doc.get("interventions") or ()
        ),
    )


def relocated_document(blob: bytes, points: Sequence[NewPoint]) -> bytes:
    """The stored document with its sites' new points (a point without lat/lon drops
    the site's point; an ordinal the document has no site for is left alone)."""
    document = orjson.loads(zstandard.decompress(blob))
    locations = document.get("locations") or []
    for point in points:
        if not 0 <= point.ordinal < len(locations):
            continue
        if point.lat is None or point.lon is None:
            locations[point.ordinal].pop("geo", None)
        else:
            geo = {"lat": point.lat, "lon": point.lon, "precision": point.precision}
            locations[point.ordinal]["geo"] = geo
    return zstandard.ZstdCompressor(level=1).compress(orjson.dumps(document))
