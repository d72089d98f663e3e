"""Benchmark the criteria parser against Chia and the Leaf Clinical Trials corpus.

Reads ``../shared/data/criteria`` (bench scripts may; the product never does)
and prints, per corpus and per part (held-out trials, the trials lexicons were
built from, all), per-type precision / recall / F1 with exact and overlapping
span matching, the accuracy of the negated flag, the inclusion/exclusion split
accuracy and the parse speed.

Type mapping (ours → gold):

* Chia (``chia_with_scope``): condition, pregnancy, behaviour → Condition;
  drug → Drug; procedure → Procedure; measurement → Measurement; value → Value;
  temporal → Temporal; device → Device; demographic → Person.
* LCT: condition, pregnancy, behaviour → Condition; drug → Drug; procedure →
  Procedure; measurement → Observation; demographic → Age + Life-Stage-And-Gender;
  value → Eq-Comparison without a temporal unit/period ("Value");
  temporal → Eq-Comparison with one ("Temporal").

Chia labels some criteria as a whole instead of annotating their entities
(non-representable, competing trial, informed consent …: see
``bench/criteria_corpora.py``); every prediction there counts as a false
positive. The "annotated lines" reports score the same Chia documents with
the predictions on those lines left out (a second view, not the headline).

For LCT it also scores the numeric comparisons and time windows against the
numeric filters of the criterion-level logical forms (``eq(op(GTEQ), val("18"),
temporal_unit(YEAR))``: recall, precision, operator and unit agreement; see
``bench/criteria_forms.py``).

Held-out trials are those ``held_out(nct_id)`` selects (a hash of the NCT ID,
~20%), the same split ``scripts/build_criteria_lexicons.py`` leaves out.
Anchors: Criteria2Query entity F1 0.795, EliIE 0.79; goal overlap F1 >= 0.80
on Condition, Drug, Measurement, Value and Temporal.

``--cv K`` instead scores K-fold cross-validation over the training trials
(the lexicon of fold k is built without the trials of fold k): an honest
estimate for unseen trials, used to choose the lexicon thresholds
(``--min-docs``, ``--min-precision``) without touching the held-out trials.
Parse speed is reported as wall-clock and CPU texts/s (CPU time is steadier
on a shared machine).

``bench/criteria_errors.py --type Drug`` lists the errors of one type (false
positives, false negatives, boundaries, negation, precision by text) over the
same cross-validation folds, training trials only.

Usage: python bench/criteria.py [--data DIR] [--limit N] [--corpus chia|lct|all]
       python bench/criteria.py --cv 5 [--min-docs 1] [--min-precision 0.5]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from criteria_corpora import (
    CHIA_GOLD,
    DEFAULT_DATA,
    LCT_GOLD,
    Mention,
    chia_gold,
    chia_unannotated,
    held_out,
    lct_forms,
    lct_gold,
    read_jsonl,
)
from criteria_forms import print_form_scores
from trialatlas.features.criteria import default_stages, parse_criteria
from trialatlas.features.criteria.rules import merge_lexicons
from trialatlas.model.criteria import ParsedCriteria

OURS = {
    "condition": "Condition",
    "pregnancy": "Condition",
    "behaviour": "Condition",
    "drug": "Drug",
    "procedure": "Procedure",
    "measurement": "Measurement",
    "value": "Value",
    "temporal": "Temporal",
    "device": "Device",
    "demographic": "Demographic",
}
GOAL_TYPES = ("Condition", "Drug", "Measurement", "Value", "Temporal")


@dataclass(slots=True)
class Scores:
    """Counts for one type: predictions / gold / matched, exact and overlapping."""

    pred: int = 0
    gold: int = 0
    pred_exact: int = 0
    gold_exact: int = 0
    pred_overlap: int = 0
    gold_overlap: int = 0

    def prf(self, mode: str) -> tuple[float, float, float]:
        tp_p = self.pred_exact if mode == "exact" else self.pred_overlap
        tp_g = self.gold_exact if mode == "exact" else self.gold_overlap
        p = tp_p / self.pred if self.pred else 0.0
        r = tp_g / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(slots=True)
class Report:
    types: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    neg_total: int = 0
    neg_correct: int = 0
    neg_tp: int = 0
    neg_pred: int = 0
    neg_gold: int = 0
    split_total: int = 0
    split_correct: int = 0
    docs: int = 0


def predicted(parsed: ParsedCriteria) -> list[Mention]:
    return [
        Mention(OURS[e.type], e.start, e.end, e.negated)
        for c in parsed.criteria
        for e in c.entities
        if e.type in OURS
    ]


def score(report: Report, gold: list[Mention], pred: list[Mention]) -> None:
    by_type_gold: dict[str, list[Mention]] = defaultdict(list)
    by_type_pred: dict[str, list[Mention]] = defaultdict(list)
    for g in gold:
        by_type_gold[g.type].append(g)
    for p in pred:
        by_type_pred[p.type].append(p)
    for etype in set(by_type_gold) | set(by_type_pred):
        if etype not in {g.type for g in gold} and etype not in set(CHIA_GOLD.values()) | set(
            LCT_GOLD.values()
        ) | {"Temporal"}:
            continue
        gs, ps, sc = by_type_gold[etype], by_type_pred[etype], report.types[etype]
        exact_g = {(g.start, g.end) for g in gs}
        exact_p = {(p.start, p.end) for p in ps}
        sc.gold += len(gs)
        sc.pred += len(ps)
        sc.gold_exact += sum((g.start, g.end) in exact_p for g in gs)
        sc.pred_exact += sum((p.start, p.end) in exact_g for p in ps)
        sc.gold_overlap += sum(any(p.start < g.end and g.start < p.end for p in ps) for g in gs)
        sc.pred_overlap += sum(any(p.start < g.end and g.start < p.end for g in gs) for p in ps)
        for g in gs:
            match = next((p for p in ps if p.start < g.end and g.start < p.end), None)
            if match is None:
                continue
            report.neg_total += 1
            report.neg_correct += match.negated == g.negated
            report.neg_tp += match.negated and g.negated
            report.neg_pred += match.negated
            report.neg_gold += g.negated


def kind_at(parsed: ParsedCriteria, start: int, end: int) -> str | None:
    """Kind of the first criterion overlapping the line ``[start, end)``."""
    for c in parsed.criteria:
        if c.start < max(end, start + 1) and start < max(c.end, c.start + 1):
            return c.kind
    return None


def chia_split(report: Report, inc: str, exc: str) -> None:
    """Inclusion then exclusion text under their headers: is each gold line's kind kept?"""
    head_inc, head_exc = "Inclusion Criteria:\n", "\nExclusion Criteria:\n"
    text = head_inc + inc + head_exc + exc
    parsed = parse_criteria(text)
    for base, part, kind in (
        (len(head_inc), inc, "inclusion"),
        (len(head_inc) + len(inc) + len(head_exc), exc, "exclusion"),
    ):
        pos = 0
        for line in part.split("\n"):
            if line.strip():
                report.split_total += 1
                report.split_correct += kind_at(parsed, base + pos, base + pos + len(line)) == kind
            pos += len(line) + 1


