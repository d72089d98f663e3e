"""Pre-screening: a trial's questionnaire, and verdicts on a patient's answers or profile.

``questionnaire(study)`` asks one plain question per checkable criterion;
``prescreen(study, answers | profile)`` gives met / not met / unknown per criterion
and an overall verdict. Answers and profiles are never stored or logged.
"""

from trialatlas.features.prescreen.answer_checks import (
    AnswerProblem,
    answer_problems,
    problems_message,
)
from trialatlas.features.prescreen.answers import unknown_answer_ids
from trialatlas.features.prescreen.inputs import PrescreenInput, PrescreenInputError, read_input
from trialatlas.features.prescreen.model import (
    DISCLAIMER,
    CriterionVerdict,
    PrescreenResult,
    Question,
    Questionnaire,
)
from trialatlas.features.prescreen.questions import build_questionnaire, questionnaire
from trialatlas.features.prescreen.screen import prescreen, screen

__all__ = [
    "DISCLAIMER",
    "AnswerProblem",
    "CriterionVerdict",
    "PrescreenInput",
    "PrescreenInputError",
    "PrescreenResult",
    "Question",
    "Questionnaire",
    "answer_problems",
    "build_questionnaire",
    "prescreen",
    "problems_message",
    "questionnaire",
    "read_input",
    "screen",
    "unknown_answer_ids",
]
