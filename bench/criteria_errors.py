"""Error listing of the criteria parser on the training trials (never the held-out ones).

Runs the same K-fold cross-validation as ``bench/criteria.py --cv K`` (the
lexicon of fold k is built without the trials of fold k) and prints, for one
gold type, the most frequent false positives (predictions overlapping no gold
mention of the type), false negatives (gold mentions no prediction overlaps),
boundary misses (overlapping but not exact) and negation disagreements, each
with its surface text and a line of context. Held-out trials are skipped.

Usage: python bench/criteria_errors.py --type Temporal [--cv 5] [--corpus chia|lct]
       [--kind fp|fn|span|neg|all] [--top 40] [--examples 2]
"""

from __future__ import annotations

import argparse
import hashlib
from collections import Counter, defaultdict
from pathlib import Path

from criteria import _builder, predicted
from criteria_corpora import DEFAULT_DATA, chia_gold, held_out, lct_gold, read_jsonl
from trialatlas.features.criteria import default_stages, parse_criteria
from trialatlas.features.criteria.rules import merge_lexicons


def _line(text: str, start: int, end: int) -> str:
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", end)
    e = len(text) if e < 0 else e
    return (text[s:start] + "[[" + text[start:end] + "]]" + text[end:e]).strip()[:220]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--type", required=True, help="gold type: Drug, Temporal …")
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--corpus", choices=("chia", "lct"), default="chia")
    parser.add_argument("--kind", choices=("fp", "fn", "span", "neg", "prec", "all"), default="all")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--examples", type=int, default=2)
    args = parser.parse_args()
    builder = _builder()

    def fold(nct_id: str) -> int:
        return int(hashlib.md5(nct_id.encode()).hexdigest(), 16) % args.cv

    name = "chia/chia_with_scope_dev.jsonl.gz" if args.corpus == "chia" else "lct/lct_dev.jsonl.gz"
    rows = [r for r in read_jsonl(args.data / name) if not held_out(r["nct_id"])]
    found: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    surface: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # text -> [fp, tp]
    for k in range(args.cv):
        terms = builder.build(args.data, 1, 0.5, skip=lambda n, k=k: fold(n) == k or held_out(n))
        stages = default_stages(lexicon=merge_lexicons(terms))
        for row in rows:
            if fold(row["nct_id"]) != k:
                continue
            text = row["txt"]
            gold_all = chia_gold(row["ann"]) if args.corpus == "chia" else lct_gold(row["ann"])
            pred_all = predicted(parse_criteria(text, stages))
            gold = [g for g in gold_all if g.type == args.type]
            pred = [p for p in pred_all if p.type == args.type]

            def note(kind: str, s: int, e: int, extra: str = "", text: str = text) -> None:
                key = text[s:e].lower() + extra
                found[kind][key] += 1
                if len(examples[(kind, key)]) < args.examples:
                    examples[(kind, key)].append(_line(text, s, e))

            for p in pred:
                hit = any(p.start < g.end and g.start < p.end for g in gold)
                surface[text[p.start : p.end].lower()][hit] += 1
                if not hit:
                    other = [g.type for g in gold_all if p.start < g.end and g.start < p.end]
                    note(
                        "fp",
                        p.start,
                        p.end,
                        f"  (gold {'/'.join(sorted(set(other)))})" if other else "",
                    )
            for g in gold:
                over = [p for p in pred if p.start < g.end and g.start < p.end]
                if not over:
                    other = [p.type for p in pred_all if p.start < g.end and g.start < p.end]
                    note(
                        "fn",
                        g.start,
                        g.end,
                        f"  (ours {'/'.join(sorted(set(other)))})" if other else "",
                    )
                    continue
                if not any(p.start == g.start and p.end == g.end for p in over):
                    note(
                        "span",
                        g.start,
                        g.end,
                        "  ours: " + " | ".join(text[p.start : p.end] for p in over),
                    )
                if over[0].negated != g.negated:
                    note("neg", g.start, g.end, f"  gold neg={g.negated}")
    if args.kind == "prec":
        print(
            f"\n=== {args.type} predictions by text, most false positives first (fp, tp, precision)"
        )
        ranked = sorted(surface.items(), key=lambda kv: -kv[1][0])
        for key, (fp, tp) in ranked[: args.top]:
            print(f"{fp:4d} {tp:4d} {tp / (fp + tp):.2f}  {key}")
        return
    kinds = ("fp", "fn", "span", "neg") if args.kind == "all" else (args.kind,)
    for kind in kinds:
        total = sum(found[kind].values())
        print(f"\n=== {args.type} {kind}: {total} ({len(found[kind])} distinct)")
        for key, n in found[kind].most_common(args.top):
            print(f"{n:4d}  {key}")
            for ex in examples[(kind, key)]:
                print(f"        {ex}")


if __name__ == "__main__":
    main()