def lct_split(
    report: Report, text: str, parsed: ParsedCriteria, forms: list[tuple[str, str]]
) -> None:
    """Logical forms give INC/EXC per criterion sentence; find its line and compare."""
    lines, offsets, pos = [], [], 0
    for line in text.split("\n"):
        lines.append(line)
        offsets.append((pos, pos + len(line)))
        pos += len(line) + 1
    for kind, sentence in forms:
        best = process.extractOne(sentence, lines, scorer=fuzz.ratio)
        if best is None or best[1] < 70:
            continue
        report.split_total += 1
        report.split_correct += kind_at(parsed, *offsets[best[2]]) == kind


def print_report(title: str, report: Report) -> None:
    print(f"\n{title}  ({report.docs} documents)")
    print(
        f"{'type':<12} {'gold':>6} {'pred':>6} | {'P exact':>7} {'R exact':>7} {'F1 exact':>8} | {'P ovl':>6} {'R ovl':>6} {'F1 ovl':>6}"
    )
    tot = Scores()
    for etype in sorted(report.types):
        sc = report.types[etype]
        if not sc.gold:
            continue
        pe, re_, fe = sc.prf("exact")
        po, ro, fo = sc.prf("overlap")
        mark = " *" if etype in GOAL_TYPES else ""
        print(
            f"{etype:<12} {sc.gold:>6} {sc.pred:>6} | {pe:>7.3f} {re_:>7.3f} {fe:>8.3f} | {po:>6.3f} {ro:>6.3f} {fo:>6.3f}{mark}"
        )
        for f in ("pred", "gold", "pred_exact", "gold_exact", "pred_overlap", "gold_overlap"):
            setattr(tot, f, getattr(tot, f) + getattr(sc, f))
    pe, re_, fe = tot.prf("exact")
    po, ro, fo = tot.prf("overlap")
    print(
        f"{'ALL (micro)':<12} {tot.gold:>6} {tot.pred:>6} | {pe:>7.3f} {re_:>7.3f} {fe:>8.3f} | {po:>6.3f} {ro:>6.3f} {fo:>6.3f}"
    )
    if report.neg_total:
        p = report.neg_tp / report.neg_pred if report.neg_pred else 0.0
        r = report.neg_tp / report.neg_gold if report.neg_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f"negated flag: accuracy {report.neg_correct / report.neg_total:.3f} on {report.neg_total} matched entities; "
            f"negated P {p:.3f} R {r:.3f} F1 {f:.3f} (gold negated {report.neg_gold})"
        )
    if report.split_total:
        print(
            f"inclusion/exclusion split: accuracy {report.split_correct / report.split_total:.3f} on {report.split_total} criteria"
        )


