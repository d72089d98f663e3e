""" "What is the purpose of this trial?" — the summary in short plain sentences, then the facts.

The sentence that states the aim is kept: one under a PURPOSE/OBJECTIVE heading, or
one that says so ("The purpose of this study is …", "This study will …", "We will …",
"To determine whether …", "Phase II trial to study …"), from the brief summary, else
the detailed description; only then the first summary sentences, never a RATIONALE or
background one. It is stripped of labels and made plain with the glossary and a few
rules; a sentence still too long is cut only where a whole clause ends ("… in people
with …"), else left out: never a fragment. Then what is tested, in whom, the main
measure and the planned size, each from its own field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialatlas.features.patient_summary.glossary import Glossary
from trialatlas.features.patient_summary.model import Answer, Sentence
from trialatlas.features.patient_summary.naming import Naming
from trialatlas.features.patient_summary.prevention import prevention_sentence
from trialatlas.features.patient_summary.prose import (
    as_sentence,
    lower_first,
    plural,
    split_labels,
    split_sentences,
    word_count,
)
from trialatlas.model.study import Study

QUESTION = "What is the purpose of this trial?"
MAX_SUMMARY_SENTENCES = 2
MAX_WORDS = 22
MAX_AIM_WORDS = 24  # a sentence that states the aim may run a little longer
SPLIT_WORDS = 20  # longer sentences are split at semicolons and dashes first
_SPLIT_LONG = re.compile(r"\s*;\s+|\s+[-–—]\s+")
MAX_MEASURE_WORDS = 14
_PURPOSE_HINT = re.compile(
    r"\b(?:purpose|aim|goal|objective|this (?:research )?(?:study|trial|project)|we (?:will|propose|plan))\b",
    re.IGNORECASE,
)
_REWRITES = (
    (re.compile(r"^the (?:main |primary )?(?:purpose|aim|goal|objective) of this (?:research )?(?:study|trial|project) is to\b", re.I), "This study aims to"),
    (re.compile(r"^this (?:research )?(?:study|trial) is designed to\b", re.I), "This study aims to"),
    (re.compile(r"^(?:the )?(?:study|trial) (?:is designed )?to\b", re.I), "This study aims to"),
    (re.compile(r"^to\b", re.I), "This study aims to"),
    (re.compile(r"\bin treating patients (?:who have|with)\b", re.I), "in people with"),
    (re.compile(r"\bpatients\b", re.I), "people"),
)  # fmt: skip
_OUTCOME_LEAD = re.compile(r"^(?:change|changes) (?:in|from baseline in)\s+", re.I)


def purpose_answer(study: Study, names: Naming, glossary: Glossary) -> Answer:
    """The purpose in the record's own words (made plain), then what, who, measure and size."""
    explained: set[str] = set()
    sentences = _summary_sentences(study, glossary, explained)
    sentences += _what_and_who(study, names)
    measure = _main_measure(study, glossary, explained)
    if measure is not None:
        sentences.append(measure)
    size = _size(study)
    if size is not None:
        sentences.append(size)
    return Answer(id="purpose", question=QUESTION, sentences=sentences)


def _summary_sentences(study: Study, glossary: Glossary, explained: set[str]) -> list[Sentence]:
    if not study.brief_summary and not study.detailed_description:
        return [
            Sentence(
                text="The record gives no summary of the trial's goal.", sources=["brief_summary"]
            )
        ]
    chosen = _chosen_summary(study, glossary, explained)
    if chosen:
        return chosen
    return [
        Sentence(
            text="The record does not sum up its goal in a few plain words. "
            "Its own summary is on the full registry page.",
            sources=["brief_summary", "detailed_description"],
        )
    ]


def _chosen_summary(study: Study, glossary: Glossary, explained: set[str]) -> list[Sentence]:
    brief = _ranked(study.brief_summary)
    detailed = _ranked(study.detailed_description)
    # The aim stated in the brief summary, else in the detailed description, else a
    # sentence that mentions a goal, else the first sentences (never the background).
    tiers = (
        [(c, "brief_summary") for c in brief if c.rank == _STRONG],
        [(c, "detailed_description") for c in detailed if c.rank == _STRONG],
        [(c, "brief_summary") for c in brief if c.rank == _WEAK],
        [(c, "brief_summary") for c in brief if c.rank == _PLAIN][:2],
        [(c, "detailed_description") for c in detailed if c.rank == _PLAIN][:1]
        if not brief
        else [],
    )
    for tier in tiers:
        out: list[Sentence] = []
        for candidate, source in tier:
            tried = set(explained)
            pieces = _usable(candidate.text, glossary, tried, candidate.rank == _STRONG)
            if not pieces:
                continue
            explained.update(tried)
            out += [Sentence(text=as_sentence(p), sources=[source]) for p in pieces]
            if len(out) >= MAX_SUMMARY_SENTENCES:
                break
        if out:
            return out[:MAX_SUMMARY_SENTENCES]
    return []


