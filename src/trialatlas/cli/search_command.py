"""``trialatlas search``: the trial search on the command line (a thin skin over
:func:`trialatlas.features.search.search_trials`).

``--json`` prints exactly ``{"total", "results": [{"nct_id", "title", "status",
"phase", "conditions", "nearest_site": {"facility", "city", "distance_km"} | null}],
"next"}``; pass ``next`` back with ``--cursor`` (and the same options) for more.

Annotations here are evaluated when ``register`` runs (no postponed annotations), and
the shared ``--db``/``--json`` options come from :mod:`trialatlas.cli.options` (never
from :mod:`trialatlas.cli.main`, which imports this module).
"""

from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from trialatlas.features.distance_text import site_distance
from trialatlas.model.search import SORT_KEYS, NearestSite, SearchHit, SearchResults

TABLE_MIN_WIDTH = 120  # narrower terminals (and pipes) get a block per hit instead
# /api/search parameters whose option here is not ``--`` + the name with dashes.
CLI_NAMES = {"q": "QUERY", "type": "--study-type"}


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


def _hit_lines(hit: SearchHit) -> list[str]:
    """One hit as plain lines: ID, status, phase, the full title, its nearest site."""
    head = "  ".join(p for p in (hit.nct_id, hit.status_label, hit.phase_label) if p)
    lines = [head, f"  {hit.title}"]
    if hit.conditions:
        more = " …" if len(hit.conditions) > 4 else ""
        lines.append(f"  Conditions: {', '.join(hit.conditions[:4])}{more}")
    site = hit.nearest_site
    if site is not None:
        where = ", ".join(p for p in (site.facility, site.city, site.state, site.country) if p)
        lines.append(f"  Nearest site: {where} — {_distance(site)}")
    return lines


def _distance(site: NearestSite) -> str:
    """As the web page says it: the chosen unit first, the other in brackets, with how
    exactly the site is placed ("about 13 mi (21 km)", "in Jacksonville, about …")."""
    return site.distance_text or site_distance(
        site.distance_km, site.precision, "mi", city=site.city
    )


def print_hits(results: SearchResults, console: Console) -> None:
    """The total, the place, then the hits (a table on a wide terminal, else plain
    lines, a block per hit, titles in full) and the next cursor."""
    where = ""
    if results.place:
        radius = results.place.radius_text or f"{results.place.radius_km:,.0f} km"
        where = f" within {radius} of {results.place.label}"
    about = "about " if results.total_estimated else ""
    plural = "s" if results.total != 1 else ""
    console.print(f"{about}{results.total:,} trial{plural}{where}", markup=False)
    if results.words == "any":
        console.print("No trial has all the words; showing trials with some of them.")
    if results.open_first and 0 < (results.open_total or 0) < results.total:  # both groups
        console.print(
            f"The {results.open_total or 0:,} open to enrollment first, then the others"
            " (--order relevance: one order for all).",
            markup=False,
        )
    if not results.results:
        return
    if console.is_terminal and console.width >= TABLE_MIN_WIDTH:
        _print_table(results, console)
    else:
        for hit in results.results:
            console.print()
            for line in _hit_lines(hit):
                console.print(line, markup=False)
    if results.next:
        console.print(f"\nMore: add --cursor {results.next}", markup=False)


def _print_table(results: SearchResults, console: Console) -> None:
    table = Table(show_lines=False, header_style="bold")
    table.add_column("NCT ID", no_wrap=True)
    table.add_column("Title", ratio=4, min_width=30)
    table.add_column("Status", no_wrap=True)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Conditions", ratio=2)
    near = any(hit.nearest_site for hit in results.results)
    if near:
        table.add_column("Nearest site", ratio=2)
        table.add_column("Distance", justify="right", no_wrap=True)
    for hit in results.results:
        row = [
            escape(hit.nct_id),
            escape(hit.title),
            escape(hit.status_label or ""),
            escape(hit.phase_label or ""),
            escape(", ".join(hit.conditions[:4]) + (" …" if len(hit.conditions) > 4 else "")),
        ]
        if near:
            site = hit.nearest_site
            if site is None:
                row += ["", ""]
            else:
                row += [
                    escape(", ".join(p for p in (site.facility, site.city) if p)),
                    escape(_distance(site)),
                ]
        table.add_row(*row)
    console.print(table)


def _error(err: Console, message: str) -> NoReturn:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(2)


