"""Who runs a trial and where: sponsors, responsible party, investigators, contacts, sites.

Part of the full registry page (:mod:`trialatlas.features.trial_page`); codes are
labelled through :mod:`trialatlas.model.codes`. Pure, no I/O.
"""

from __future__ import annotations

from pydantic import Field

from trialatlas.features.trial_sections import Part
from trialatlas.model.codes import label
from trialatlas.model.study import Contact, Study


class OrgView(Part):
    name: str
    role: str  # "Lead sponsor" or "Collaborator"
    class_code: str | None = None
    class_label: str | None = None


class PersonView(Part):
    name: str
    role_label: str | None = None
    title: str | None = None
    affiliation: str | None = None


class ContactView(Part):
    name: str | None = None
    role_label: str | None = None
    phone: str | None = None
    email: str | None = None


class SiteView(Part):
    facility: str | None = None
    place: str | None = None  # "Jacksonville, Florida, United States"
    zip: str | None = None
    status_code: str | None = None
    status_label: str | None = None
    contacts: list[ContactView] = Field(default_factory=list)


def sponsors_view(study: Study) -> list[OrgView]:
    """Lead sponsor, then collaborators, each with its organization class."""
    orgs = []
    lead = study.sponsors.lead_sponsor
    if lead is not None:
        orgs.append(
            OrgView(
                name=lead.name,
                role="Lead sponsor",
                class_code=lead.org_class,
                class_label=label("agency_class", lead.org_class) or None,
            )
        )
    for org in study.sponsors.collaborators:
        orgs.append(
            OrgView(
                name=org.name,
                role="Collaborator",
                class_code=org.org_class,
                class_label=label("agency_class", org.org_class) or None,
            )
        )
    return orgs


def responsible_party(study: Study) -> PersonView | None:
    """The investigator named by the record, or the lead sponsor when the sponsor is responsible."""
    party = study.sponsors.responsible_party
    if party is None:
        return None
    role = label("responsible_party_type", party.type) or None
    name = party.investigator_full_name or party.old_name_title
    if name is None and party.type == "SPONSOR" and study.sponsors.lead_sponsor:
        name = study.sponsors.lead_sponsor.name
    if name is None:
        return PersonView(name=role or "Not stated", role_label=None) if role else None
    title = party.investigator_title if party.investigator_title != role else None
    return PersonView(
        name=name,
        role_label=role,
        title=title,
        affiliation=party.investigator_affiliation or party.old_organization,
    )


def investigators(study: Study) -> list[PersonView]:
    """Overall officials with their labelled role and affiliation."""
    return [
        PersonView(
            name=o.name,
            role_label=label("official_role", o.role) or None,
            affiliation=o.affiliation,
        )
        for o in study.overall_officials
    ]


def contacts_view(contacts: list[Contact]) -> list[ContactView]:
    """Contacts with labelled roles; a phone extension joins its number."""
    out = []
    for c in contacts:
        phone = f"{c.phone} ext. {c.phone_ext}" if c.phone and c.phone_ext else c.phone
        out.append(
            ContactView(
                name=c.name,
                role_label=label("official_role", c.role) or None,
                phone=phone,
                email=c.email,
            )
        )
    return out


def sites(study: Study) -> list[SiteView]:
    """Study sites: facility, "City, State, Country", status label, site contacts."""
    return [
        SiteView(
            facility=loc.facility,
            place=", ".join(p for p in (loc.city, loc.state, loc.country) if p) or None,
            zip=loc.zip,
            status_code=loc.status,
            status_label=label("overall_status", loc.status) or None,
            contacts=contacts_view(loc.contacts),
        )
        for loc in study.locations
    ]


def countries(study: Study) -> list[str]:
    """Distinct countries with at least one site, alphabetically."""
    return sorted({loc.country for loc in study.locations if loc.country})