@dataclass(slots=True)
class Timing:
    """Parse time of a run: wall clock and this process's CPU time."""

    count: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def line(self, name: str) -> str:
        return (
            f"parse speed ({name}): {self.count / max(self.wall, 1e-9):.1f} criteria texts/s wall, "
            f"{self.count / max(self.cpu, 1e-9):.1f} texts/s CPU ({self.count} texts, {self.wall:.1f} s)"
        )


def timed_parse(text: str, timing: Timing, stages: list[Any] | None) -> ParsedCriteria:
    w0, c0 = time.perf_counter(), time.process_time()
    parsed = parse_criteria(text, stages)
    timing.wall += time.perf_counter() - w0
    timing.cpu += time.process_time() - c0
    timing.count += 1
    return parsed


def run(
    corpus: str,
    data: Path,
    limit: int | None,
    part_of: Callable[[str], str | None] | None = None,
    stages: list[Any] | None = None,
) -> tuple[dict[str, Report], Timing]:
    """Score ``chia`` or ``lct``; ``part_of(nct_id)`` names a trial's report (None: skip it)."""
    part_of = part_of or (lambda n: "held-out" if held_out(n) else "lexicon-train")
    reports: dict[str, Report] = defaultdict(Report)
    name = "chia/chia_with_scope_dev.jsonl.gz" if corpus == "chia" else "lct/lct_dev.jsonl.gz"
    rows = list(read_jsonl(data / name))[: limit or None]
    forms = lct_forms(data) if corpus == "lct" else {}
    parts: dict[str, dict[str, str]] = defaultdict(dict)
    timing = Timing()
    for row in rows:
        part = part_of(row["nct_id"])
        if part is None:
            continue
        parsed = timed_parse(row["txt"], timing, stages)
        gold = chia_gold(row["ann"]) if corpus == "chia" else lct_gold(row["ann"])
        parts[row["nct_id"]][row.get("part", "")] = row["txt"]
        pred = predicted(parsed)
        for report in (reports[part], reports["all"]):
            report.docs += 1
            score(report, gold, pred)
            if corpus == "lct":
                lct_split(report, row["txt"], parsed, forms.get(row["nct_id"], []))
        if corpus == "chia":
            skip = chia_unannotated(row["txt"], row["ann"])
            kept = [p for p in pred if not any(s <= p.start < e for s, e in skip)]
            reports[f"{part}, annotated lines"].docs += 1
            score(reports[f"{part}, annotated lines"], gold, kept)
    for nct_id, p in parts.items():
        if "inc" in p and "exc" in p and stages is None:
            for report in (reports[part_of(nct_id) or "all"], reports["all"]):
                chia_split(report, p["inc"], p["exc"])
    return reports, timing


