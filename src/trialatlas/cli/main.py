"""The ``trialatlas`` command: a thin skin over the feature functions."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from trialatlas.cli.options import DbOption, JsonOption
from trialatlas.cli.options import open_store_for as _open
from trialatlas.cli.options import settings_for as _settings
from trialatlas.settings import load_settings

app = typer.Typer(
    help="TrialAtlas: clinical-trial discovery from public registry records.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(help="Files, directories, zips or URLs.")],
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", help="Processes preparing records (default: CPU count).")
    ] = 0,
    max_record_mb: Annotated[
        int | None,
        typer.Option(
            "--max-record-mb",
            min=1,
            help="Largest record accepted, in MB (default 64; env TRIALATLAS_MAX_RECORD_MB).",
        ),
    ] = None,
) -> None:
    """Load registry records; the last line is `loaded N, updated N, unchanged N, rejected N`."""
    from trialatlas.cli.ingest_command import run_ingest

    record_bytes = max_record_mb * 1024 * 1024 if max_record_mb else None
    settings = load_settings(db=db, max_record_bytes=record_bytes)
    workers = workers or (os.cpu_count() or 1)
    store = _open(settings, create=True)
    try:
        summary = run_ingest(
            store, sources, settings.rejects_path, quiet, workers, settings.max_record_bytes
        )
    finally:
        store.close()
    for message in summary.source_errors:
        typer.echo(f"error: {message}", err=True)
    typer.echo(summary.line)
    if summary.source_errors:
        raise typer.Exit(2)


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    no_sample: Annotated[
        bool,
        typer.Option("--no-sample", help="Do not load the bundled sample into an empty store."),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Server processes (read-only store connections); default: CPU count."
        ),
    ] = 0,
) -> None:
    """Serve the web UI and JSON API; an empty store first gets the bundled sample."""
    from trialatlas.cli.ingest_command import run_ingest
    from trialatlas.sample import sample_sources
    from trialatlas.web.serving import default_workers, prepare_indexes, run_server

    settings = load_settings(db=db, host=host, port=port)
    store = _open(settings, create=True)
    try:
        if not no_sample and store.count_studies() == 0:
            typer.echo("Empty store: loading the bundled sample (a minute or two, once).", err=True)
            summary = run_ingest(
                store, sample_sources(), settings.rejects_path, workers=os.cpu_count() or 1
            )
            typer.echo(summary.line, err=True)
        prepare_indexes(store, settings)
    finally:
        store.close()
    workers = workers or default_workers()
    typer.echo(
        f"TrialAtlas on http://{settings.host}:{settings.port}/ ({workers} workers)", err=True
    )
    run_server(settings, workers)


@app.command()
def show(
    nct_id: Annotated[str, typer.Argument(help="NCT ID, e.g. NCT06001853.")],
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """One trial: the full registry page (text, or with --json the /api/trials/{id} JSON)."""
    from trialatlas.cli.show_command import render_show
    from trialatlas.features.patient_summary.llm_writer import summary_writer
    from trialatlas.index.vectors import load_vector_index

    settings = _settings(db)
    store = _open(settings)
    try:
        vectors = load_vector_index(store, settings.db_url)
        code = render_show(store, nct_id.strip().upper(), json_, summary_writer(settings), vectors)
    finally:
        store.close()
    raise typer.Exit(code)


# Commands defined in their own modules: each has `register(app: typer.Typer) -> None`.
# Add a module name here to wire a new command in.
COMMAND_MODULES: list[str] = [
    "search_command",
    "prescreen_command",
    "criteria_command",
    "match_command",
    "related_command",
    "index_command",
    "sync_command",
]


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"trialatlas.cli.{name}").register(app)


_register_commands()
