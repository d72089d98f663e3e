"""``trialatlas index``: recompute every study vector and rebuild the saved faiss index."""

import time
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``index`` command to ``app``."""
    from trialatlas.cli.options import DbOption, open_store_for, settings_for

    @app.command()
    def index(
        db: DbOption = None,
        quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    ) -> None:
        """Recompute all study vectors and rebuild the similarity index (one summary line)."""
        from trialatlas.cli.vectors_progress import run_vector_update
        from trialatlas.index.vectors import load_vector_index

        settings = settings_for(db)
        store = open_store_for(settings)
        started = time.perf_counter()
        try:
            update = run_vector_update(store, rebuild=True, quiet=quiet)
            vector_index = load_vector_index(store, settings.db_url, model=update.model)
        finally:
            store.close()
        seconds = time.perf_counter() - started
        typer.echo(
            f"indexed {vector_index.size} studies ({vector_index.kind}), embedded "
            f"{update.embedded}, removed {update.removed} in {seconds:.1f} s"
        )
