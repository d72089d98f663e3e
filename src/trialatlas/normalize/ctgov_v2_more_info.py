"""API v2 ``moreInfoModule`` → the results' limitations, agreements and point of contact.

The coded "certain agreements" become the registry's own sentences (the same the
legacy XML carries), so both source formats give the same text; the API v2 converter
reads them back into codes.
"""

from __future__ import annotations

from typing import Any

from trialatlas.normalize.ctgov_v2_fields import Tree
from trialatlas.normalize.values import get_bool, get_dict, get_str

# The registry's own wording for the coded "certain agreements" (the same sentences
# the legacy XML carries), so both source formats give the same text.
PI_EMPLOYEE = {
    True: "All Principal Investigators ARE employed by the organization sponsoring the study.",
    False: "Principal Investigators are NOT employed by the organization sponsoring the study.",
}
NO_AGREEMENT = (
    "There is NOT an agreement between Principal Investigators and the Sponsor (or its "
    "agents) that restricts the PI's rights to discuss or publish trial results after the "
    "trial is completed."
)
AGREEMENT = (
    "There IS an agreement between Principal Investigators and the Sponsor (or its agents) "
    "that restricts the PI's rights to discuss or publish trial results after the trial is "
    "completed."
)
_EMBARGO = (
    "The only disclosure restriction on the PI is that the sponsor can review results "
    "communications prior to public release and can embargo communications regarding trial "
    "results for a period that is {period}. The sponsor cannot require changes to the "
    "communication and cannot extend the embargo."
)
RESTRICTION = {
    "LTE60": _EMBARGO.format(period="less than or equal to 60 days"),
    "GT60": _EMBARGO.format(period="more than 60 days but less than or equal to 180 days"),
}


def _certain_agreement(ca: dict[str, Any], path: str) -> str | None:
    """``certainAgreement`` (coded) → the registry's sentences, one per line.

    ``restrictionType`` OTHER is described by the sponsor's own ``otherDetails``.
    """
    lines: list[str] = []
    employee = get_bool(ca, "piSponsorEmployee", path)
    if employee is not None:
        lines.append(PI_EMPLOYEE[employee])
    restrictive = get_bool(ca, "restrictiveAgreement", path)
    kind = get_str(ca, "restrictionType", path)
    details = get_str(ca, "otherDetails", path)
    if restrictive is False:
        lines.append(NO_AGREEMENT)
    elif kind in RESTRICTION:
        lines.append(RESTRICTION[kind])
    elif details is None and (restrictive or kind):
        lines.append(AGREEMENT)
    if details is not None:
        lines.append(details)
    return "\n".join(lines) or None


def _point_of_contact(poc: dict[str, Any], path: str) -> str | None:
    """``pointOfContact`` → ``Title, Organization, email, phone ext. N`` as posted."""
    phone = get_str(poc, "phone", path)
    ext = get_str(poc, "phoneExt", path)
    if phone and ext:
        phone = f"{phone} ext. {ext}"
    parts = [
        get_str(poc, "title", path),
        get_str(poc, "organization", path),
        get_str(poc, "email", path),
        phone,
    ]
    return ", ".join(p for p in parts if p) or None


def more_info_tree(mod: dict[str, Any], path: str) -> Tree | None:
    """The :class:`~trialatlas.model.results.MoreInfo` fields, or None when all are empty."""
    limits = get_dict(mod, "limitationsAndCaveats", path)
    info = {
        "limitations": get_str(limits, "description", f"{path}.limitationsAndCaveats"),
        "certain_agreement": _certain_agreement(
            get_dict(mod, "certainAgreement", path), f"{path}.certainAgreement"
        ),
        "point_of_contact": _point_of_contact(
            get_dict(mod, "pointOfContact", path), f"{path}.pointOfContact"
        ),
    }
    return info if any(info.values()) else None
