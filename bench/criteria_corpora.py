"""Corpus readers for ``bench/criteria.py``: Chia and LCT rows, brat annotations, gold mentions.

Reads ``../shared/data/criteria`` (bench scripts may; the product never does).
Gold types (ours on the right): Chia Condition, Drug, Procedure, Measurement,
Value, Temporal, Device, Person (→ Demographic); LCT Condition, Drug,
Procedure, Observation (→ Measurement), Age and Life-Stage-And-Gender (→
Demographic), Eq-Comparison (→ Value, or Temporal with a temporal unit, period
or recency inside).

Chia marks some criteria as a whole instead of annotating their entities
(``CHIA_LINE_LABELS``: non-representable, competing trial, informed consent,
post-eligibility …); :func:`chia_unannotated` gives those lines when they hold
no gold entity, so a report can also score only the lines Chia annotated.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "criteria"

CHIA_GOLD = {
    "Condition": "Condition",
    "Drug": "Drug",
    "Procedure": "Procedure",
    "Measurement": "Measurement",
    "Value": "Value",
    "Temporal": "Temporal",
    "Device": "Device",
    "Person": "Demographic",
}
LCT_GOLD = {
    "Condition": "Condition",
    "Drug": "Drug",
    "Procedure": "Procedure",
    "Observation": "Measurement",
    "Age": "Demographic",
    "Life-Stage-And-Gender": "Demographic",
    "Eq-Comparison": "Value",
}
_TEMPORAL_PARTS = {"Eq-Temporal-Unit", "Eq-Temporal-Period", "Eq-Temporal-Recency"}


def held_out(nct_id: str) -> bool:
    """Same split as scripts/build_criteria_lexicons.py: ~20% of trials by NCT-ID hash."""
    return int(hashlib.sha1(nct_id.encode()).hexdigest(), 16) % 5 == 0


@dataclass(frozen=True, slots=True)
class Mention:
    type: str
    start: int
    end: int
    negated: bool = False


def read_jsonl(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def brat(
    ann: str,
) -> tuple[
    dict[str, tuple[str, int, int, str]],
    list[tuple[str, dict[str, str]]],
    dict[str, list[tuple[str, str]]],
]:
    """Text-bound annotations, relations and events of a brat .ann file."""
    ents: dict[str, tuple[str, int, int, str]] = {}
    rels: list[tuple[str, dict[str, str]]] = []
    events: dict[str, list[tuple[str, str]]] = {}
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if line.startswith("T"):
            head = parts[1].split(" ", 1)
            if len(head) < 2:
                continue
            nums = [int(x) for x in re.findall(r"\d+", head[1])]
            if nums:
                ents[parts[0]] = (head[0], min(nums), max(nums), parts[2] if len(parts) > 2 else "")
        elif line.startswith("R"):
            bits = parts[1].split()
            rels.append((bits[0], dict(b.split(":", 1) for b in bits[1:] if ":" in b)))
        elif line.startswith("E"):
            events[parts[0]] = [tuple(b.split(":", 1)) for b in parts[1].split() if ":" in b]  # type: ignore[misc]
    return ents, rels, events


def chia_gold(ann: str) -> list[Mention]:
    ents, rels, _ = brat(ann)
    negated_spans = []
    for rtype, args in rels:
        if rtype == "Has_negation" and args.get("Arg1") in ents:
            _, s, e, _ = ents[args["Arg1"]]
            negated_spans.append((s, e))
    out = []
    for etype, s, e, _ in ents.values():
        gold = CHIA_GOLD.get(etype)
        if gold:
            neg = any(ns <= s and e <= ne for ns, ne in negated_spans)
            out.append(Mention(gold, s, e, neg))
    return out


def lct_gold(ann: str) -> list[Mention]:
    ents, _, events = brat(ann)
    trigger = {eid: args[0][1] for eid, args in events.items() if args}
    negated_triggers = set()
    for args in events.values():
        if args and args[0][0] == "Negation":
            for role, target in args[1:]:
                if role.startswith("Negates"):
                    negated_triggers.add(trigger.get(target, target))
    temporal_parts = [(s, e) for t, s, e, _ in ents.values() if t in _TEMPORAL_PARTS]
    out = []
    for tid, (etype, s, e, _) in ents.items():
        gold = LCT_GOLD.get(etype)
        if not gold:
            continue
        if etype == "Eq-Comparison" and any(s <= ts and te <= e for ts, te in temporal_parts):
            gold = "Temporal"
        out.append(Mention(gold, s, e, tid in negated_triggers))
    return out


def logical_form(content: str) -> tuple[str, str, str] | None:
    """``(kind, sentence, form)`` of one LCT logical form's ``content`` ("'INC'", the
    criterion sentence, its tagged version, then the query-like form), or None."""
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", content)
    if len(quoted) < 2 or quoted[0] not in ("INC", "EXC"):
        return None
    sentence = re.sub(r"\s+([,.;:)])", r"\1", quoted[1]).replace("( ", "(")
    form = "\n\n".join(content.split("\n\n")[3:])
    return ("inclusion" if quoted[0] == "INC" else "exclusion"), sentence, form


def lct_forms(data: Path) -> dict[str, list[tuple[str, str]]]:
    forms: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in read_jsonl(data / "lct" / "lct_logical_forms_dev.jsonl.gz"):
        parsed = logical_form(row["content"])
        if parsed is not None:
            forms[row["nct_id"]].append(parsed[:2])
    return forms


CHIA_LINE_LABELS = frozenset(
    {
        "Non-query-able",
        "Non-representable",
        "Post-eligibility",
        "Informed_consent",
        "Competing_trial",
        "Pregnancy_considerations",
        "Not_a_criteria",
        "Parsing_Error",
        "Context_Error",
        "Grammar_Error",
        "Subjective_judgement",
        "Undefined_semantics",
        "Intoxication_considerations",
    }
)


def chia_unannotated(txt: str, ann: str) -> list[tuple[int, int]]:
    """Lines of ``txt`` Chia labels as a whole (``CHIA_LINE_LABELS``) and annotates no entity in."""
    ents, _, _ = brat(ann)
    labelled = [(s, e) for t, s, e, _ in ents.values() if t in CHIA_LINE_LABELS]
    entities = [s for t, s, _, _ in ents.values() if t in CHIA_GOLD]
    out, pos = [], 0
    for line in txt.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if any(start <= s < end for s, _ in labelled) and not any(
            start <= s < end for s in entities
        ):
            out.append((start, end))
    return out
