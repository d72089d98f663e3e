"""``match_patient``: from a patient's own description to the trials they probably fit.

Stages (each switchable in :class:`MatchOptions`, for the ablation in
``bench/matching.py``):

1. understand the patient (:mod:`patient_input`): age, sex, conditions with their
   context (ruled out, past, family), medicines, labs, procedures;
2. retrieve (:mod:`retrieve`): BM25 over the keywords built from the understood
   conditions (:mod:`query`), BM25 over the note's own telling words, dense
   neighbours of the conditions and of the whole note, fused by reciprocal rank
   (a profile, which has no note, is also matched on titles and conditions alone);
3. keep the trials that fit the place, radius and "open only";
4. re-rank the best by their eligibility criteria judged against the patient
   (:mod:`rerank`): an age or sex limit that excludes them, or a met exclusion,
   pushes a trial down; each verdict cites the sentence that decided it.

Nothing of the patient is stored or logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trialatlas.features.clinics import find_clinics
from trialatlas.features.distance_text import DistanceUnit, choose_unit
from trialatlas.features.matching.model import MatchResult, NearestSite, TrialMatch
from trialatlas.features.matching.patient_input import MatchInputError, PatientInput, read_patient
from trialatlas.features.matching.query import PatientQuery, build_query
from trialatlas.features.matching.rerank import (
    ELIGIBILITY_LABELS,
    EligibilityCheck,
    check_eligibility,
)
from trialatlas.features.matching.retrieve import Candidate, dense_lists, fuse, keyword_lists
from trialatlas.index.geo import GeoError, geocode, parse_radius
from trialatlas.model.codes import OPEN_STATUSES
from trialatlas.model.patient import PatientProfile
from trialatlas.model.study import Study
from trialatlas.model.validation_errors import scrub_value
from trialatlas.store.base import Store

if TYPE_CHECKING:
    from trialatlas.index.vectors import VectorIndex

RERANK_DEPTH = 30
# the note's rarest words that rank trials (see _telling_words); 30, 60, 90 and 150 ranked
# worse on both halves of the benchmarks
NOTE_WORDS = 45
RELEVANCE_FLOOR = 0.2  # of the best candidate's fused score
NEARNESS = (
    (80.0, 1.0),
    (320.0, 0.95),
    (float("inf"), 0.9),
)  # (km, factor) with a place  # candidates whose criteria are judged
MAX_LIMIT = 50
_LOAD_BATCH = 40


@dataclass(frozen=True, slots=True)
class MatchOptions:
    """Which stages run (all by default); the bench switches them off one at a time."""

    use_keywords: bool = True  # keywords from the understood patient (else the whole note)
    use_expansion: bool = True  # conditions as written beside their normalized names
    use_dense: bool = True
    use_rerank: bool = True
    use_note: bool = True  # BM25 over the note's own words (less what it rules out), fused
    rerank_depth: int = RERANK_DEPTH


def match_patient(
    store: Store,
    patient: str | PatientProfile | Mapping[str, Any],
    near: str | None = None,
    radius: str | None = None,
    open_only: bool = False,
    limit: int = 20,
    *,
    index: VectorIndex | None = None,
    options: MatchOptions | None = None,
    today: dt.date | None = None,
) -> MatchResult:
    """The trials ``patient`` probably qualifies for, best first, each explained."""
    options = options or MatchOptions()
    if not 1 <= limit <= MAX_LIMIT:
        raise MatchInputError("limit", f"must be between 1 and {MAX_LIMIT}")
    place = _place(near, radius)
    understood = read_patient(patient)
    facts = understood.facts
    query = build_query(facts, expand=options.use_expansion)
    if not options.use_keywords:
        query = PatientQuery(terms=_note_words(facts), dense_text=" ".join(facts.sentences)[:1000])
    # with a note, its own words find what titles and conditions alone would (and
    # better: bench/matching.py); a profile has only its names
    lists = keyword_lists(store, query, titles_and_conditions=not facts.sentences)
    if options.use_note and options.use_keywords and facts.sentences:
        # the note's own words, less what it rules out: rare words the reader does not
        # take as findings ("strawberry tongue", "owl's eye inclusions") still count
        words = _telling_words(store, _note_words(facts, drop_ruled_out=True))
        lists["note"] = [n for n, _ in store.rank_text(words, 200)]
    if options.use_dense:
        note = " ".join(facts.sentences)
        lists.update(dense_lists(index, {"dense": query.dense_text, "dense_note": note}))
    fused = fuse(lists)
    pool = _Pool(store, place, open_only, near=near, unit=choose_unit(radius))
    depth = max(limit, options.rerank_depth if options.use_rerank else limit)
    # a trial far below the best fits on one weak signal only: never shown, even when
    # the place or "open only" leave few others
    floor = fused[0].fused * RELEVANCE_FLOOR if fused else 0.0
    chosen = pool.take([c for c in fused if c.fused >= floor], depth)
    top = chosen[0][0].fused if chosen else 1.0
    matches: list[TrialMatch] = []
    for candidate, study in chosen:
        relevance = candidate.fused / top
        check = _check(study, understood, today) if options.use_rerank else None
        nearest = pool.nearest(study)
        nearness = _nearness(place is not None, nearest)
        matches.append(_trial_match(study, relevance, check, query, nearest, nearness))
    matches.sort(key=lambda m: (-m.score, m.nct_id))
    return MatchResult(
        patient=_understood(facts),
        results=matches[:limit],
        query_terms=query.shown_terms,
        near=(near or "").strip() or None,
        radius=(radius or "").strip() or None if near else None,
        open_only=open_only,
        notes=_notes(facts, query),
    )


def _place(near: str | None, radius: str | None) -> tuple[float, float, float | None] | None:
    query = (near or "").strip()
    if not query:
        if radius not in (None, ""):
            raise MatchInputError("radius", "needs a place (near)")
        return None
    try:
        found = geocode(query)
        radius_km = parse_radius(radius) if radius not in (None, "") else None
    except GeoError as exc:
        field = "radius" if "radius" in str(exc).lower() else "near"
        reason = scrub_value(str(exc), [query, radius])  # the rule, never the place sent
        raise MatchInputError(field, "could not be used: " + reason[:200]) from None
    return found.lat, found.lon, radius_km


def _note_words(facts: Any, drop_ruled_out: bool = False) -> list[str]:
    """Every distinct word of the note (stopwords aside); with ``drop_ruled_out`` not
    the words of findings it denies or gives to a relative."""
    from trialatlas.store.fts_query import STOPWORDS, fts_words

    sentences = [list(sentence) for sentence in facts.sentences]
    if drop_ruled_out and len(facts.sentence_spans) == len(sentences):
        for _, finding in facts.findings():
            index = finding.sentence
            if finding.status not in ("absent", "family") or index is None or finding.start is None:
                continue
            offset = facts.sentence_spans[index][0]
            for i in range(finding.start - offset, (finding.end or finding.start) - offset):
                if 0 <= i < len(sentences[index]):
                    sentences[index][i] = " "
    words = fts_words(" ".join("".join(chars) for chars in sentences))
    return [w for w in words if w not in STOPWORDS]


def _telling_words(store: Store, words: list[str], most: int = NOTE_WORDS) -> list[str]:
    """The ``most`` rarest of ``words`` in the store (the ones that tell trials apart; a
    word every other trial holds adds little to BM25 and costs the most to rank at full
    registry scale), in their order; words no trial holds are dropped."""
    counts = store.text_document_frequencies(words)
    held = [w for w in words if counts.get(w, 0) > 0]
    if len(held) <= most:
        return held
    keep = set(sorted(held, key=lambda w: counts[w])[:most])
    return [w for w in held if w in keep]


class _Pool:
    """Loads candidate studies in batches and keeps those that fit the place and status."""

    def __init__(
        self,
        store: Store,
        place: tuple[float, float, float | None] | None,
        open_only: bool,
        *,
        near: str | None = None,
        unit: DistanceUnit = "mi",
    ) -> None:
        self.store, self.place, self.open_only = store, place, open_only
        self.near, self.unit = (near or "").strip() or None, unit
        self._studies: dict[str, Study] = {}
        self._nearest: dict[str, NearestSite | None] = {}

    def studies(self, nct_ids: list[str]) -> dict[str, Study]:
        missing = [n for n in nct_ids if n not in self._studies]
        if missing:
            self._studies.update(self.store.get_studies(missing))
        return {n: self._studies[n] for n in nct_ids if n in self._studies}

    def take(self, fused: list[Candidate], depth: int) -> list[tuple[Candidate, Study]]:
        chosen: list[tuple[Candidate, Study]] = []
        for start in range(0, len(fused), _LOAD_BATCH):
            batch = fused[start : start + _LOAD_BATCH]
            studies = self.studies([c.nct_id for c in batch])
            for candidate in batch:
                study = studies.get(candidate.nct_id)
                if study is not None and self._fits(study):
                    chosen.append((candidate, study))
                    if len(chosen) >= depth:
                        return chosen
        return chosen

    def _fits(self, study: Study) -> bool:
        if self.open_only and study.status.overall_status not in OPEN_STATUSES:
            return False
        if self.place is None:
            return True
        site = self.nearest(study)
        radius_km = self.place[2]
        if radius_km is None:
            return True
        if site is None or site.distance_km is None:
            return False
        return site.in_searched_city or site.distance_km <= radius_km

    def nearest(self, study: Study) -> NearestSite | None:
        if self.place is None:
            return None
        if study.nct_id not in self._nearest:
            lat, lon, radius_km = self.place
            clinics = find_clinics(study, self.near or f"{lat}, {lon}", unit=self.unit)
            placed = [s for s in clinics.sites if s.distance_km is not None]
            counted = [  # a site within the radius (or in the searched city) comes first
                s for s in placed
                if radius_km is None or s.in_searched_city or (s.distance_km or 0.0) <= radius_km
            ]  # fmt: skip
            site = next(iter(counted or placed), None)
            self._nearest[study.nct_id] = (
                None
                if site is None
                else NearestSite(
                    facility=site.facility,
                    city=site.city,
                    state=site.state,
                    country=site.country,
                    distance_km=site.distance_km,
                    distance_mi=site.distance_mi,
                    approximate=site.location_precision == "city",
                    in_searched_city=site.in_searched_city,
                    distance_text=site.distance_text,
                )
            )
        return self._nearest[study.nct_id]


def _check(study: Study, understood: PatientInput, today: dt.date | None) -> EligibilityCheck:
    from trialatlas.features.matching.facts_to_prescreen import facts_to_prescreen
    from trialatlas.features.prescreen.inputs import PrescreenInput

    if understood.profile is not None:
        profile = understood.profile

        def to_input(form: Any) -> tuple[PrescreenInput, dict[str, list[int]]]:
            return PrescreenInput(profile=profile), {}
    else:

        def to_input(form: Any) -> tuple[PrescreenInput, dict[str, list[int]]]:
            given = facts_to_prescreen(understood.facts, form)
            return given.input, given.evidence

    return check_eligibility(study, to_input, understood.facts.sentences, today)


def _why(study: Study, query: PatientQuery) -> list[str]:
    about = " ".join([study.title, *study.conditions, *study.keywords]).lower()
    shared = [t for t in query.condition_terms if t.lower() in about]
    reasons = [f"about {t}" for t in shared[:3]]
    if study.status.overall_status in OPEN_STATUSES:
        reasons.append("open to enrollment")
    return reasons


def _nearness(place_given: bool, nearest: NearestSite | None) -> float:
    """With a place given, a trial with a site close by goes a little higher (a site
    within about 50 miles counts in full; a trial with no site placed counts as far)."""
    if not place_given:
        return 1.0
    km = nearest.distance_km if nearest is not None else None
    for limit_km, factor in NEARNESS:
        if km is not None and km <= limit_km:
            return factor
    return NEARNESS[-1][1]


def _trial_match(
    study: Study,
    relevance: float,
    check: EligibilityCheck | None,
    query: PatientQuery,
    nearest: NearestSite | None,
    nearness: float = 1.0,
) -> TrialMatch:
    eligibility = check.eligibility if check else "unknown"
    return TrialMatch(
        nct_id=study.nct_id,
        title=study.title,
        overall_status=study.status.overall_status,
        open=study.status.overall_status in OPEN_STATUSES,
        score=round(relevance * (check.factor if check else 1.0) * nearness, 4),
        eligibility=eligibility,
        eligibility_label=ELIGIBILITY_LABELS[eligibility],
        summary=check.summary if check else "Criteria not checked.",
        why=_why(study, query),
        criteria=check.criteria if check else [],
        nearest_site=nearest,
    )


def _understood(facts: Any) -> dict[str, Any]:
    data: dict[str, Any] = facts.model_dump(mode="json")
    return data


def _notes(facts: Any, query: PatientQuery) -> list[str]:
    notes: list[str] = []
    if not query.shown_terms:
        notes.append(
            "We found no condition in the description; name the diagnosis to get better matches."
        )
    if getattr(facts, "age", None) is None:
        notes.append("No age found: age limits were not checked.")
    if getattr(facts, "sex", None) is None:
        notes.append("No sex found: trials for one sex were not checked.")
    return notes
