"""Who does the research and who runs the trial: officials, lead sponsor, collaborators."""

from __future__ import annotations

from trialatlas.features.patient_summary.model import Organization, Running, Sentence, TeamMember
from trialatlas.features.patient_summary.prose import join_words
from trialatlas.model.codes import label
from trialatlas.model.study import Study

# Sponsor classes (registry codes) in words a patient understands.
CLASS_WORDS = {
    "NIH": "the U.S. National Institutes of Health",
    "FED": "a U.S. government agency",
    "OTHER_GOV": "a government agency",
    "INDUSTRY": "a company",
    "NETWORK": "a research network",
    "INDIV": "a single researcher",
    "OTHER": "a hospital, university or other group, not a company",
}
CLASS_SENTENCES = {
    "NIH": "It is part of the U.S. National Institutes of Health.",
    "OTHER": "It is not a company or a government agency.",
}


def research_team(study: Study) -> tuple[list[TeamMember], Sentence | None]:
    """Overall officials with role and affiliation; else the responsible investigator; else a note."""
    members = [
        TeamMember(
            name=o.name, role=label("official_role", o.role) or None, affiliation=o.affiliation
        )
        for o in study.overall_officials
    ]
    if members:
        return members, None
    party = study.sponsors.responsible_party
    if party is not None and party.investigator_full_name:
        member = TeamMember(
            name=party.investigator_full_name,
            role=party.investigator_title or label("responsible_party_type", party.type) or None,
            affiliation=party.investigator_affiliation,
        )
        return [member], None
    note = Sentence(
        text="The record does not name the researchers. The sponsor can tell you who leads the trial.",
        sources=["overall_officials", "sponsors.responsible_party"],
    )
    return [], note


def running(study: Study) -> Running:
    """The lead sponsor with its class in words, and the collaborators."""
    orgs: list[Organization] = []
    sentences: list[Sentence] = []
    lead = study.sponsors.lead_sponsor
    if lead is not None:
        words = CLASS_WORDS.get(lead.org_class or "")
        orgs.append(
            Organization(
                name=lead.name, role="Lead Sponsor", class_code=lead.org_class, class_words=words
            )
        )
        sentences.append(
            Sentence(text=f"{lead.name} leads the trial.", sources=["sponsors.lead_sponsor.name"])
        )
        if words:
            text = CLASS_SENTENCES.get(lead.org_class or "", f"It is {words}.")
            sentences.append(Sentence(text=text, sources=["sponsors.lead_sponsor.org_class"]))
    else:
        sentences.append(
            Sentence(
                text="The record does not name the lead sponsor.", sources=["sponsors.lead_sponsor"]
            )
        )
    for org in study.sponsors.collaborators:
        orgs.append(
            Organization(
                name=org.name,
                role="Collaborator",
                class_code=org.org_class,
                class_words=CLASS_WORDS.get(org.org_class or ""),
            )
        )
    if study.sponsors.collaborators:
        names = join_words([c.name for c in study.sponsors.collaborators[:4]])
        more = " and others" if len(study.sponsors.collaborators) > 4 else ""
        sentences.append(
            Sentence(text=f"It works with {names}{more}.", sources=["sponsors.collaborators"])
        )
    return Running(organizations=orgs, sentences=sentences)
