"""Registry codes (ClinicalTrials.gov API v2 spelling) and their human labels: the one lookup."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "overall_status": {
        "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
        "COMPLETED": "Completed",
        "ENROLLING_BY_INVITATION": "Enrolling by invitation",
        "NOT_YET_RECRUITING": "Not yet recruiting",
        "RECRUITING": "Recruiting",
        "SUSPENDED": "Suspended",
        "TERMINATED": "Terminated",
        "WITHDRAWN": "Withdrawn",
        "AVAILABLE": "Available",
        "NO_LONGER_AVAILABLE": "No longer available",
        "TEMPORARILY_NOT_AVAILABLE": "Temporarily not available",
        "APPROVED_FOR_MARKETING": "Approved for marketing",
        "WITHHELD": "Withheld",
        "UNKNOWN": "Unknown status",
    },
    "phase": {
        "NA": "Not applicable",
        "EARLY_PHASE1": "Early Phase 1",
        "PHASE1": "Phase 1",
        "PHASE2": "Phase 2",
        "PHASE3": "Phase 3",
        "PHASE4": "Phase 4",
    },
    "study_type": {
        "INTERVENTIONAL": "Interventional",
        "OBSERVATIONAL": "Observational",
        "EXPANDED_ACCESS": "Expanded access",
        "NA": "Not applicable",  # legacy records ("N/A")
    },
    "allocation": {
        "RANDOMIZED": "Randomized",
        "NON_RANDOMIZED": "Non-randomized",
        "NA": "Not applicable",
    },
    "intervention_model": {
        "SINGLE_GROUP": "Single group",
        "PARALLEL": "Parallel",
        "CROSSOVER": "Crossover",
        "FACTORIAL": "Factorial",
        "SEQUENTIAL": "Sequential",
    },
    "primary_purpose": {
        "TREATMENT": "Treatment",
        "PREVENTION": "Prevention",
        "DIAGNOSTIC": "Diagnostic",
        "ECT": "Educational/counseling/training",
        "SUPPORTIVE_CARE": "Supportive care",
        "SCREENING": "Screening",
        "HEALTH_SERVICES_RESEARCH": "Health services research",
        "BASIC_SCIENCE": "Basic science",
        "DEVICE_FEASIBILITY": "Device feasibility",
        "OTHER": "Other",
    },
    "masking": {
        "NONE": "None (Open Label)",
        "SINGLE": "Single",
        "DOUBLE": "Double",
        "TRIPLE": "Triple",
        "QUADRUPLE": "Quadruple",
    },
    "who_masked": {
        "PARTICIPANT": "Participant",
        "CARE_PROVIDER": "Care Provider",
        "INVESTIGATOR": "Investigator",
        "OUTCOMES_ASSESSOR": "Outcomes Assessor",
    },
    "observational_model": {
        "COHORT": "Cohort",
        "CASE_CONTROL": "Case-control",
        "CASE_ONLY": "Case-only",
        "CASE_CROSSOVER": "Case-crossover",
        "ECOLOGIC_OR_COMMUNITY": "Ecologic or community",
        "FAMILY_BASED": "Family-based",
        "DEFINED_POPULATION": "Defined population",
        "NATURAL_HISTORY": "Natural history",
        "OTHER": "Other",
    },
    "time_perspective": {
        "RETROSPECTIVE": "Retrospective",
        "PROSPECTIVE": "Prospective",
        "CROSS_SECTIONAL": "Cross-sectional",
        "OTHER": "Other",
    },
    "arm_type": {
        "EXPERIMENTAL": "Experimental",
        "ACTIVE_COMPARATOR": "Active comparator",
        "PLACEBO_COMPARATOR": "Placebo comparator",
        "SHAM_COMPARATOR": "Sham comparator",
        "NO_INTERVENTION": "No intervention",
        "OTHER": "Other",
    },
    "intervention_type": {
        "DRUG": "Drug",
        "DEVICE": "Device",
        "BIOLOGICAL": "Biological",
        "PROCEDURE": "Procedure",
        "RADIATION": "Radiation",
        "BEHAVIORAL": "Behavioral",
        "GENETIC": "Genetic",
        "DIETARY_SUPPLEMENT": "Dietary supplement",
        "COMBINATION_PRODUCT": "Combination product",
        "DIAGNOSTIC_TEST": "Diagnostic test",
        "OTHER": "Other",
    },
    "sex": {"ALL": "All", "FEMALE": "Female", "MALE": "Male"},
    "std_age": {"CHILD": "Child", "ADULT": "Adult", "OLDER_ADULT": "Older adult"},
    "agency_class": {
        "NIH": "NIH",
        "FED": "U.S. federal agency",
        "OTHER_GOV": "Other government",
        "INDIV": "Individual",
        "INDUSTRY": "Industry",
        "NETWORK": "Network",
        "AMBIG": "Ambiguous",
        "OTHER": "Other",
        "UNKNOWN": "Unknown",
    },
    "responsible_party_type": {
        "SPONSOR": "Sponsor",
        "PRINCIPAL_INVESTIGATOR": "Principal Investigator",
        "SPONSOR_INVESTIGATOR": "Sponsor-Investigator",
    },
    "official_role": {
        "PRINCIPAL_INVESTIGATOR": "Principal Investigator",
        "STUDY_CHAIR": "Study Chair",
        "STUDY_DIRECTOR": "Study Director",
        "SUB_INVESTIGATOR": "Sub-Investigator",
        "CONTACT": "Contact",
    },
    "reference_type": {"BACKGROUND": "Background", "RESULT": "Result", "DERIVED": "Derived"},
    "ipd_plan": {"YES": "Yes", "NO": "No", "UNDECIDED": "Undecided"},
    "secondary_id_type": {
        "NIH": "U.S. NIH Grant/Contract",
        "FDA": "FDA",
        "VA": "U.S. Department of Veterans Affairs",
        "CDC": "CDC",
        "AHRQ": "AHRQ",
        "SAMHSA": "SAMHSA",
        "OTHER_GRANT": "Other grant/funding number",
        "EUDRACT_NUMBER": "EudraCT number",
        "CTIS": "EU trial number (CTIS)",
        "REGISTRY": "Registry identifier",
        "OTHER": "Other identifier",
    },
    "ipd_info_type": {
        "STUDY_PROTOCOL": "Study protocol",
        "SAP": "Statistical analysis plan (SAP)",
        "ICF": "Informed consent form (ICF)",
        "CSR": "Clinical study report (CSR)",
        "ANALYTIC_CODE": "Analytic code",
    },
    "sampling_method": {
        "PROBABILITY_SAMPLE": "Probability sample",
        "NON_PROBABILITY_SAMPLE": "Non-probability sample",
    },
    "param_type": {
        "GEOMETRIC_MEAN": "Geometric mean",
        "GEOMETRIC_LEAST_SQUARES_MEAN": "Geometric least squares mean",
        "LEAST_SQUARES_MEAN": "Least squares mean",
        "LOG_MEAN": "Log mean",
        "MEAN": "Mean",
        "MEDIAN": "Median",
        "NUMBER": "Number",
        "COUNT_OF_PARTICIPANTS": "Count of participants",
        "COUNT_OF_UNITS": "Count of units",
    },
    "dispersion_type": {
        "NA": "Not applicable",
        "STANDARD_DEVIATION": "Standard deviation",
        "STANDARD_ERROR": "Standard error",
        "INTER_QUARTILE_RANGE": "Inter-quartile range",
        "FULL_RANGE": "Full range",
        "CONFIDENCE_80": "80% confidence interval",
        "CONFIDENCE_90": "90% confidence interval",
        "CONFIDENCE_95": "95% confidence interval",
        "CONFIDENCE_975": "97.5% confidence interval",
        "CONFIDENCE_99": "99% confidence interval",
        "CONFIDENCE_OTHER": "Other confidence interval",
        "GEOMETRIC_COEFFICIENT": "Geometric coefficient of variation",
    },
    "outcome_type": {
        "PRIMARY": "Primary",
        "SECONDARY": "Secondary",
        "OTHER_PRE_SPECIFIED": "Other pre-specified",
        "POST_HOC": "Post hoc",
    },
    "site_status": {
        "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
        "COMPLETED": "Completed",
        "ENROLLING_BY_INVITATION": "Enrolling by invitation",
        "NOT_YET_RECRUITING": "Not yet recruiting",
        "RECRUITING": "Recruiting",
        "SUSPENDED": "Suspended",
        "TERMINATED": "Terminated",
        "WITHDRAWN": "Withdrawn",
        "AVAILABLE": "Available",
        "NO_LONGER_AVAILABLE": "No longer available",
        "TEMPORARILY_NOT_AVAILABLE": "Temporarily not available",
        "APPROVED_FOR_MARKETING": "Approved for marketing",
        "WITHHELD": "Withheld",
        "UNKNOWN": "Unknown status",
    },
    "enrollment_type": {"ACTUAL": "Actual", "ESTIMATED": "Estimated"},
}

OPEN_STATUSES = frozenset({"RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION"})


def label(kind: str, code: str | None) -> str:
    """Human label for a registry code; an unknown code is shown as written, its words
    capitalized ("NA" of any kind is "Not applicable", never "Na")."""
    if code is None:
        return ""
    known = LABELS.get(kind, {}).get(code)
    if known is not None:
        return known
    return "Not applicable" if code == "NA" else code.replace("_", " ").capitalize()


def phases_label(phases: list[str]) -> str:
    """``["PHASE1", "PHASE2"]`` → ``Phase 1/Phase 2``."""
    return "/".join(label("phase", p) for p in phases)


def masking_label(masking: str | None, who: list[str]) -> str:
    """``TRIPLE`` + who → ``Triple (Participant, Care Provider, Investigator)``."""
    text = label("masking", masking)
    if who and masking and masking != "NONE":
        text += " (" + ", ".join(label("who_masked", w) for w in who) + ")"
    return text
