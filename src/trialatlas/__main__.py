"""``python -m trialatlas`` runs the command line."""

from trialatlas.cli.main import app

app()
