"""``trialatlas search``: the trial search on the command line (a thin skin over
:func:`trialatlas.features.search.search_trials`).

``--json`` prints exactly ``{"total", "results": [{"nct_id", "title", "status",
"phase", "conditions", "nearest_site": {"facility", "city", "distance_km"} | null}],
"next"}``; pass ``next`` back with ``--cursor`` (and the same options) for more.

Annotations here are evaluated when ``register`` runs (no postponed annotations), so
the shared ``--db``/``--json`` options of :mod:`trialatlas.cli.main` can be used
without importing that module at import time.
"""

from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from trialatlas.model.search import SORT_KEYS, SearchQuery, SearchResults


def json_shape(results: SearchResults) -> dict[str, Any]:
    """The documented ``--json`` output for ``results``."""
    return {
        "total": results.total,
        "results": [
            {
                "nct_id": hit.nct_id,
                "title": hit.title,
                "status": hit.status,
                "phase": hit.phase,
                "conditions": hit.conditions,
                "nearest_site": None
                if hit.nearest_site is None
                else {
                    "facility": hit.nearest_site.facility,
                    "city": hit.nearest_site.city,
                    "distance_km": hit.nearest_site.distance_km,
                },
            }
            for hit in results.results
        ],
        "next": results.next,
    }


def print_table(results: SearchResults, console: Console) -> None:
    """A readable table of the hits, with the total, the place and the next cursor."""
    where = ""
    if results.place:
        miles = results.place.radius_km / 1.609344
        where = f" within {miles:,.0f} mi of {results.place.label}"
    about = "about " if results.total_estimated else ""
    plural = "s" if results.total != 1 else ""
    console.print(f"{about}[bold]{results.total:,}[/] trial{plural}{where}")
    if results.words == "any":
        console.print("No trial has all the words; showing trials with some of them.")
    if not results.results:
        return
    table = Table(show_lines=False, header_style="bold")
    table.add_column("NCT ID", no_wrap=True)
    table.add_column("Title", ratio=4)
    table.add_column("Status", no_wrap=True)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Conditions", ratio=2)
    near = any(hit.nearest_site for hit in results.results)
    if near:
        table.add_column("Nearest site", ratio=2)
        table.add_column("Distance", justify="right", no_wrap=True)
    for hit in results.results:
        row = [
            hit.nct_id,
            hit.title if len(hit.title) <= 100 else hit.title[:99] + "…",
            hit.status_label or "",
            hit.phase_label or "",
            ", ".join(hit.conditions[:4]) + (" …" if len(hit.conditions) > 4 else ""),
        ]
        if near:
            site = hit.nearest_site
            if site is None:
                row += ["", ""]
            else:
                row += [
                    ", ".join(p for p in (site.facility, site.city) if p),
                    f"{site.distance_mi:,.1f} mi",
                ]
        table.add_row(*row)
    console.print(table)
    if results.next:
        console.print(f"More: add --cursor {results.next}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``search`` command to ``app``."""
    from trialatlas.cli.main import DbOption, JsonOption, _open, _settings, print_json

    @app.command()
    def search(
        query: Annotated[str | None, typer.Argument(help="Words, or NCT IDs.")] = None,
        status: Annotated[list[str] | None, typer.Option("--status", help="Overall status, e.g. RECRUITING (repeatable).")] = None,
        phase: Annotated[list[str] | None, typer.Option("--phase", help="Phase, e.g. PHASE2 or 2 (repeatable).")] = None,
        open_: Annotated[bool, typer.Option("--open", help="Only trials open to enrollment.")] = False,
        age: Annotated[float | None, typer.Option("--age", help="Patient's age in years.")] = None,
        sex: Annotated[str | None, typer.Option("--sex", help="Patient's sex: female or male.")] = None,
        condition: Annotated[str | None, typer.Option("--condition", help="Words of a condition.")] = None,
        intervention: Annotated[str | None, typer.Option("--intervention", help="Words of a treatment.")] = None,
        sponsor: Annotated[str | None, typer.Option("--sponsor", help="Start of a sponsor's name.")] = None,
        study_type: Annotated[str | None, typer.Option("--type", help="INTERVENTIONAL, OBSERVATIONAL, …")] = None,
        country: Annotated[str | None, typer.Option("--country", help="Country of a site.")] = None,
        near: Annotated[str | None, typer.Option("--near", help="City, 'City, State', ZIP or 'lat, lon'.")] = None,
        radius: Annotated[str | None, typer.Option("--radius", help="Distance from --near: 50mi, 80km (default 50mi).")] = None,
        sort: Annotated[str, typer.Option("--sort", help=f"One of {', '.join(SORT_KEYS)}.")] = "relevance",
        limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="Trials per page.")] = 20,
        cursor: Annotated[str | None, typer.Option("--cursor", help="'next' of the previous page.")] = None,
        db: DbOption = None,
        json_: JsonOption = False,
    ) -> None:  # fmt: skip
        """Search trials by words, filters and distance from a place."""
        from trialatlas.features.search import describe_error, search_trials
        from trialatlas.index.geo import GeoError, parse_radius
        from trialatlas.model.search import SearchError

        err = Console(stderr=True)
        try:
            search_query = SearchQuery(
                text=query or "",
                status=status or [],
                phase=phase or [],
                open_to_enrollment=open_,
                age_years=age,
                sex=sex,
                condition=condition,
                intervention=intervention,
                sponsor=sponsor,
                study_type=study_type,
                country=country,
                place=near,
                radius_km=parse_radius(radius) if radius else None,
                sort=sort.lower(),  # type: ignore[arg-type]
                page_size=limit,
                cursor=cursor,
            )
        except (ValidationError, GeoError) as exc:
            message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            err.print(
                f"error: {message.removeprefix('Value error, ')}", markup=False, highlight=False
            )
            raise typer.Exit(2) from None
        store = _open(_settings(db))
        try:
            results = search_trials(store, search_query)
        except (SearchError, GeoError) as exc:
            _, message, suggestions = describe_error(exc)
            err.print(f"error: {message}", markup=False, highlight=False)
            for suggestion in suggestions[1:]:
                err.print(f"  or: {suggestion}", markup=False, highlight=False)
            raise typer.Exit(2) from None
        finally:
            store.close()
        if json_:
            print_json(json_shape(results))
        else:
            print_table(results, Console(highlight=False))