def search_error_lines(exc: Exception) -> list[str]:
    """What the command prints for a search that cannot run: the message, and each
    suggested place once."""
    from trialatlas.features.search import describe_error
    from trialatlas.index.geo import UnknownPlace

    if isinstance(exc, UnknownPlace) and exc.suggestions:
        lines = [f"error: unknown place {exc.place[:80]!r}; did you mean:"]
        return lines + [f"  {suggestion}" for suggestion in exc.suggestions]
    # The API names its parameter “near”; here it is the --near option.
    return [f"error: {describe_error(exc)[1].replace('“near”', '--near')}"]


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def register(app: typer.Typer) -> None:
    """Add the ``search`` command to ``app``."""
    from trialatlas.cli.options import (
        DbOption,
        JsonOption,
        open_store_for,
        print_json,
        settings_for,
    )

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
        sponsor: Annotated[str | None, typer.Option("--sponsor", help="Start of a lead sponsor's or collaborator's name.")] = None,
        sponsor_class: Annotated[str | None, typer.Option("--sponsor-class", help="Lead sponsor class: INDUSTRY, NIH, FED, OTHER …")] = None,
        study_type: Annotated[str | None, typer.Option("--study-type", "--type", help="INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS.")] = None,
        healthy: Annotated[bool | None, typer.Option("--healthy/--no-healthy", help="Only trials that accept (or do not accept) healthy volunteers.", show_default=False)] = None,
        has_results: Annotated[bool | None, typer.Option("--results/--no-results", help="Only trials with (or without) posted results.", show_default=False)] = None,
        start_from: Annotated[str | None, typer.Option("--start-from", help="Start date on or after YYYY-MM-DD.")] = None,
        start_to: Annotated[str | None, typer.Option("--start-to", help="Start date on or before YYYY-MM-DD.")] = None,
        updated_from: Annotated[str | None, typer.Option("--updated-from", help="Last update posted on or after YYYY-MM-DD.")] = None,
        updated_to: Annotated[str | None, typer.Option("--updated-to", help="Last update posted on or before YYYY-MM-DD.")] = None,
        country: Annotated[str | None, typer.Option("--country", help="Country of a site.")] = None,
        near: Annotated[str | None, typer.Option("--near", help="City, 'City, State', ZIP or 'lat, lon'.")] = None,
        radius: Annotated[str | None, typer.Option("--radius", help="Distance from --near: 50mi, 80km (default 50mi).")] = None,
        unit: Annotated[str | None, typer.Option("--unit", help="Distances in mi or km first (default: the radius's unit, else mi).")] = None,
        sort: Annotated[str, typer.Option("--sort", help=f"One of {', '.join(SORT_KEYS)} (nearest needs --near).")] = "relevance",
        order: Annotated[str, typer.Option("--order", help="open_first: trials open to enrollment first, each group in the sort's order; relevance: one order over every trial.")] = "open_first",
        limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="Trials per page.")] = 20,
        cursor: Annotated[str | None, typer.Option("--cursor", help="'next' of the previous page.")] = None,
        db: DbOption = None,
        json_: JsonOption = False,
    ) -> None:  # fmt: skip
        """Search trials by words, filters and distance from a place."""
        from trialatlas.features.search import search_trials
        from trialatlas.features.search_params import SearchParamError, to_query
        from trialatlas.index.geo import GeoError
        from trialatlas.model.search import SearchError

        err = Console(stderr=True, soft_wrap=True)
        # The same parameters, read the same way, as /api/search.
        values: dict[str, str | list[str] | None] = {
            "q": query,
            "status": status,
            "open": "yes" if open_ else None,
            "phase": phase,
            "type": study_type,
            "condition": condition,
            "intervention": intervention,
            "sponsor": sponsor,
            "sponsor_class": sponsor_class,
            "age": None if age is None else str(age),
            "sex": sex,
            "healthy": _flag(healthy),
            "results": _flag(has_results),
            "start_from": start_from,
            "start_to": start_to,
            "updated_from": updated_from,
            "updated_to": updated_to,
            "country": country,
            "near": near,
            "radius": radius,
            "unit": unit,
            "sort": sort,
            "order": order,
            "limit": str(limit),
            "cursor": cursor,
        }
        try:
            search_query = to_query(values)
        except SearchParamError as exc:
            message = str(exc).split(": ", 1)[1]
            if exc.param == "query":  # a rule across options (a date range), not one option
                _error(err, message)
            option = CLI_NAMES.get(exc.param) or "--" + exc.param.replace("_", "-")
            _error(err, f"{option}: {message}")
        store = open_store_for(settings_for(db))
        try:
            results = search_trials(store, search_query)
        except (SearchError, GeoError) as exc:
            for line in search_error_lines(exc):
                err.print(line, markup=False, highlight=False)
            raise typer.Exit(2) from None
        finally:
            store.close()
        if json_:
            print_json(json_shape(results))
        else:
            print_hits(results, Console(highlight=False, soft_wrap=True))
