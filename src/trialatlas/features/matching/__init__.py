"""Patient-to-trial matching: a patient's description → the trials they probably fit, explained.

``match_patient(store, patient, …)`` reads free text, a patient profile or a FHIR
Bundle, retrieves candidates (BM25 fused with dense vectors), and re-ranks them by
their eligibility criteria judged against what was understood. Never stored or logged.
"""

from trialatlas.features.matching.match import MatchOptions, match_patient
from trialatlas.features.matching.model import MatchResult, TrialMatch
from trialatlas.features.matching.patient_input import MatchInputError

__all__ = ["MatchInputError", "MatchOptions", "MatchResult", "TrialMatch", "match_patient"]
