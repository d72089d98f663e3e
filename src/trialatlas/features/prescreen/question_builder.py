"""Questions from specs: a number or yes/no spec becomes a :class:`Question` with its check.

:class:`QuestionBuilder` collects the questions of one questionnaire; an identical
question asked twice is asked once, with both checks.
"""

from __future__ import annotations

from trialatlas.features.prescreen.model import CheckedCriterion, Question, TeamCheck
from trialatlas.features.prescreen.numbers import NumberSpec
from trialatlas.features.prescreen.phrasing import unescape
from trialatlas.features.prescreen.range_checks import disqualifying_words
from trialatlas.features.prescreen.yesno import FALLBACK, YesNoSpec
from trialatlas.model.criteria import Criterion


class QuestionBuilder:
    """Collects questions; an identical question asked twice is asked once."""

    def __init__(self) -> None:
        self.questions: list[Question] = []
        self._by_text: dict[tuple[str, str, str | None], Question] = {}
        self.team: list[TeamCheck] = []

    def add(self, question: Question) -> None:
        """Add ``question``, or its check to the same question already added."""
        key = (question.text, question.answer_type, question.unit)
        existing = self._by_text.get(key) if question.text != FALLBACK else None
        if existing is not None and existing.checks[0].key != question.checks[0].key:
            existing.checks.extend(question.checks)
            return
        if existing is not None:
            question = question.model_copy(update={"id": f"{question.id}x"})
        self._by_text[key] = question
        self.questions.append(question)

    def question(self, question_id: str) -> Question | None:
        """The question with id ``question_id``, if one was added."""
        return next((q for q in self.questions if q.id == question_id), None)


def checked_criterion(
    index: int, criterion: Criterion, spec: NumberSpec | YesNoSpec
) -> CheckedCriterion:
    """The check of criterion ``index`` a spec's question carries."""
    words = (
        disqualifying_words(spec.check)
        if isinstance(spec, NumberSpec)
        else spec.disqualifying_answer
    )
    return CheckedCriterion(
        key=f"c{index}",
        index=index,
        kind=criterion.kind,
        source="criteria",
        text=unescape(criterion.text),
        disqualifying_answer=words,
        label=spec.label,
        check=spec.check,
    )


def spec_question(
    qid: str, index: int, criterion: Criterion, spec: NumberSpec | YesNoSpec
) -> Question:
    """The question ``qid`` asking ``spec`` about criterion ``index``."""
    checked = checked_criterion(index, criterion, spec)
    if isinstance(spec, NumberSpec):
        return Question(
            id=qid,
            group=spec.group,
            text=spec.text,
            help=spec.help,
            answer_type="number",  # type: ignore[arg-type]
            unit=spec.unit,
            units=spec.units,
            not_applicable=spec.not_applicable,
            profile_terms=spec.terms,
            measure=spec.measure,
            checks=[checked],
        )
    return Question(
        id=qid,
        group=spec.group,
        text=spec.text,
        help=spec.help,  # type: ignore[arg-type]
        answer_type=spec.answer_type,
        window_days=spec.window_days,  # type: ignore[arg-type]
        before_days=spec.before_days,  # type: ignore[arg-type]
        require_all=spec.require_all,
        never_label=spec.never_label,
        profile_terms=spec.terms,
        checks=[checked],
    )
