"""Result types of the related-trials feature (both the pages and the JSON render them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# overall statuses under which a trial takes (or will take) participants
OPEN_STATUSES = frozenset(
    {"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "AVAILABLE"}
)


class RelatedTrial(BaseModel):
    """A similar trial: why it is similar, how similar (0–1), and whether it is open."""

    model_config = ConfigDict(extra="forbid")

    nct_id: str
    title: str
    overall_status: str | None = None  # registry code
    status_label: str | None = None  # the same, for people ("Recruiting")
    open: bool = False
    score: float = 0.0
    reasons: list[str] = Field(default_factory=list)

    @property
    def reason(self) -> str | None:
        """The strongest reason (the short lists show only this one)."""
        return self.reasons[0] if self.reasons else None


class RelatedTrials(BaseModel):
    """The trials most like ``nct_id``: the 5 closest, then the next 10 (best first)."""

    model_config = ConfigDict(extra="forbid")

    nct_id: str
    related: list[RelatedTrial] = Field(default_factory=list)
    more_related: list[RelatedTrial] = Field(default_factory=list)

    @property
    def all(self) -> list[RelatedTrial]:
        return [*self.related, *self.more_related]
