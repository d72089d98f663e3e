"""Do the pre-screener's questions keep their criterion's exceptions and time windows?

For every yes/no question of every trial in a store, the criterion's first sentence is
compared with the question a patient reads:

* exception dropped: an "except …", "other than …", "excluding …" of the sentence whose
  words are not in the question ("Have you had cancer?" for "cancer, other than basal
  cell skin cancer");
* window dropped: a "within 4 weeks" / "at least 2 weeks before" of the sentence that
  the question neither says nor applies (the criterion's only question; questions about
  pregnancy and birth control, which word their own time frame, aside);
* window stretched: the question applies a window ("in the past 30 days") that the
  sentence gives to only a part of it: the window in brackets beside one thing, a part
  for life ("lifetime", "ever", a "history of" after the window), or another item or
  clause before it ("history of X, …, or have use of Y within 30 days").

"Does this apply to you?" shows the criterion as written, so it drops nothing; it is
counted on its own. Every number question is checked too: the exceptions written with
its limit ("Hemoglobin < 9 g/dL, unless due to thalassemia") must be in it. Usage: ``python bench/prescreen_meaning.py [--db PATH]`` (default:
``$TRIALATLAS_DB`` or /tmp/ta.db, the store of the 8,118 bundled trials).
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections import Counter
from dataclasses import dataclass

from trialatlas.features.criteria import parse_criteria
from trialatlas.features.prescreen import Questionnaire, build_questionnaire
from trialatlas.features.prescreen.kept_meaning import IGNORED_WORDS
from trialatlas.features.prescreen.phrasing import exception_spans, lead_sentence, plain_words
from trialatlas.features.prescreen.run_on import run_on_items
from trialatlas.model.criteria import Criterion, ParsedCriteria, TimeWindow

FALLBACK = "Does this apply to you?"
_TOPIC = re.compile(r"pregnan|breastfeed|birth control|contracept|father a child", re.I)
_SOLE = re.compile(r"^c\d+(?:i\d+)?x*$")  # an item's only question (not one of a/b/c parts)
_ITEM = re.compile(r"^c\d+(?:i(\d+))?")  # c10i3: item 3 of a run-together registry line
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_WINDOW_RELATIONS = frozenset({"within", "in the past", "before", "at least before"})
_FOR_LIFE = re.compile(r"\b(?:lifetime|ever|at any time)\b", re.I)
_HISTORY = re.compile(r"\b(?:history of|prior history|past history)\b", re.I)
_OTHER_ITEM = re.compile(
    r"(?<=[a-z0-9)\]])\s+(?:No|Not|Any|Must|Prior|Concurrent|History)\b"
    r"|,?\s+or\s+(?:have|has|had|having|use|uses|using|current(?:ly)?|active|a history|"
    r"history|lifetime|ever)\b"
)


@dataclass(frozen=True)
class Fault:
    nct_id: str
    question_id: str
    kind: str  # "exception dropped" | "window dropped" | "window stretched"
    question: str
    criterion: str


def words(text: str) -> set[str]:
    """Words that carry meaning, in the plain wording questions use."""
    return {w.strip("'-") for w in _WORD.findall(plain_words(text.replace("\\", "")).lower())}


def _amount(window: TimeWindow) -> str:
    amount = int(window.amount) if float(window.amount).is_integer() else window.amount
    return f"{amount} {window.unit}{'' if amount == 1 else 's'}"


def _in_brackets(text: str, at: int) -> bool:
    depth = 0
    for ch in text[:at]:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
    return depth > 0


def _stretched(lead: str, at: int) -> bool:
    return bool(
        _in_brackets(lead, at)
        or _FOR_LIFE.search(lead)
        or _HISTORY.search(lead[at:])
        or _OTHER_ITEM.search(lead[:at])
    )


_LIMIT = re.compile(r"^Has a doctor told you that your (.+?) is ")


def _scope(text: str, lead: str, criterion: Criterion, offset: int) -> tuple[int, int]:
    """Where in the first sentence a question's exceptions are: all of it, or for a limit
    asked as a yes/no ("bilirubin at most 1.5 times the upper limit of normal") from its
    subject to the next limit of the line."""
    limit = _LIMIT.match(text)
    if limit is None:
        return 0, len(lead)
    at = lead.lower().find(limit.group(1).lower())
    if at < 0:
        return 0, 0
    later = [
        c.start - criterion.start - offset
        for c in criterion.comparisons
        if c.start - criterion.start - offset > at + len(limit.group(1))
    ]
    return at, min(later, default=len(lead))


def audit_question(
    nct_id: str,
    question_id: str,
    text: str,
    window_days: float | None,
    before_days: float | None,
    criterion: Criterion,
) -> list[Fault]:
    """The faults of one yes/no question against its criterion's first sentence."""
    lead, _ = lead_sentence(criterion.text)
    offset = criterion.text.find(lead) if lead else 0
    out: list[Fault] = []

    def fault(kind: str) -> None:
        out.append(Fault(nct_id, question_id, kind, text, criterion.text))

    asked = words(text)
    plain = lead  # windows are checked on their own: their words leave the exceptions
    for w in criterion.windows:
        at = w.start - criterion.start - offset
        if at >= 0 and at + len(w.text) <= len(plain):
            plain = plain[:at] + " " * len(w.text) + plain[at + len(w.text) :]
    lo, hi = _scope(text, lead, criterion, offset)
    for a, b in exception_spans(lead):
        if not lo <= a < hi:
            continue  # another limit's exception, on a line of several limits
        if _TOPIC.search(text) and not _TOPIC.search(lead[a:b]):
            continue  # a pregnancy or birth control question keeps its topic's exceptions
        needed = words(plain[a:b]) - IGNORED_WORDS
        if needed and not needed <= asked:
            fault("exception dropped")
            break
    for window in criterion.windows:
        at = window.start - criterion.start - offset
        if window.relation not in _WINDOW_RELATIONS or not 0 <= at < len(lead):
            continue
        if _LIMIT.match(text) and not lo <= at < hi:
            continue  # another limit's window, on a line of several limits
        claimed = window.days in (window_days, before_days)
        said = _amount(window) in text
        if claimed and _stretched(lead, at):
            fault("window stretched")
        elif not claimed and not said and _SOLE.match(question_id) and not _TOPIC.search(text):
            fault("window dropped")
    return out