def _builder() -> Any:
    """``scripts/build_criteria_lexicons.py`` as a module (it builds the derived lexicon)."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "build_criteria_lexicons.py"
    spec = importlib.util.spec_from_file_location("build_criteria_lexicons", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_cv(args: argparse.Namespace) -> None:
    """K-fold cross-validation of the derived lexicon over the training trials.

    Fold k: the lexicon is built from the training trials outside fold k (Chia
    and LCT, held-out trials never read) and scored on the trials of fold k, so
    every score is on trials the lexicon never saw. Folds are an MD5 hash of
    the NCT ID (independent of the held-out split).
    """
    builder, k_folds = _builder(), args.cv

    def fold(nct_id: str) -> int:
        return int(hashlib.md5(nct_id.encode()).hexdigest(), 16) % k_folds

    totals: dict[str, Report] = {
        "Chia": Report(),
        "Chia, annotated lines": Report(),
        "LCT": Report(),
    }
    for k in range(k_folds):
        terms = builder.build(
            args.data, args.min_docs, args.min_precision, skip=lambda n, k=k: fold(n) == k
        )
        stages = default_stages(lexicon=merge_lexicons(terms))

        def part_of(nct_id: str, k: int = k) -> str | None:
            return None if held_out(nct_id) or fold(nct_id) != k else "fold"

        for name in ("Chia", "LCT"):
            if args.corpus in (name.lower(), "all"):
                reports, _ = run(name.lower(), args.data, args.limit, part_of, stages)
                merge_report(totals[name], reports["fold"])
                if name == "Chia":
                    merge_report(totals["Chia, annotated lines"], reports["fold, annotated lines"])
    for name, report in totals.items():
        if report.docs:
            print_report(
                f"== {name} — {k_folds}-fold cross-validation on the training trials "
                f"(min_docs={args.min_docs}, min_precision={args.min_precision})",
                report,
            )


def merge_report(into: Report, other: Report) -> None:
    """Add the counts of ``other`` to ``into``."""
    for etype, sc in other.types.items():
        for f in fields(Scores):
            setattr(
                into.types[etype], f.name, getattr(into.types[etype], f.name) + getattr(sc, f.name)
            )
    for f in fields(Report):
        if f.name != "types":
            setattr(into, f.name, getattr(into, f.name) + getattr(other, f.name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="documents per corpus")
    parser.add_argument("--corpus", choices=("chia", "lct", "all"), default="all")
    parser.add_argument("--cv", type=int, default=0, metavar="K", help="K-fold CV of the lexicon")
    parser.add_argument("--min-docs", type=int, default=1, help="lexicon threshold (with --cv)")
    parser.add_argument("--min-precision", type=float, default=0.5, help="(with --cv)")
    args = parser.parse_args()
    if args.cv:
        run_cv(args)
        return
    t0 = time.perf_counter()
    parse_criteria("Inclusion Criteria:\n* warm-up: metformin, asthma, HbA1c > 7%")
    print(f"first parse (loads vocabularies): {time.perf_counter() - t0:.1f} s")
    runs = [
        (name, run(corpus, args.data, args.limit))
        for corpus, name in (("chia", "Chia (with_scope)"), ("lct", "LCT"))
        if args.corpus in (corpus, "all")
    ]
    for name, (reports, timing) in runs:
        for part in ("held-out", "lexicon-train", "all", "held-out, annotated lines"):
            if reports[part].docs:
                print_report(f"== {name} — {part}", reports[part])
        print(timing.line(name))
    if args.corpus in ("lct", "all"):
        print_form_scores(args.data, parse_criteria)


if __name__ == "__main__":
    main()
