"""``trialatlas related NCT_ID [--limit N] [--json]``: the trials most like one trial.

Text: one line per trial, best first (``NCT…  0.62  title — reasons``; ``[open]``
marks a trial open to enrollment). ``--json`` prints the same result as
``GET /api/trials/{nct_id}/related``. ``--limit`` caps the total (default 15: the 5
related and the next 10). Exit codes: 0 done, 1 no such trial.
"""

# No ``from __future__ import annotations``: typer reads the annotations of the
# command defined inside ``register`` at run time, with the options imported there.
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from trialatlas.features.related import (
    NeighbourIndex,
    RelatedTrial,
    RelatedTrials,
    related_trials,
)
from trialatlas.features.related.related import MORE_RELATED, RELATED
from trialatlas.store.base import Store

DEFAULT_LIMIT = RELATED + MORE_RELATED


def trial_line(trial: RelatedTrial) -> str:
    """``NCT…  0.62  title — reason; reason`` (``[open]`` before the title when open)."""
    mark = "[open] " if trial.open else ""
    reasons = f" — {'; '.join(trial.reasons)}" if trial.reasons else ""
    return f"{trial.nct_id}  {trial.score:.2f}  {mark}{trial.title}{reasons}"


def run_related(
    store: Store, nct_id: str, limit: int, as_json: bool, vectors: NeighbourIndex | None = None
) -> int:
    """Print the related trials of ``nct_id``; the exit code (1: no such trial)."""
    found = related_trials(store, nct_id, vectors, limit=max(0, limit))
    if found is None:
        Console(stderr=True, highlight=False).print(
            f"No trial with NCT ID {escape(nct_id.strip()[:40])} in this store."
        )
        return 1
    if as_json:
        from trialatlas.cli.options import print_json

        print_json(found.model_dump(mode="json"))
        return 0
    print_text(found)
    return 0


def print_text(found: RelatedTrials) -> None:
    """Plain lines (registry text is printed as text, never as console markup)."""
    if not found.all:
        typer.echo(f"No related trials for {found.nct_id} in this store.")
    for trial in found.all:
        typer.echo(trial_line(trial))


def register(app: typer.Typer) -> None:
    """Add the ``related`` command to ``app``."""
    from trialatlas.cli.options import DbOption, JsonOption, open_store_for, settings_for

    @app.command()
    def related(
        nct_id: Annotated[str, typer.Argument(help="NCT ID, e.g. NCT06001853.")],
        limit: Annotated[
            int,
            typer.Option("--limit", min=1, help="How many trials in all (5 related + 10 more)."),
        ] = DEFAULT_LIMIT,
        db: DbOption = None,
        json_: JsonOption = False,
    ) -> None:
        """Similar trials, with the reasons each is similar (best first)."""
        from trialatlas.index.vectors import load_vector_index

        settings = settings_for(db)
        store = open_store_for(settings)
        try:
            vectors = load_vector_index(store, settings.db_url)
            code = run_related(store, nct_id, limit, json_, vectors)
        finally:
            store.close()
        raise typer.Exit(code)