_LIMIT_EXCEPTION = re.compile(
    r"\b(?:except(?:ing)?|excluding|other than|with the exception of|apart from|aside from"
    r"|unless)\b",
    re.I,
)
_SENTENCE = re.compile(r"[;\n]|\.\s+(?=[A-Z(])")


def _limit_values(check: object) -> set[float]:
    limits = (getattr(check, "low", None), getattr(check, "high", None))
    return {round(v, 6) for v in limits if v is not None}


def _dropped(criterion: Criterion, c: object, asked: set[str]) -> bool:
    """Does an exception that begins between limit ``c`` and the next limit (or the end of
    its sentence) have words the question lacks? The exception is read whole."""
    base = criterion.start
    at = c.start - base  # type: ignore[attr-defined]
    if c.subject is not None:  # type: ignore[attr-defined]
        at = min(at, c.subject.start - base)  # type: ignore[attr-defined]
    own = c.start - base  # type: ignore[attr-defined]
    stop = _SENTENCE.search(criterion.text, own)
    end = stop.start() if stop else len(criterion.text)
    later = [x.start - base for x in criterion.comparisons if x.start - base > own]
    next_limit = min([end, *later])
    sentence_start = max([0, *(m.end() for m in _SENTENCE.finditer(criterion.text, 0, max(at, 0)))])
    sentence = criterion.text[sentence_start:end]
    for a, b in exception_spans(sentence, _LIMIT_EXCEPTION):
        if not max(at, 0) <= sentence_start + a < next_limit:
            continue
        needed = words(sentence[a:b].split(";")[0]) - IGNORED_WORDS - {"unless"}
        if needed and not needed <= asked:
            return True
    return False


