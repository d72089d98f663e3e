"""A :class:`TrialPage` as terminal text, section by section in the page's order.

Each section prints with the labels the feature result already carries: nothing is
recomputed here. A section the record has nothing for says so, as the web page does.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from trialatlas.cli.results_text import table_lines
from trialatlas.features.criteria_text import Block, OutlineList
from trialatlas.features.results_tables import Note, ResultTable
from trialatlas.features.trial_page import RelatedTrial, TrialPage
from trialatlas.features.trial_people import ContactView
from trialatlas.features.trial_sections import Fact, LinkView

PLAIN_WIDTH = 120  # width a results table may take when stdout is not a terminal

# What a section says when the record has nothing for it (as the web page says it).
EMPTY = {
    "basic-information": "The registry record gives no status, phase, enrollment or dates.",
    "brief-summary": "The registry record has no brief summary.",
    "detailed-description": "The registry record has no detailed description.",
    "conditions": "The registry record lists no conditions.",
    "study-design": "The registry record gives no design details.",
    "study-groups": "The registry record describes no study groups.",
    "interventions": "The registry record lists no interventions.",
    "outcome-measures": "The registry record lists no outcome measures.",
    "eligibility": "The registry record gives no eligibility criteria text.",
    "sponsors": "The registry record names no sponsor.",
    "responsible-party": "The registry record names no responsible party.",
    "investigators": "The registry record names no investigators.",
    "locations": "The registry record lists no study sites.",
    "countries": "The registry record lists no countries.",
    "related-links": "The registry record has no related links or publications.",
    "other-identifiers": "The registry record has no other identifiers.",
    "ipd-sharing": "The registry record has no statement about sharing individual participant data.",
}


class PageText:
    """Writes a :class:`TrialPage` as text, one section after another."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.width = out.width if out.is_terminal else max(out.width, PLAIN_WIDTH)
        self.sections: dict[str, Callable[[TrialPage], bool]] = {
            "results": self.results,
            "basic-information": lambda p: self.facts(p.basic_information),
            "brief-summary": lambda p: self.blocks(p.brief_summary),
            "related": lambda p: self.related(p.related),
            "detailed-description": lambda p: self.blocks(p.detailed_description),
            "conditions": self.conditions,
            "study-design": lambda p: self.facts(p.study_design),
            "study-groups": self.study_groups,
            "interventions": self.interventions,
            "outcome-measures": self.outcome_measures,
            "eligibility": self.eligibility,
            "sponsors": self.sponsors,
            "responsible-party": self.responsible_party,
            "investigators": self.investigators,
            "locations": self.locations,
            "countries": self.countries,
            "related-links": self.related_links,
            "other-identifiers": self.identifiers,
            "ipd-sharing": self.ipd_sharing,
            "more-related": lambda p: self.related(p.more_related),
        }

    # -- output helpers ------------------------------------------------------------
    def line(self, text: str = "", style: str | None = None) -> None:
        """``text`` as it is (never read as markup)."""
        self.out.print(f"[{style}]{escape(text)}[/]" if style and text else escape(text))

    def heading(self, title: str) -> None:
        self.out.print()
        self.line(title, "bold underline")

    def subhead(self, title: str) -> None:
        self.line(title, "bold")

    def facts(self, facts: list[Fact], pad: str = "") -> bool:
        for fact in facts:
            note = f" ({fact.note})" if fact.note else ""
            self.line(f"{pad}{fact.label}: {fact.value}{note}")
        return bool(facts)

    def labelled(self, pad: str, *pairs: tuple[str, str | None]) -> None:
        """``{pad}{label}: {value}`` for each pair that has a value (no label: the value)."""
        for name, value in pairs:
            if value:
                self.line(f"{pad}{name}: {value}" if name else f"{pad}{value}")

    def notes(self, notes: list[Note], pad: str = "") -> None:
        for note in notes:
            self.line(f"{pad}{note.label}: {note.text}")

    def blocks(self, blocks: list[Block], depth: int = 0) -> bool:
        pad = "  " * depth
        for block in blocks:
            if isinstance(block, OutlineList):
                for item in block.items:
                    self.line(f"{pad}{item.marker} {item.text}")
                    self.blocks(item.children, depth + 1)
            else:
                self.line(f"{pad}{block.text}")
        return bool(blocks)

    def link(self, view: LinkView) -> str:
        return f"{view.label} <{view.url}>" if view.url and view.url != view.label else view.label

    def contact(self, contact: ContactView, pad: str) -> None:
        parts = (contact.name, contact.role_label, contact.phone, contact.email)
        self.line(pad + ", ".join(p for p in parts if p))

    # -- the page ------------------------------------------------------------------
    def render(self, page: TrialPage) -> None:
        self.header(page)
        for section in page.sections:
            if section.hidden:
                continue
            self.heading(section.title)
            if not self.sections[section.id](page) and section.id in EMPTY:
                self.line(EMPTY[section.id], "dim")

    def header(self, page: TrialPage) -> None:
        h = page.header
        self.line(h.title, "bold")
        if h.official_title and h.official_title != h.title:
            self.line(h.official_title)
        meta = [f"NCT ID: {h.nct_id}"]
        if h.acronym:
            meta.append(f"Acronym: {h.acronym}")
        if h.last_updated:
            meta.append(f"Last Updated: {h.last_updated}")
        self.line("    ".join(meta))
        badges = [b for b in (h.status_label, h.phase_label) if b]
        if badges:
            self.line(" | ".join(badges))
        self.line(f"ClinicalTrials.gov: {h.registry_url}")

    def results(self, page: TrialPage) -> bool:
        view = page.results
        if not view.posted or view.tables is None:
            self.line(view.message or "")
            return True
        tables = view.tables
        self.line("Results posted by the study team.")
        for title, group in (
            (None, tables.participant_flow),
            (None, tables.baseline),
            ("Outcome measures", tables.outcome_measures),
            ("Adverse events", tables.adverse_events),
        ):
            if title and group:
                self.out.print()
                self.subhead(title)
            for table in group:
                self.result_table(table)
        if tables.notes:
            self.out.print()
            self.notes(tables.notes)
        return True

    def result_table(self, table: ResultTable) -> None:
        self.out.print()
        subtitle = f" ({table.subtitle})" if table.subtitle else ""
        self.subhead(f"{table.title}{subtitle}")
        self.notes(table.notes, "  ")
        for text in table_lines(table, self.width - 2):
            self.line(f"  {text}".rstrip())

    def related(self, trials: list[RelatedTrial]) -> bool:
        for trial in trials:
            self.line(f"{trial.nct_id}  {trial.title}")
            if trial.reason:
                self.line(f"  {trial.reason}")
        return bool(trials)

    def conditions(self, page: TrialPage) -> bool:
        view = page.conditions
        if view.conditions:
            self.line(", ".join(view.conditions))
        for name, terms in (
            ("Keywords", view.keywords),
            ("MeSH terms (conditions)", view.condition_mesh_terms),
            ("MeSH terms (interventions)", view.intervention_mesh_terms),
        ):
            if terms:
                self.line(f"{name}: {', '.join(terms)}")
        return bool(view.conditions)

    def study_groups(self, page: TrialPage) -> bool:
        for arm in page.study_groups:
            kind = f" ({arm.type_label})" if arm.type_label else ""
            self.line(f"{arm.label}{kind}", "bold")
            if arm.description:
                self.line(f"  {arm.description}")
            for iv in arm.interventions:
                kind = f" ({iv.type_label})" if iv.type_label else ""
                self.line(f"  - {iv.name}{kind}")
                if iv.description:
                    self.line(f"    {iv.description}")
        return bool(page.study_groups)

    def interventions(self, page: TrialPage) -> bool:
        for iv in page.interventions:
            kind = f" ({iv.type_label})" if iv.type_label else ""
            self.line(f"{iv.name}{kind}", "bold")
            self.labelled(
                "  ",
                ("", iv.description),
                ("Other names", ", ".join(iv.other_names)),
                ("Study groups", "; ".join(iv.arm_labels)),
            )
        return bool(page.interventions)

    def outcome_measures(self, page: TrialPage) -> bool:
        for group in page.outcome_measures:
            self.subhead(group.title)
            for number, outcome in enumerate(group.outcomes, start=1):
                self.line(f"{number}. {outcome.measure}")
                self.labelled("   ", ("", outcome.description), ("Time frame", outcome.time_frame))
        return bool(page.outcome_measures)

    def eligibility(self, page: TrialPage) -> bool:
        self.facts(page.eligibility.facts)
        for section in page.eligibility.criteria:
            if section.heading:
                self.subhead(section.heading)
            self.blocks(section.blocks)
        return bool(page.eligibility.criteria)

    def sponsors(self, page: TrialPage) -> bool:
        for org in page.sponsors:
            kind = f" (Organization type: {org.class_label})" if org.class_label else ""
            self.line(f"{org.name} — {org.role}{kind}")
        return bool(page.sponsors)

    def responsible_party(self, page: TrialPage) -> bool:
        person = page.responsible_party
        if person is None:
            return False
        self.line(person.name, "bold")
        self.labelled("  ", ("", person.role_label), ("", person.title), ("", person.affiliation))
        return True

    def investigators(self, page: TrialPage) -> bool:
        for person in page.investigators:
            self.line(person.name, "bold")
            self.labelled("  ", ("Role", person.role_label), ("", person.affiliation))
        return bool(page.investigators)

    def locations(self, page: TrialPage) -> bool:
        if page.central_contacts:
            self.subhead("Study contacts")
            for contact in page.central_contacts:
                self.contact(contact, "  ")
        if not page.locations:
            return bool(page.central_contacts)
        count = len(page.locations)
        self.line(f"{count:,} site{'' if count == 1 else 's'}")
        for site in page.locations:
            status = f" [{site.status_label}]" if site.status_label else ""
            self.line(f"{site.facility or 'Site name not given'}{status}", "bold")
            self.labelled("  ", ("", site.place), ("Postal code", site.zip))
            for contact in site.contacts:
                self.contact(contact, "  Contact: ")
        return True

    def countries(self, page: TrialPage) -> bool:
        if page.countries:
            self.line(", ".join(page.countries))
        return bool(page.countries)

    def related_links(self, page: TrialPage) -> bool:
        for link in page.see_also_links:
            self.line(f"- {self.link(link)}")
        if page.references:
            self.subhead("Publications")
        for number, ref in enumerate(page.references, start=1):
            self.line(f"{number}. {ref.citation or '(no citation)'}")
            where = (
                f"PubMed {ref.pmid} <{ref.url}>"
                if ref.url
                else (f"PMID {ref.pmid}" if ref.pmid else "")
            )
            meta = ", ".join(p for p in (ref.type_label, where) if p)
            if meta:
                self.line(f"   {meta}")
        return bool(page.see_also_links or page.references)

    def identifiers(self, page: TrialPage) -> bool:
        for ident in page.identifiers:
            self.line(ident.id, "bold")
            self.labelled(
                "  ",
                ("Identifier Type", ident.type_label),
                ("Identifier Source", ident.source),
                ("Domain", ident.domain),
                ("Link", ident.link),
            )
        return bool(page.identifiers)

    def ipd_sharing(self, page: TrialPage) -> bool:
        view = page.ipd_sharing
        self.facts(view.facts)
        if view.url:
            self.line(f"More information: {self.link(view.url)}")
        return bool(view.facts or view.url)