_STRONG, _WEAK, _PLAIN, _BACKGROUND = 0, 1, 2, 3
_AIM_LABELS = re.compile(
    r"^(?:(?:study |primary |main |specific )?(?:purpose|objectives?|aims?|goals?)|primary)$"
)
_BACKGROUND_LABELS = re.compile(r"^(?:rationale|background|introduction|overview|hypothes[ie]s)$")
_OTHER_LABELS = re.compile(r"^(?:secondary.*|study design|design|description)$")
_AIM_VERBS = (
    r"(?:determine|evaluate|assess|compare|test|study|find|investigate|examine|see|learn|establish|"
    r"demonstrate|measure|characteri[sz]e|identify|describe|explore|develop|understand|obtain|"
    r"confirm|estimate|document|define|show|prevent|improve|reduce|treat|collect|provide|use|"
    r"conduct|perform|analy[sz]e|carry out)"
)
_AIM_CUES = re.compile(
    rf"\b(?:purpose|aim|goal|objective)s?\s+(?:of\s+(?:this|the|our)\s+(?:[\w-]+\s+){{0,3}}?"
    rf"(?:study|trial|research|project|protocol|proposal)\s+)?(?:is|are|was|were|will\s+be)\b"
    rf"|\b(?:this|the\s+present|the\s+proposed|our)\s+(?:[\w-]+\s+){{0,3}}?(?:study|trial|research|project|protocol)\s+"
    rf"(?:will|aims?|is\s+(?:designed|intended|being\s+(?:done|performed|conducted|carried\s+out)|to)|seeks?|"
    rf"proposes?|plans?|tests?|evaluates?|compares?|investigates?|examines?|assesses?|hopes?|wants?|"
    rf"looks?\s+at|is\s+(?:testing|comparing|looking|studying|evaluating))\b"
    rf"|\bwe\s+(?:will|propose|plan|aim|intend|hypothesi[sz]e|seek|want|are\s+(?:testing|studying|comparing))\b"
    rf"|^(?:to|primary\s+objective\s+is\s+to)\s+(?:\w+\s+)?{_AIM_VERBS}\b"
    rf"|\btrial\s+to\s+(?:study|compare|test|evaluate|determine|see)\b"
    rf"|^this\s+is\s+an?\s+(?:[\w,/-]+\s+){{0,6}}?(?:study|trial)\s+(?:to|of|that|which|in\s+which|comparing|testing)\b"
    rf"|\b(?:is|are)\s+(?:designed\s+)?to\s+{_AIM_VERBS}\b(?=.*\b(?:study|trial|research)\b)"
    rf"|\bto\s+(?:determine|test|see|find\s+out|evaluate|learn|assess)\s+(?:whether|if)\b",
    re.IGNORECASE,
)
# "To evaluate X, changes were compared …": a method, not the aim.
_TO_THEN_CLAUSE = re.compile(
    r"^to\b[^,]*,\s+(?:[\w'-]+\s+){0,5}?(?:was|were|is|are|will|have|has)\b", re.I
)
_AIM_IMPERATIVE = re.compile(rf"^{_AIM_VERBS}s?\b", re.IGNORECASE)
_GOAL_WORDS = re.compile(r"\b(?:purpose|aim|goal|objective)s?\b", re.IGNORECASE)
_NOT_AIM = re.compile(
    r"^(?:also|in addition|however|therefore|thus|furthermore)\b|"
    r"\b(?:(?:may|might) be eligible|eligible for|are allowed to|(?:is|are) associated with|"
    r"secondary (?:aims?|objectives?|goals?|purpose))\b"
    # background, or a sentence that leans on the one before it: meaningless alone
    r"|^in the (?:literature|past|last)\b|^(?:previous|prior|several|many|recent) (?:studies|trials|reports)\b"
    r"|\bit is (?:particularly |very |also |therefore )?(?:important|necessary|essential|unclear|unknown|"
    r"not known)\b"
    r"|^(?:these|those|such)\s+(?!(?:research|studies|trials)\b)\w+"
    r"|\b(?:these|those)\s+(?:associations?|findings|results|data|factors|effects|changes|"
    r"questions|issues|problems|observations)\b"
    r"|\b(?:were|was) (?:examined|analy[sz]ed|studied|assessed|evaluated|compared|measured)\.?$",
    re.IGNORECASE,
)
# A sentence that says something about this trial names who or what it is about.
_ABOUT_TRIAL = re.compile(
    r"\b(?:study|trial|research|project|participants?|patients?|people|subjects?|volunteers?|"
    r"children|adults?|women|men|infants|persons?|individuals|treat\w*|drugs?|therap\w*|vaccine\w*|"
    r"medic\w*|surgery|device|program\w*|intervention\w*)\b",
    re.IGNORECASE,
)


