"""Related trials: the trials most like one trial, each with a score and its reasons."""

from trialatlas.features.related.model import OPEN_STATUSES, RelatedTrial, RelatedTrials
from trialatlas.features.related.related import NeighbourIndex, related_trials

__all__ = ["OPEN_STATUSES", "NeighbourIndex", "RelatedTrial", "RelatedTrials", "related_trials"]
