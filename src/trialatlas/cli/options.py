"""What every ``trialatlas`` command shares: the ``--db``/``--json`` options, the store, JSON out.

Command modules import these from here, not from :mod:`trialatlas.cli.main`, which
imports the command modules (so no import circle).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from trialatlas.settings import Settings, load_settings

DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="TRIALATLAS_DB", help="SQLite file path or postgresql:// URL."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def settings_for(db: str | None) -> Settings:
    """The settings of a command run with ``--db db`` (None: the environment's store)."""
    return load_settings(db=db)


def open_store_for(settings: Settings, *, create: bool = False):  # noqa: ANN201 (returns the Store protocol)
    """The store of ``settings``. Only ``create=True`` (ingest, serve) may make a new
    SQLite file; otherwise a missing file, or a store that cannot be opened, is
    reported on stderr and the command exits 2 (nothing is written)."""
    from trialatlas.store import StoreError, open_store

    if not create and not settings.is_postgres and not Path(settings.db_url).is_file():
        typer.echo(
            f"error: no store at {settings.db_url}: load one with `trialatlas ingest SOURCE "
            f"--db {settings.db_url}` (or `trialatlas serve`), or give another --db",
            err=True,
        )
        raise typer.Exit(2)
    try:
        store = open_store(settings.db_url)
    except StoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    from trialatlas.index.site_upgrade import upgrade_site_points

    upgrade_site_points(store)  # a store loaded before sites were placed by ZIP code
    return store


def print_json(data: object) -> None:
    """``data`` as indented JSON on stdout."""
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