@dataclass
class _Candidate:
    text: str
    rank: int


def _ranked(text: str | None) -> list[_Candidate]:
    """The sentences of ``text`` in order, each ranked by how plainly it states the aim."""
    out: list[_Candidate] = []
    section = _PLAIN
    for raw in split_sentences(text or ""):
        labels, sentence = split_labels(raw)
        for label in labels:
            if _AIM_LABELS.match(label):
                section = _STRONG
            elif _BACKGROUND_LABELS.match(label):
                section = _BACKGROUND
            elif _OTHER_LABELS.match(label):
                section = _PLAIN if not label.startswith("secondary") else _WEAK
        if word_count(sentence) < 4 or sentence.endswith(":"):
            continue
        if _NOT_AIM.search(sentence) or _TO_THEN_CLAUSE.match(sentence):
            rank = _BACKGROUND
        elif not _ABOUT_TRIAL.search(sentence) and not _AIM_CUES.search(sentence):
            rank = _BACKGROUND  # "Bivariate dependent survival distributions were examined."
        elif _AIM_CUES.search(sentence) or (section == _STRONG and _AIM_IMPERATIVE.match(sentence)):
            rank = _STRONG
        elif section == _STRONG and out and out[-1].rank == _STRONG:
            rank = _WEAK  # more of the aim section ("Bone marrow transplant may …")
        elif section in (_STRONG, _BACKGROUND):
            rank = section if section == _BACKGROUND else _WEAK
        elif _GOAL_WORDS.search(sentence):
            rank = _WEAK
        else:
            rank = _PLAIN
        if rank == _STRONG and _AIM_IMPERATIVE.match(sentence):
            sentence = f"This study aims to {lower_first(sentence)}"
        out.append(_Candidate(sentence, rank))
    return out


def _usable(raw: str, glossary: Glossary, explained: set[str], aim: bool = False) -> list[str]:
    """The sentence made plain, as whole short sentences; empty when it cannot be cut
    without losing its meaning (never a fragment)."""
    plain = _rewrite(glossary.plain(raw, explained))
    pieces = _SPLIT_LONG.split(plain) if word_count(plain) > SPLIT_WORDS else [plain]
    out = []
    for piece in pieces:
        short = _safe_shorten(piece.strip(), MAX_AIM_WORDS if aim else MAX_WORDS)
        if short is None:
            return out
        if word_count(short) >= 4:
            out.append(short)
    return out


_PARENTHESIS = re.compile(r"\s*\([^()]*\)")
# Where a long aim sentence can end and still say a whole thing: before who takes part
# (the next sentence says it), before a relative or purpose clause.
_SAFE_CUTS = re.compile(
    r"\s+(?=(?:in|among|for) (?:[\w-]+\s+){0,4}?(?:people|patients|adults|children|women|men|infants|"
    r"participants|volunteers|subjects|those|individuals|adolescents|veterans)\b)"
    r"|\s+(?=in an? (?:[\w-]+\s+){0,3}?(?:study|trial|cohort|group)\b)"
    r"|,?\s+(?=(?:which|who|that are|because|since|in order to|so that|by (?:using|giving)|using|"
    r"compared (?:with|to)|when (?:given|used|added|combined))\b)"
    r"|,\s+(?=and (?:to|will|then|also)\b)",
    re.IGNORECASE,
)
_DANGLING = re.compile(
    r"\b(?:both|either|between|whether|and|or|of|the|a|an|to|with|in|for|as|than|those|including|such|"
    r"each|all|these|its|their)$",
    re.IGNORECASE,
)


def _safe_shorten(text: str, max_words: int) -> str | None:
    if word_count(text) <= max_words:
        return text
    text = _PARENTHESIS.sub("", text)
    if word_count(text) <= max_words:
        return text
    best = None
    for match in _SAFE_CUTS.finditer(text):
        head = text[: match.start()].rstrip(" ,;:")
        if word_count(head) > max_words:
            break
        if (
            word_count(head) >= 6
            and not _DANGLING.search(head)
            and head.count("(") == head.count(")")
        ):
            best = head
    return best