def audit_number_question(
    nct_id: str, question_id: str, text: str, check: object, criterion: Criterion
) -> list[Fault]:
    """A number question drops an exception when an exception that begins with its limit
    (between the limit and the next limit or the end of the sentence: "unless …",
    "except …", "other than …") has words the question does not have. The limit is found
    by its value; when several limits of the criterion have that value, it is a fault only
    when every one of them has such an exception; a value not written (converted units)
    is not judged."""
    values = _limit_values(check)
    asked = words(text)
    found = [
        c
        for c in criterion.comparisons
        if c.uln_multiplier is None
        and values & {round(v, 6) for v in (c.value, c.upper_value) if v is not None}
    ]
    if found and all(_dropped(criterion, c, asked) for c in found):
        return [Fault(nct_id, question_id, "number: exception dropped", text, criterion.text)]
    return []


def audit(
    nct_id: str, form: Questionnaire, parsed: ParsedCriteria
) -> tuple[Counter[str], list[Fault]]:
    """Counts (questions, shown as written, with exceptions, with windows) and faults."""
    counts: Counter[str] = Counter()
    faults: list[Fault] = []
    for q in form.questions():
        if q.answer_type == "number":
            for check in q.checks:
                if check.source != "criteria" or check.index is None:
                    continue
                if q.id == "age":
                    continue  # the one age question, asked of every age limit
                criterion = parsed.criteria[check.index]
                items = run_on_items(criterion)  # "Other: Not pregnant No other malignancy …"
                item = _ITEM.match(q.id)
                if items and item is not None:
                    criterion = items[int(item.group(1) or 0)]
                counts["number questions"] += 1
                found = audit_number_question(nct_id, q.id, q.text, check.check, criterion)
                faults.extend(found)
                counts["number: exception dropped"] += len(found)
        if q.answer_type != "yes_no":
            continue
        check = q.checks[0]
        if check.source != "criteria" or check.index is None:
            continue
        if check.disqualifying_answer.startswith("Yes (the study team"):
            continue  # a permission ("X allowed if …"): a yes leaves the criterion to the team
        criterion = parsed.criteria[check.index]
        items = run_on_items(criterion)  # "Other: Not pregnant No other malignancy …"
        item = _ITEM.match(q.id)
        if items and item is not None:
            criterion = items[int(item.group(1) or 0)]
        lead, _ = lead_sentence(criterion.text)
        counts["yes/no questions"] += 1
        counts["with an exception"] += bool(exception_spans(lead))
        counts["with a time window"] += any(
            w.relation in _WINDOW_RELATIONS and w.start - criterion.start < len(lead) + 1
            for w in criterion.windows
        )
        if q.text == FALLBACK:
            counts["shown as written (Does this apply to you?)"] += 1
            continue
        found = audit_question(nct_id, q.id, q.text, q.window_days, q.before_days, criterion)
        faults.extend(found)
        for f in found:
            counts[f.kind] += 1
    return counts, faults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("TRIALATLAS_DB", "/tmp/ta.db"))
    parser.add_argument("--show", type=int, default=5, help="faults to print per kind")
    args = parser.parse_args()
    from trialatlas.store import open_store

    store = open_store(args.db)
    started = time.perf_counter()
    total: Counter[str] = Counter()
    shown: Counter[str] = Counter()
    trials = 0
    try:
        for study in store.iter_studies():
            trials += 1
            parsed = parse_criteria(study.eligibility.criteria_text or "")
            form = build_questionnaire(study.nct_id, study.title, parsed, study.eligibility)
            counts, faults = audit(study.nct_id, form, parsed)
            total.update(counts)
            for f in faults:
                if shown[f.kind] < args.show:
                    shown[f.kind] += 1
                    print(
                        f"[{f.kind}] {f.nct_id} {f.question_id}: {f.question}\n    criterion: {f.criterion[:200]}"
                    )
    finally:
        store.close()
    print(f"\ntrials {trials} ({time.perf_counter() - started:.0f} s)")
    for key in (
        "yes/no questions",
        "with an exception",
        "with a time window",
        "shown as written (Does this apply to you?)",
        "exception dropped",
        "window dropped",
        "window stretched",
        "number questions",
        "number: exception dropped",
    ):
        print(f"{key:45} {total[key]:>7}")


if __name__ == "__main__":
    main()
