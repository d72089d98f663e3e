"""TrialGPT-format trials → minimal ClinicalTrials.gov API v2 study JSON (for the bench stores).

The benchmark data (``../shared/data/trials/trialgpt_format_trials.jsonl.gz``) carries
the judged trials that the bundled sample lacks only in the flattened TrialGPT schema
(title, summary, diseases, drugs, phase, enrollment, inclusion/exclusion text). Each is
turned into the smallest API v2 study the ingest accepts; nothing is invented: a value
the TrialGPT record does not hold (status, ages, sex, sites, intervention type) is left
out, and the overall status is ``UNKNOWN``.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

_PHASES = {
    "early phase 1": "EARLY_PHASE1",
    "phase 0": "EARLY_PHASE1",
    "phase 1": "PHASE1",
    "phase 2": "PHASE2",
    "phase 3": "PHASE3",
    "phase 4": "PHASE4",
    "n/a": "NA",
}
_PHASE_RE = re.compile(r"early phase 1|phase [0-4]|n/a", re.IGNORECASE)
_HEADING_RE = re.compile(r"^\s*(?:(?:key\s+)?(?:inclusion|exclusion)\s+criteria)?\s*:?\s*", re.I)
_NCT_RE = re.compile(r"^NCT\d{8}$")


def phases(text: str) -> list[str]:
    """``"Phase 1/Phase 2"`` → ``["PHASE1", "PHASE2"]``; no phase → ``[]``."""
    out: list[str] = []
    for match in _PHASE_RE.finditer(text or ""):
        code = _PHASES[match.group(0).lower()]
        if code not in out:
            out.append(code)
    return out


def criteria_lines(text: str) -> list[str]:
    """The criteria of one part as lines: the leading "inclusion criteria:" (or a bare
    ":", as TrialGPT leaves it) removed, blank lines dropped, whitespace collapsed."""
    body = _HEADING_RE.sub("", text or "", count=1)
    lines = [" ".join(line.split()) for line in body.splitlines()]
    return [line for line in lines if line]


def _criteria_block(lines: list[str]) -> str:
    """Registry layout: a heading line stays a line, every other line is a ``*`` bullet."""
    return "\n".join(line if line.endswith(":") else f"* {line}" for line in lines)


def eligibility_text(inclusion: str, exclusion: str) -> str | None:
    """``"Inclusion Criteria:\\n...\\nExclusion Criteria:\\n..."``, or None when both are empty."""
    inc, exc = criteria_lines(inclusion), criteria_lines(exclusion)
    if not inc and not exc:
        return None
    parts: list[str] = []
    if inc:
        parts.append("Inclusion Criteria:\n\n" + _criteria_block(inc))
    if exc:
        parts.append("Exclusion Criteria:\n\n" + _criteria_block(exc))
    return "\n\n".join(parts)


def _enrollment(value: Any) -> int | None:
    try:
        count = int(float(value))
    except (TypeError, ValueError):
        return None
    return count if count >= 0 else None


def _names(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    out: list[str] = []
    for value in values:
        name = " ".join(str(value).split())
        if name and name not in out:
            out.append(name)
    return out


def trialgpt_fields(record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(nct_id, fields)`` of a wrapped TrialGPT line (either of its two layouts)."""
    doc = record.get("doc") or {}
    fields = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else doc
    nct_id = record.get("nct_id") or doc.get("_id") or doc.get("NCT_ID") or ""
    return str(nct_id), dict(fields or {}, title=doc.get("title") or fields.get("brief_title"))


def trialgpt_to_v2(record: dict[str, Any]) -> dict[str, Any]:
    """One TrialGPT line → a minimal API v2 study (``protocolSection`` only).

    Raises ValueError when the record has no NCT ID or no title (nothing to load).
    """
    nct_id, f = trialgpt_fields(record)
    if not _NCT_RE.match(nct_id):
        raise ValueError(f"not an NCT ID: {nct_id[:20]!r}")
    title = " ".join(str(f.get("title") or "").split())
    if not title:
        raise ValueError(f"{nct_id}: no title")
    section: dict[str, Any] = {
        "identificationModule": {"nctId": nct_id, "briefTitle": title},
        "statusModule": {"overallStatus": "UNKNOWN"},
    }
    summary = (f.get("brief_summary") or "").replace("~", "\n").strip()
    if summary:
        section["descriptionModule"] = {"briefSummary": summary}
    conditions = _names(f.get("diseases_list"))
    if conditions:
        section["conditionsModule"] = {"conditions": conditions}
    design: dict[str, Any] = {}
    phase_codes = phases(str(f.get("phase") or ""))
    if phase_codes:
        design["phases"] = phase_codes
    enrollment = _enrollment(f.get("enrollment"))
    if enrollment is not None:
        design["enrollmentInfo"] = {"count": enrollment}
    if design:
        section["designModule"] = design
    drugs = _names(f.get("drugs_list"))
    if drugs:
        section["armsInterventionsModule"] = {"interventions": [{"name": d} for d in drugs]}
    criteria = eligibility_text(
        str(f.get("inclusion_criteria") or ""), str(f.get("exclusion_criteria") or "")
    )
    if criteria:
        section["eligibilityModule"] = {"eligibilityCriteria": criteria}
    return {"protocolSection": section}


def read_trialgpt(path: Path) -> Iterator[dict[str, Any]]:
    """The wrapped TrialGPT lines of ``path`` (JSONL, gzip or plain)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def write_studies(records: Iterable[dict[str, Any]], out: Path, skip: set[str]) -> tuple[int, int]:
    """Convert every record whose NCT ID is not in ``skip`` (nor seen before) and write
    the studies as gzipped JSON Lines to ``out``; returns ``(written, unusable)``, the
    unusable being records without a well-formed NCT ID or a title."""
    written, unusable, seen = 0, 0, set(skip)
    tmp = out.with_name(out.name + ".tmp")
    with gzip.open(tmp, "wb") as fh:
        for record in records:
            nct_id, _ = trialgpt_fields(record)
            if nct_id in seen:
                continue
            seen.add(nct_id)
            try:
                study = trialgpt_to_v2(record)
            except ValueError:
                unusable += 1
                continue
            fh.write(orjson.dumps(study) + b"\n")
            written += 1
    tmp.replace(out)
    return written, unusable
