"""The trial's timeline from the record: Screening → Treatment → Crossover → Follow-up.

Treatment is described per arm (who gets what). A Crossover step appears only when
the design is a crossover or an arm or intervention text says participants switch
("re-assigned", "cross over"); its timing ("After 6 months") comes from that text.
Follow-up takes its length from the arm and intervention texts ("followed for 12
months"), else from the longest outcome time frame; when neither gives one, the
step says the record is silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialatlas.features.patient_summary.model import Sentence, TimelineStep
from trialatlas.features.patient_summary.naming import (
    COMPARATOR_ARM_TYPES,
    Naming,
    short_list,
    tidy_intervention_name,
)
from trialatlas.features.patient_summary.prose import as_sentence, number_text, split_sentences
from trialatlas.model.study import Study

MAX_ARMS = 4
_NUMBER = (
    r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|twenty-four)"
)
_UNIT = r"(days?|weeks?|months?|years?)"
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "twelve": 12, "eighteen": 18, "twenty-four": 24}  # fmt: skip
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_SWITCH = re.compile(
    r"cross(?:-|\s)?(?:ed\s+)?over|switch(?:es|ed)?\s+to|re-?assigned|re-?allocated|"
    r"will\s+then\s+receive|then\s+receive|after\s+unblinding",
    re.IGNORECASE,
)
_WHEN = re.compile(
    rf"\b(?:after|at|following)\s+(?:the\s+)?(?:first\s+)?{_NUMBER}\s*-?\s*{_UNIT}", re.I
)
_WEEK_N = re.compile(r"\b(day|week|month|year)s?\s*(\d+(?:\.\d+)?)\b", re.IGNORECASE)
_AMOUNT_UNIT = re.compile(rf"\b{_NUMBER}\s*-?\s*{_UNIT}\b", re.IGNORECASE)
_FOLLOW = re.compile(
    rf"follow(?:ed)?(?:[- ]?up)?\s+(?:visits?\s+)?(?:for|of|up\s+to|over|through)\s+(?:up\s+to\s+|a\s+total\s+of\s+|another\s+)?"
    rf"{_NUMBER}\s*-?\s*{_UNIT}|{_NUMBER}\s*-?\s*{_UNIT}\s+(?:of\s+)?follow[- ]?up",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Length:
    """A length of time as written (``12 months``) with its size in days, and where it was found."""

    text: str
    days: float
    source: str


def _length(amount: str, unit: str, source: str) -> Length:
    value = float(_WORD_NUMBERS.get(amount.lower(), 0) or amount)
    unit = unit.lower().rstrip("s")
    word = unit if value == 1 else unit + "s"
    return Length(f"{number_text(value)} {word}", value * _UNIT_DAYS[unit], source)


def timeline(study: Study, names: Naming) -> list[TimelineStep]:
    """The steps a participant goes through, as far as the record tells."""
    steps = [
        TimelineStep(
            kind="screening",
            title="Screening",
            sentences=[
                Sentence(
                    text="The team checks whether you can join the trial.",
                    sources=["eligibility.criteria_text"],
                )
            ],
        ),
        _treatment(study),
    ]
    crossover = _crossover(study, names)
    if crossover is not None:
        steps.append(crossover)
    steps.append(_follow_up(study))
    return steps


def _treatment(study: Study) -> TimelineStep:
    if study.design.study_type == "OBSERVATIONAL":
        return TimelineStep(
            kind="treatment",
            title="Study period",
            sentences=[
                Sentence(
                    text="The researchers collect information about you. You do not get a new treatment.",
                    sources=["design.study_type"],
                )
            ],
        )
    sentences: list[Sentence] = []
    for i, arm in enumerate(study.arms[:MAX_ARMS]):
        names = [tidy_intervention_name(n) for n in arm.intervention_names]
        if names:
            sentences.append(
                Sentence(
                    text=f"People in the group “{arm.label}” get {short_list(names)}.",
                    sources=[f"arms[{i}].label", f"arms[{i}].intervention_names"],
                )
            )
        elif arm.type == "NO_INTERVENTION":
            sentences.append(
                Sentence(
                    text=f"People in the group “{arm.label}” get no study treatment.",
                    sources=[f"arms[{i}].type"],
                )
            )
    if len(study.arms) > MAX_ARMS:
        sentences.append(
            Sentence(text=f"There are {len(study.arms)} groups in all.", sources=["arms"])
        )
    if not sentences and study.interventions:
        names = [tidy_intervention_name(iv.name) for iv in study.interventions]
        sentences.append(
            Sentence(text=f"Participants get {short_list(names)}.", sources=["interventions"])
        )
    if study.design.allocation == "RANDOMIZED" and len(study.arms) > 1:
        sentences.append(
            Sentence(text="Chance decides which group you are in.", sources=["design.allocation"])
        )
    if (
        study.design.masking in ("DOUBLE", "TRIPLE", "QUADRUPLE")
        or "PARTICIPANT" in study.design.who_masked
    ):
        sentences.append(
            Sentence(
                text="You will not know which treatment you get.",
                sources=["design.masking", "design.who_masked"],
            )
        )
    if not sentences:
        sentences.append(
            Sentence(
                text="The record does not describe the treatment schedule.",
                sources=["arms", "interventions"],
            )
        )
    return TimelineStep(kind="treatment", title="Treatment", sentences=sentences)


def _switch_texts(study: Study) -> list[tuple[str, str]]:
    """(sentence, source) pairs of arm, intervention and design texts that mention a switch."""
    found = []
    texts = [(a.description, f"arms[{i}].description") for i, a in enumerate(study.arms)]
    texts += [
        (iv.description, f"interventions[{i}].description")
        for i, iv in enumerate(study.interventions)
    ]
    texts.append(
        (study.design.intervention_model_description, "design.intervention_model_description")
    )
    for text, source in texts:
        for sentence in split_sentences(text or ""):
            if _SWITCH.search(sentence):
                found.append((sentence, source))
    return found


def _crossover(study: Study, names: Naming) -> TimelineStep | None:
    switches = _switch_texts(study)
    labelled = [
        i for i, a in enumerate(study.arms) if re.search(r"cross(?:-|\s)?over", a.label, re.I)
    ]
    if study.design.intervention_model != "CROSSOVER" and not switches:
        return None
    sources = [source for _, source in switches] or ["design.intervention_model"]
    when = None
    for sentence, _ in switches:
        match = _WHEN.search(sentence)
        if match:
            when = f"After {_length(match.group(1), match.group(2), '').text}"
            break
    from_arm = next((i for i in labelled if study.arms[i].type in COMPARATOR_ARM_TYPES), None)
    if from_arm is None:
        from_arm = next((i for i in labelled), None)
    if from_arm is not None and names.treatment:
        sources.append(f"arms[{from_arm}].label")
        text = f"people in the group “{study.arms[from_arm].label}” switch to {names.treatment}"
    else:
        text = "the groups switch treatments"
        if study.design.intervention_model == "CROSSOVER":
            sources.append("design.intervention_model")
    sentences = [Sentence(text=as_sentence(f"{when}, {text}" if when else text), sources=sources)]
    if when is None:
        sentences.append(Sentence(text="The record does not say exactly when.", sources=sources))
    return TimelineStep(kind="crossover", title="Crossover", when=when, sentences=sentences)


def follow_up_length(study: Study) -> Length | None:
    """How long participants are followed: stated follow-up first, else the longest time frame."""
    stated: list[Length] = []
    texts = [(a.description, f"arms[{i}].description") for i, a in enumerate(study.arms)]
    texts += [
        (iv.description, f"interventions[{i}].description")
        for i, iv in enumerate(study.interventions)
    ]
    texts.append(
        (study.design.intervention_model_description, "design.intervention_model_description")
    )
    for text, source in texts:
        for m in _FOLLOW.finditer(text or ""):
            amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            stated.append(_length(amount, unit, source))
    if stated:
        return max(stated, key=lambda length: length.days)
    frames: list[Length] = []
    for i, outcome in enumerate(study.outcomes):
        frame = outcome.time_frame or ""
        source = f"outcomes[{i}].time_frame"
        frames += [_length(a, u, source) for a, u in _AMOUNT_UNIT.findall(frame)]
        frames += [_length(n, u, source) for u, n in _WEEK_N.findall(frame)]
    frames = [f for f in frames if 0 < f.days <= 365 * 30]
    return max(frames, key=lambda length: length.days) if frames else None


def _follow_up(study: Study) -> TimelineStep:
    length = follow_up_length(study)
    if length is None:
        return TimelineStep(
            kind="follow_up",
            title="Follow-up",
            sentences=[
                Sentence(
                    text="The record does not say how long the team follows participants.",
                    sources=["outcomes", "arms"],
                )
            ],
        )
    sources = [length.source]
    same = [
        f"outcomes[{i}].time_frame"
        for i, o in enumerate(study.outcomes)
        if length.text in (o.time_frame or "")
    ]
    sources += [s for s in same if s not in sources]
    if study.design.study_type == "OBSERVATIONAL":
        text = f"The team follows participants for up to {length.text}."
        extra = "They record how participants' health changes."
    else:
        upto = "" if length.source.startswith(("arms", "interventions", "design")) else "up to "
        text = f"After treatment, the team checks on participants for {upto}{length.text}."
        extra = "They watch for side effects and see how well the treatment works."
    return TimelineStep(
        kind="follow_up",
        title="Follow-up",
        when=length.text,
        sentences=[Sentence(text=text, sources=sources), Sentence(text=extra, sources=sources)],
    )
