"""``trialatlas match PATIENT [--near PLACE] [--radius R] [--open] [--limit N] [--json]``.

PATIENT is a text file with the patient's description, ``-`` (stdin), or a JSON file
(a patient profile, ``docs/patient-profile.md``, or a FHIR R4 Bundle): a file whose
first non-blank character is ``{`` is read as JSON. ``--json`` prints the same
:class:`MatchResult` as ``POST /api/match``; otherwise what was understood, then one
block per trial: rank, NCT ID, eligibility, score, title and why.

Exit codes: 0 done, 2 unreadable input (the message names the field, never the
patient's values) or no store. The description is never stored or logged.
"""

# No ``from __future__ import annotations``: typer reads the annotations of the
# command defined inside ``register`` at run time, with the options imported there.
import sys
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from trialatlas.features.matching import MatchResult
from trialatlas.web.match_view import understood_sections

MAX_INPUT_BYTES = 1_000_000
ELIGIBILITY_STYLE = {"likely": "green", "unlikely": "red", "unknown": "yellow"}


class PatientFileError(ValueError):
    """PATIENT cannot be read; the message names the file, never its contents."""


def read_patient_file(path: str) -> str | dict[str, Any]:
    """The description (text) or the profile/FHIR Bundle (a dict) in ``path`` (``-``: stdin)."""
    where = "stdin" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise PatientFileError(f"PATIENT: cannot read {where}: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise PatientFileError(f"PATIENT: {where} is over {MAX_INPUT_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PatientFileError(f"PATIENT: {where} is not UTF-8 text") from None
    if not text.lstrip().startswith("{"):
        return text
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise PatientFileError(
            f"PATIENT: {where} starts with '{{' but is not valid JSON "
            f"(line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(parsed, dict):
        raise PatientFileError(f"PATIENT: {where} must hold a JSON object")
    return parsed


def _site(result: Any) -> str:
    site = result.nearest_site
    if site is None:
        return ""
    place = ", ".join(p for p in (site.facility, site.city, site.state, site.country) if p)
    if site.distance_mi is None:
        return place
    about = "about " if site.approximate else ""
    return f"{place}: {about}{site.distance_mi:.0f} mi ({site.distance_km:.0f} km)"


def print_result(out: Console, result: MatchResult) -> None:
    """What was understood, then one block per trial, best first."""
    out.print("[bold]What we understood[/]")
    for group in understood_sections(result.patient):
        out.print(f"  {escape(group.label)}: {escape('; '.join(group.items))}")
    for note in result.notes:
        out.print(f"  [yellow]{escape(note)}[/]")
    out.print()
    if not result.results:
        out.print("No matching trials.")
    for rank, trial in enumerate(result.results, 1):
        style = ELIGIBILITY_STYLE[trial.eligibility]
        status = trial.overall_status or "status unknown"
        opened = ", open" if trial.open else ""
        out.print(
            f"{rank:>2}. [bold]{trial.nct_id}[/]  [{style}]{escape(trial.eligibility_label)}[/]"
            f"  score {trial.score:.3f}  [dim]{escape(status)}{opened}[/]"
        )
        out.print(f"    {escape(trial.title)}")
        why = trial.summary + (f" Why: {'; '.join(trial.why)}." if trial.why else "")
        out.print(f"    {escape(why)}")
        if site := _site(trial):
            out.print(f"    Nearest site: {escape(site)}")
    out.print(f"\n[italic]{escape(result.disclaimer)}[/]")


def run_match(
    store: Any,
    db_url: str,
    patient_path: str,
    near: str | None,
    radius: str | None,
    open_only: bool,
    limit: int,
    as_json: bool,
) -> int:
    """Match (with the store's vector index, saved beside a SQLite store); returns the exit code."""
    from trialatlas.features.matching import MatchInputError, match_patient
    from trialatlas.index.vectors import load_vector_index

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        patient = read_patient_file(patient_path)
        index = load_vector_index(store, db_url)
        result = match_patient(store, patient, near, radius, open_only, limit, index=index)
    except PatientFileError as exc:
        err.print(f"error: {escape(str(exc))}")
        return 2
    except MatchInputError as exc:
        err.print(f"error: {escape(exc.field)}: {escape(exc.message)}")
        return 2
    if as_json:
        data = orjson.dumps(result.model_dump(mode="json"), option=orjson.OPT_INDENT_2)
        sys.stdout.write(data.decode() + "\n")
    else:
        print_result(Console(highlight=False, soft_wrap=True), result)
    return 0


def register(app: typer.Typer) -> None:
    """Add the ``match`` command to ``app``."""
    from trialatlas.cli.options import DbOption, JsonOption, open_store_for, settings_for

    @app.command()
    def match(
        patient: Annotated[
            str,
            typer.Argument(
                help="A text file describing the patient, - for stdin, or a JSON profile "
                "or FHIR Bundle file."
            ),
        ],
        near: Annotated[
            str | None, typer.Option("--near", help="A place: city, ZIP code or 'lat, lon'.")
        ] = None,
        radius: Annotated[
            str | None, typer.Option("--radius", help="How far from --near: 50mi, 80km.")
        ] = None,
        open_: Annotated[
            bool, typer.Option("--open", help="Only trials open to enrollment.")
        ] = False,
        limit: Annotated[
            int, typer.Option("--limit", min=1, max=50, help="How many trials (1-50).")
        ] = 20,
        db: DbOption = None,
        json_: JsonOption = False,
    ) -> None:
        """The trials a patient probably qualifies for, best first, each explained."""
        settings = settings_for(db)
        store = open_store_for(settings)
        try:
            code = run_match(store, settings.db_url, patient, near, radius, open_, limit, json_)
        finally:
            store.close()
        raise typer.Exit(code)
