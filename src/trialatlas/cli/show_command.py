"""``trialatlas show``: one trial's registry page in the terminal, or its JSON."""

from __future__ import annotations

import orjson
from rich.console import Console
from rich.markup import escape

from trialatlas.features.criteria_text import Block, OutlineList
from trialatlas.features.trial_page import TrialPage, trial_page
from trialatlas.store.base import Store


def render_show(store: Store, nct_id: str, as_json: bool) -> int:
    """Print the page (text or JSON, the same feature result as ``/api/trials/{id}``).

    Returns the exit code: 0, or 1 when the store has no such trial.
    """
    page = trial_page(store, nct_id)
    out = Console(highlight=False, soft_wrap=True)
    if page is None:
        Console(stderr=True).print(f"No trial with NCT ID {escape(nct_id)!s} in this store.")
        return 1
    if as_json:
        print(orjson.dumps(page.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode())
        return 0
    _render_text(out, page)
    return 0


def _heading(out: Console, title: str) -> None:
    out.print(f"\n[bold underline]{escape(title)}[/]")


def _blocks(out: Console, blocks: list[Block], depth: int = 0) -> None:
    pad = "  " * depth
    for block in blocks:
        if isinstance(block, OutlineList):
            for item in block.items:
                out.print(f"{pad}{escape(item.marker)} {escape(item.text)}")
                _blocks(out, item.children, depth + 1)
        else:
            out.print(f"{pad}{escape(block.text)}")


def _render_text(out: Console, page: TrialPage) -> None:
    h = page.header
    out.print(f"[bold]{escape(h.title)}[/]")
    out.print(f"NCT ID: {h.nct_id}    Last Updated: {h.last_updated or '-'}")
    _heading(out, "Study Results")
    out.print(escape(page.results.message or "Posted results: see --json or the web page."))
    _heading(out, "Basic Information")
    for fact in page.basic_information:
        note = f" ({fact.note})" if fact.note else ""
        out.print(f"{escape(fact.label)}: {escape(fact.value)}{escape(note)}")
    if page.brief_summary:
        _heading(out, "Brief Summary")
        _blocks(out, page.brief_summary)
    if page.conditions.conditions:
        _heading(out, "Conditions")
        out.print(escape(", ".join(page.conditions.conditions)))
    _heading(out, "Study Design")
    for fact in page.study_design:
        out.print(f"{escape(fact.label)}: {escape(fact.value)}")
    if page.study_groups:
        _heading(out, "Study Groups")
        for arm in page.study_groups:
            out.print(f"[bold]{escape(arm.label)}[/] ({escape(arm.type_label or '-')})")
            if arm.description:
                out.print(f"  {escape(arm.description)}")
    if page.interventions:
        _heading(out, "Interventions")
        for iv in page.interventions:
            out.print(f"[bold]{escape(iv.name)}[/] ({escape(iv.type_label or '-')})")
            if iv.description:
                out.print(f"  {escape(iv.description)}")
    _heading(out, "Eligibility Criteria")
    for section in page.eligibility.criteria:
        if section.heading:
            out.print(f"[bold]{escape(section.heading)}[/]")
        _blocks(out, section.blocks)
    for fact in page.eligibility.facts:
        out.print(f"{escape(fact.label)}: {escape(fact.value)}")
    if page.sponsors:
        _heading(out, "Sponsors")
        for org in page.sponsors:
            out.print(f"{escape(org.name)} — {escape(org.role)} ({escape(org.class_label or '-')})")
    if page.investigators:
        _heading(out, "Principal Investigators")
        for person in page.investigators:
            extra = ", ".join(x for x in (person.role_label, person.affiliation) if x)
            out.print(f"{escape(person.name)} — {escape(extra)}")
    if page.locations:
        _heading(out, "Locations")
        for site in page.locations:
            status = f" [{site.status_label}]" if site.status_label else ""
            out.print(f"{escape(site.facility or '-')}, {escape(site.place or '')}{escape(status)}")
    if page.identifiers:
        _heading(out, "Other Identifiers")
        for ident in page.identifiers:
            out.print(escape(str(ident.model_dump(exclude_none=True))))
