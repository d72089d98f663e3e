"""``understand_patient(text)``: a patient's own description → :class:`PatientFacts`.

The note is read with the criteria parser's stages, fed sentence by sentence (each
sentence is one item of a :class:`CriteriaDoc`):

1. :class:`SentenceItems` — sentence spans (:mod:`.note_sentences`) → items
2. :class:`~trialatlas.features.criteria.windows.WindowFinder` — time phrases
3. :class:`~trialatlas.features.criteria.entities.EntityFinder` — conditions, drugs,
   procedures, measurements from the shipped lexicons
4. :class:`ShortForms` — note short forms ("HTN", "SOB", "s/p CABG") from
   ``data/matching/note_terms.json``
5. :class:`PlaceCodes` — "Jacksonville, FL": a state after a place is no finding
6. :class:`~trialatlas.features.criteria.context.ContextAnnotator` — the shipped
   ConText triggers plus the note ones ("hx of", "w/o", "PMH")

then family-history scopes, labs (:mod:`.note_labs`), age and sex
(:mod:`.note_demographics`), smoking and pregnancy (:mod:`.note_habits`). Never
raises; a failing stage is skipped and logged by name only (the note is never
logged).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from functools import cache

from trialatlas.features.criteria.conditions import lookup_condition
from trialatlas.features.criteria.context import ContextAnnotator
from trialatlas.features.criteria.document import CriteriaDoc, Item, Stage, make_entity
from trialatlas.features.criteria.drugs import lookup_drug
from trialatlas.features.criteria.entities import EntityFinder
from trialatlas.features.criteria.normalization import widen_condition
from trialatlas.features.criteria.rules import PrefixNegation, context_rules, prefix_negation
from trialatlas.features.criteria.windows import WindowFinder
from trialatlas.features.matching.note_demographics import find_age, find_sex
from trialatlas.features.matching.note_habits import SMOKING_WORDS, find_pregnancy, find_smoking
from trialatlas.features.matching.note_labs import find_labs
from trialatlas.features.matching.note_onset import find_onset
from trialatlas.features.matching.note_sentences import sentence_at, sentence_spans
from trialatlas.features.matching.note_terms import note_terms
from trialatlas.features.matching.patient_facts import Finding, PatientFacts, Status
from trialatlas.model.criteria import Entity

log = logging.getLogger(__name__)

MAX_NOTE_CHARS = 50_000  # a longer note is read up to here
_KINDS = {
    "condition": "conditions",
    "behaviour": "conditions",
    "drug": "medications",
    "procedure": "procedures",
}
_DATED = ("present", "history", "possible")  # statuses whose onset is read


class SentenceItems:
    """Stage: one inclusion item per sentence of the note."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        doc.items = [Item(kind="inclusion", start=s, end=e) for s, e in sentence_spans(doc.source)]
        return doc


class ShortForms:
    """Stage: note short forms become entities of their type ("HTN" → condition).

    A short form replaces an entity it covers ("LE edema" over "edema", the lexicon's
    "MR" over nothing longer); an entity longer than the short form keeps its place.
    """

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        terms = note_terms()
        pattern = terms.abbreviation_pattern
        if pattern is None:
            return doc
        for item in doc.items:
            added: list[Entity] = []
            for m in pattern.finditer(doc.view, item.start, item.end):
                form = terms.abbreviation(m.group())
                if form is None:
                    continue
                s, e = m.span()
                if any(
                    x.start <= s and e <= x.end and x.end - x.start > e - s for x in item.entities
                ):
                    continue
                item.entities = [x for x in item.entities if not (x.start < e and s < x.end)]
                added.append(make_entity(form.type, doc.source, s, e))
            if added:
                item.entities = sorted(item.entities + added, key=lambda x: x.start)
        return doc


# "Jacksonville, " / "St. Louis, " / "Winston-Salem, ": a capitalized word, a comma
_PLACE_BEFORE = re.compile(r"\b[A-Z][a-z][A-Za-z.'-]*,[ \t]*$")


class PlaceCodes:
    """Stage: a state, province or country short form right after a place name and a
    comma ("Jacksonville, FL", "Rochester, MN") is an address, not a finding; the same
    letters elsewhere ("h/o MS", "FL relapse") stay. A place name is a capitalized word
    that is no finding itself ("Asthma, MS" keeps MS)."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        codes = note_terms().place_codes
        for item in doc.items:
            drop: list[Entity] = []
            for e in item.entities:
                if e.text not in codes:
                    continue
                before = _PLACE_BEFORE.search(doc.source, max(item.start, e.start - 40), e.start)
                if before is None:
                    continue
                word_end = before.start() + before.group().index(",")
                if not any(x.start < word_end and before.start() < x.end for x in item.entities):
                    drop.append(e)
            if drop:
                item.entities = [x for x in item.entities if x not in drop]
        return doc


class ClauseMarks:
    """Stage: a closing bracket ends a clause for ConText ("prior CVA (no residual
    deficits), HTN": the "no" stops at the bracket). Only the matching view changes."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        doc.view = doc.view.replace(")", ";").replace("]", ";")
        return doc


