"""Eligibility criteria as structured, checkable records.

A parsed criteria text is an ordered list of :class:`Criterion` (one per bullet,
numbered item or line), each with its kind (inclusion / exclusion), its parent
(for nested bullets) and its structure: the :class:`Entity` mentions it names,
the numeric :class:`Comparison` it states and the :class:`TimeWindow` it sets.

Every ``start``/``end`` pair indexes the *original* input text, so
``source[start:end] == text`` holds for criteria, entities, comparisons, windows
and comparison subjects alike. The records are shaped so that a pre-screener can
turn each comparison / window / entity into one question and one verdict. No I/O.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CriterionKind = Literal["inclusion", "exclusion"]

EntityType = Literal[
    "condition",
    "drug",
    "procedure",
    "measurement",
    "value",
    "temporal",
    "demographic",
    "pregnancy",
    "device",
    "behaviour",
]

Operator = Literal[">=", "<=", ">", "<", "==", "between"]

WindowRelation = Literal[
    "within",  # within 3 months (prior to X): the event happened in the last N
    "in the past",  # in the past 12 months
    "at least before",  # at least 2 weeks before X: the event is older than N
    "before",  # 4 weeks prior to X (as written; usually read as "within")
    "for at least",  # for at least 6 months: a minimum duration
    "for",  # for 6 months: a duration
    "after",  # N after X (follow-up, contraception after the last dose)
]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Span(_Record):
    """A piece of the input text: ``source[start:end] == text``."""

    text: str
    start: int
    end: int


class Entity(Span):
    """A typed mention (condition, drug, lab, …) with its ConText assertions.

    ``normalized`` is the preferred name from a shipped vocabulary (drug
    dictionary, ICD-10) when one was found; ``code`` and ``system`` name the
    concept there (``I10`` / ``ICD-10``, ``D019384`` / ``MeSH``).
    """

    type: EntityType
    negated: bool = False
    uncertain: bool = False
    historical: bool = False
    normalized: str | None = None
    code: str | None = None
    system: str | None = None


class Comparison(Span):
    """A numeric constraint: ``subject operator value [unit]``.

    ``operator`` ``between`` uses ``value`` as the lower and ``upper_value`` as
    the upper bound (inclusive unless ``lower_inclusive``/``upper_inclusive``
    say otherwise). ``unit`` is the unit as written, ``unit_normalized`` its
    pint spelling and ``value_canonical``/``upper_canonical`` the value in the
    canonical unit of that dimension (``canonical_unit``). ``uln_multiplier``
    is set for limits relative to the upper limit of normal (``> 2 × ULN``);
    then ``value`` is the multiplier itself.
    """

    subject: Span | None = None
    operator: Operator
    value: float
    upper_value: float | None = None
    lower_inclusive: bool = True
    upper_inclusive: bool = True
    unit: str | None = None
    unit_normalized: str | None = None
    canonical_unit: str | None = None
    value_canonical: float | None = None
    upper_canonical: float | None = None
    uln_multiplier: float | None = None
    reference: Literal["ULN", "LLN"] | None = None


class TimeWindow(Span):
    """A time constraint: ``within 3 months prior to enrollment`` → 91.3125 days.

    ``days`` uses 1 week = 7, 1 month = 30.4375, 1 year = 365.25 days (calendar
    averages). ``anchor`` is the reference event (``enrollment``, ``screening``, ``treatment``,
    ``randomization``, ``surgery``, ``study``, …) when the text names one.
    """

    relation: WindowRelation
    amount: float
    unit: Literal["hour", "day", "week", "month", "year"]
    days: float
    anchor: str | None = None


class Criterion(Span):
    """One eligibility criterion: a bullet, numbered item or line."""

    kind: CriterionKind
    parent: int | None = None
    depth: int = 0
    entities: list[Entity] = Field(default_factory=list)
    comparisons: list[Comparison] = Field(default_factory=list)
    windows: list[TimeWindow] = Field(default_factory=list)


class ParsedCriteria(_Record):
    """The criteria of one trial, in text order, with the text they index."""

    source: str
    criteria: list[Criterion] = Field(default_factory=list)

    def children(self, index: int) -> list[int]:
        """Indexes of the criteria nested directly under criterion ``index``."""
        return [i for i, c in enumerate(self.criteria) if c.parent == index]