_PHASE_LEAD = re.compile(
    r"^(?:(?:randomi[sz]ed|pilot|open-label|multicenter|single-arm)\b(?:\s*\([^)]*\))?,?\s+)*"
    r"phase ((?:i{1,3}|iv|[1-4])(?:\s*/\s*(?:i{1,3}|iv|[1-4]))?) trial to (study|compare|test|find out|determine)\b",
    re.IGNORECASE,
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_VERB_3RD = {"study": "studies", "compare": "compares", "test": "tests", "find out": "aims to find out",
             "determine": "aims to find out"}  # fmt: skip


def _phase_lead(match: re.Match[str]) -> str:
    phase = "/".join(_ROMAN.get(p.strip().lower(), p.strip()) for p in match.group(1).split("/"))
    return f"This phase {phase} trial {_VERB_3RD[match.group(2).lower()]}"


def _rewrite(text: str) -> str:
    text = _PHASE_LEAD.sub(_phase_lead, text)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return (
        re.sub(r"\s+\.(?=\s|$)", "", text).rstrip(". ") if text.rstrip().endswith(". .") else text
    )


def _what_and_who(study: Study, names: Naming) -> list[Sentence]:
    condition = names.condition_in_text
    if study.design.study_type == "OBSERVATIONAL":
        who = (
            f" of people with {condition}"
            if condition and "healthy" not in condition.lower()
            else ""
        )
        return [
            Sentence(
                text=f"It is an observational study{who}.",
                sources=["design.study_type", *names.condition_sources],
            ),
            Sentence(
                text="The researchers watch and record what happens. They do not give a new treatment.",
                sources=["design.study_type"],
            ),
        ]
    if names.treatment and condition:
        if study.design.primary_purpose == "PREVENTION" and "healthy" not in condition.lower():
            sentence = prevention_sentence(study, names)
            return [sentence] if sentence is not None else []
        who = "healthy volunteers" if "healthy" in condition.lower() else f"people with {condition}"
        return [
            Sentence(
                text=f"It tests {names.treatment} in {who}.",
                sources=names.treatment_sources + names.condition_sources,
            )
        ]
    if names.treatment:
        return [Sentence(text=f"It tests {names.treatment}.", sources=names.treatment_sources)]
    return []


_MEASURE_CUT = re.compile(
    r"\s*[(\[:;]|,\s|\s+(?=(?:as (?:measured|assessed|determined|defined)|measured|assessed|"
    r"evaluated|determined|defined) (?:by|with|using|according)\b|using\b|according to\b|at (?:week|day|month|"
    r"baseline)\b|from baseline\b|over\b|during\b|up to\b|through\b)",
    re.IGNORECASE,
)


def _main_measure(study: Study, glossary: Glossary, explained: set[str]) -> Sentence | None:
    """The first primary outcome in short; a sentence that says so when the record names none."""
    primary = [(i, o) for i, o in enumerate(study.outcomes) if o.kind == "primary"]
    if not primary:
        if study.design.study_type == "EXPANDED_ACCESS":
            return None
        return Sentence(
            text="The record does not say what main result the trial measures.",
            sources=["outcomes"],
        )
    i, outcome = primary[0]
    measure = _OUTCOME_LEAD.sub("", glossary.plain(outcome.measure.strip(), explained))
    if word_count(measure) > MAX_MEASURE_WORDS:
        measure = _MEASURE_CUT.split(measure, 1)[0].strip(" ,;:-")
    if (
        word_count(measure) > MAX_MEASURE_WORDS
        or word_count(measure) < 1
        or _DANGLING.search(measure)
    ):
        return Sentence(
            text="The main results the trial measures are listed on the full registry page.",
            sources=[f"outcomes[{i}].measure"],
        )
    return Sentence(
        text=as_sentence(f"The main result they measure is {_measure_case(measure)}"),
        sources=[f"outcomes[{i}].measure"],
    )


def _measure_case(measure: str) -> str:
    """Lower the first letter of an everyday first word, never of a name or an acronym."""
    words = measure.split(" ")
    first, second = words[0], words[1] if len(words) > 1 else ""
    title_cased = second[:1].isupper()  # "First Occurrence of …": the registry's own capitals
    if (
        first[:1].isupper()
        and first[1:] == first[1:].lower()
        and len(first) > 1
        and not title_cased
    ):
        return lower_first(measure)
    return measure


def _size(study: Study) -> Sentence | None:
    count = study.design.enrollment_count
    if not count:
        return None
    verb = "enrolled" if study.design.enrollment_type == "ACTUAL" else "plans to enroll"
    return Sentence(
        text=f"The trial {verb} {plural(count, 'person', 'people')}.",
        sources=["design.enrollment_count", "design.enrollment_type"],
    )