class WidenConditions:
    """Stage: a condition widened over the words before it when the longer phrase is
    an ICD-10 label ("chest **pain**" → "chest pain"; the criteria normalizer's rule)."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            item.entities = [
                widen_condition(doc.source, item, e) if e.type == "condition" else e
                for e in item.entities
            ]
        return doc


_LIST_GAP = re.compile(
    r"\s*(?:[,/;]\s*)?(?:(?:and|or|nor|and/or)\s+)?(?:(?:a|an|any|the|other|no)\s+)?",
    re.IGNORECASE,
)
_SPREAD_TYPES = frozenset({"condition", "drug", "procedure", "behaviour", "pregnancy"})


class NegatedLists:
    """Stage: a denial covers its whole list ("denies fever, chills, nausea, vomiting,
    diarrhea or abdominal pain"), past the ConText token limit: an entity joined to a
    negated one only by a comma, "and", "or" or "nor" is negated too."""

    def __call__(self, doc: CriteriaDoc) -> CriteriaDoc:
        for item in doc.items:
            entities = sorted(item.entities, key=lambda e: e.start)
            out: list[Entity] = []
            for e in entities:
                prev = out[-1] if out else None
                if (
                    prev is not None
                    and prev.negated
                    and not e.negated
                    and e.type in _SPREAD_TYPES
                    and prev.end <= e.start
                    and _LIST_GAP.fullmatch(doc.source, prev.end, e.start)
                ):
                    e = e.model_copy(update={"negated": True})
                out.append(e)
            item.entities = out
        return doc


# "Past Medical History:" / "Family History:" headers: the lines under them, up to a
# blank line or the next header, are history / a relative's.
_HEADER = re.compile(r"^[ \t]*([A-Za-z][A-Za-z /&-]{1,40}):[ \t]*(.*)$", re.MULTILINE)
_HISTORY_HEADER = re.compile(
    r"^(?:past\s+)?(?:medical|surgical|past)\s+(?:history|hx)$|^(?:pmh|pmhx|psh|hx)$", re.I
)
_FAMILY_HEADER = re.compile(r"^(?:family\s+(?:history|hx)|fh|fhx)$", re.IGNORECASE)


def header_sections(text: str) -> list[tuple[int, int, Status]]:
    """``(start, end, status)`` of the text under history and family-history headers."""
    out: list[tuple[int, int, Status]] = []
    heads = list(_HEADER.finditer(text))
    for n, m in enumerate(heads):
        name = " ".join(m.group(1).split())
        status: Status | None = (
            "family"
            if _FAMILY_HEADER.match(name)
            else "history"
            if _HISTORY_HEADER.match(name)
            else None
        )
        if status is None:
            continue
        stop = heads[n + 1].start() if n + 1 < len(heads) else len(text)
        blank = re.search(r"\n[ \t]*\n", text[m.start() : stop])
        end = m.start() + blank.start() if blank else stop
        out.append((m.start(2), end, status))
    return out


@cache
def note_stages() -> tuple[Stage, ...]:
    """The reading stages, built once per process (rules load on first use)."""
    rules = context_rules() + note_terms().context_rules
    return (
        SentenceItems(),
        WindowFinder(),
        EntityFinder(),
        ShortForms(),
        PlaceCodes(),
        WidenConditions(),
        ClauseMarks(),
        ContextAnnotator(rules=rules, prefix=prefix_negation()),
        NegatedLists(),
    )


@cache
def _family_annotator() -> ContextAnnotator:
    return ContextAnnotator(rules=note_terms().family_rules, prefix=PrefixNegation())


def run_note_stages(text: str, stages: Sequence[Stage] | None = None) -> CriteriaDoc:
    """The note as a :class:`CriteriaDoc` with sentence items and their entities."""
    doc = CriteriaDoc(source=text)
    for stage in stages if stages is not None else note_stages():
        try:
            doc = stage(doc)
        except Exception:  # reading a note never fails; nothing of the note is logged
            log.warning("note stage %s failed; skipped", type(stage).__name__)
            if isinstance(stage, SentenceItems):
                break
    return doc


def family_spans(doc: CriteriaDoc) -> list[tuple[int, int, int, int]]:
    """``(trigger_start, trigger_end, start, end)`` of every family-history scope."""
    annotator = _family_annotator()
    out: list[tuple[int, int, int, int]] = []
    for item in doc.items:
        for scope in annotator.scopes(doc.view, item.start, item.end, None):
            out.append((scope.trigger_start, scope.trigger_end, scope.start, scope.end))
    return out


def _in_family(entity: Entity, scopes: list[tuple[int, int, int, int]]) -> bool:
    return any(
        entity.start < end and start < entity.end and not (entity.start < te and ts < entity.end)
        for ts, te, start, end in scopes
    )


def status_of(entity: Entity, family: bool, section: Status | None = None) -> Status:
    """The ConText flags of an entity (and the header it is under) as one status."""
    if family or section == "family":
        return "family"
    if entity.negated:
        return "absent"
    if entity.uncertain:
        return "possible"
    if entity.historical or section == "history":
        return "history"
    return "present"


def preferred_name(entity: Entity) -> tuple[str, str | None]:
    """``(name, code)``: the short form's expansion, the drug's dictionary name, or the
    mention itself; the code from the ICD-10 index (conditions) or drug dictionary."""
    form = note_terms().abbreviation(entity.text)
    name = form.name if form is not None else " ".join(entity.text.split())
    if entity.type == "drug":
        drug = lookup_drug(name)
        if drug is not None:
            return (name if form is not None else drug.name), drug.code
        return name, None
    if entity.type in ("condition", "behaviour"):
        concept = lookup_condition(name)
        return name, concept.code if concept is not None else None
    return name, None


def _findings(
    doc: CriteriaDoc, spans: list[tuple[int, int]], today: dt.date, age: float | None
) -> dict[str, list[Finding]]:
    """Findings by kind, one per (name, status): later mentions add their sentence
    (and the onset when the first did not say it)."""
    terms = note_terms()
    family = family_spans(doc)
    sections = header_sections(doc.source)
    out: dict[str, list[Finding]] = {"conditions": [], "medications": [], "procedures": []}
    seen: dict[tuple[str, str, str], Finding] = {}
    for item in doc.items:
        for entity in item.entities:
            kind = _KINDS.get(entity.type)
            if kind is None or entity.text.lower().strip() in terms.not_findings:
                continue
            if entity.type == "behaviour" and SMOKING_WORDS.search(entity.text):
                continue  # smoking has its own fact
            in_family = _in_family(entity, family)
            name, code = preferred_name(entity)
            section = next((st for s, e, st in sections if s <= entity.start < e), None)
            status = status_of(entity, in_family, section)
            sentence = sentence_at(spans, entity.start)
            onset = (
                find_onset(doc.source, entity.start, entity.end, spans[sentence], today, age)
                if kind == "conditions" and sentence is not None and status in _DATED
                else None
            )
            if onset is not None and onset.lasting and status == "history" and section is None:
                status = "present"  # "a 2-week history of cough": it lasts up to now
            key = (kind, name.lower(), status)
            known = seen.get(key)
            if known is not None:
                if sentence is not None and sentence not in known.sentences:
                    known.sentences.append(sentence)
                if known.onset is None and onset is not None:
                    known.onset, known.onset_sentence = onset.day, sentence
                continue
            seen[key] = Finding(
                text=entity.text,
                name=name,
                status=status,
                sentence=sentence,
                sentences=[sentence] if sentence is not None else [],
                start=entity.start,
                end=entity.end,
                code=code,
                negated=status == "family" and entity.negated,
                onset=onset.day if onset is not None else None,
                onset_sentence=sentence if onset is not None else None,
            )
            out[kind].append(seen[key])
    return out


def understand_patient(text: str, today: dt.date | None = None) -> PatientFacts:
    """Read a patient's description: age, sex, conditions, medicines, labs, procedures,
    pregnancy and smoking, each with the sentence (and character offsets) it came from;
    a condition's onset counted back from ``today`` (default today) when the note says
    how long it has lasted.

    Offsets index ``text``: ``text[f.start:f.end] == f.text``. Never raises; a
    non-string is read as empty text. Nothing is stored or logged.
    """
    if not isinstance(text, str):
        text = ""
    text = text[:MAX_NOTE_CHARS]
    doc = run_note_stages(text)
    spans = [(item.start, item.end) for item in doc.items]
    age = find_age(text)
    years = float(age.value) if age is not None else None
    findings = _findings(doc, spans, today or dt.date.today(), years)
    entities = [e for item in doc.items for e in item.entities]
    sex = find_sex(text, age)
    family = family_spans(doc)
    smoking = find_smoking(text, entities, family)
    sex_value = sex.value if sex is not None else None
    past = [(s, s, s, e) for s, e, status in header_sections(text) if status == "history"]
    child = age is not None and float(age.value) < 10
    pregnant = find_pregnancy(text, entities, family + past, sex_value == "male", child)
    return PatientFacts(
        sentences=[text[s:e] for s, e in spans],
        sentence_spans=spans,
        age=float(age.value) if age is not None else None,
        age_evidence=sentence_at(spans, age.start) if age is not None else None,
        sex="female" if sex_value == "female" else "male" if sex_value == "male" else None,
        sex_evidence=sentence_at(spans, sex.start) if sex is not None else None,
        conditions=findings["conditions"],
        medications=findings["medications"],
        labs=find_labs(text, entities, spans),
        procedures=findings["procedures"],
        pregnant=pregnant.value if pregnant is not None else None,
        pregnant_evidence=sentence_at(spans, pregnant.start) if pregnant is not None else None,
        smoking=smoking.value if smoking is not None else None,
        smoking_evidence=sentence_at(spans, smoking.start) if smoking is not None else None,
    )
