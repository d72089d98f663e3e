"""``trialatlas prescreen NCT_ID --answers FILE [--json]``: per-criterion verdicts for one trial.

FILE (or ``-`` for stdin) holds answers by question id, a patient profile
(``docs/patient-profile.md``), ``{"answers": …, "profile": …}`` or a FHIR R4 Bundle.
``--json`` prints the same result as ``POST /api/trials/{nct_id}/prescreen``.
Without ``--answers`` the command prints the questionnaire (its question ids).
Exit codes: 0 done, 1 no such trial, 2 unreadable input or an impossible answer. The answers are never
stored or logged.
"""

# No ``from __future__ import annotations``: typer reads the annotations of the
# command defined inside ``register`` at run time, with the options imported there.
import sys
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from trialatlas.features.prescreen import PrescreenResult, Questionnaire

VERDICT_STYLE = {"met": "green", "not_met": "red", "unknown": "yellow"}
VERDICT_WORD = {"met": "met", "not_met": "NOT MET", "unknown": "unknown"}
OVERALL_STYLE = {
    "likely_eligible": "green",
    "likely_not_eligible": "red",
    "needs_study_team": "yellow",
}


def read_answers_file(path: str) -> Any:
    """The JSON in ``path`` (``-``: stdin). Raises ValueError with a clear message."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        where = "stdin" if path == "-" else path
        raise ValueError(
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno})"
        ) from None


def print_result(out: Console, result: PrescreenResult) -> None:
    """The verdicts as text: overall first, then one line per criterion."""
    style = OVERALL_STYLE[result.overall]
    out.print(f"[bold]{escape(result.title)}[/] ({result.nct_id})")
    out.print(f"[bold {style}]{escape(result.overall_label)}[/]: {escape(result.summary)}")
    out.print(f"Answered {result.answered} of {result.questions} questions.\n")
    for verdict in result.verdicts:
        colour = VERDICT_STYLE[verdict.verdict]
        kind = "eligibility" if verdict.source == "eligibility" else verdict.kind
        out.print(
            f"[{colour}]{VERDICT_WORD[verdict.verdict]:>8}[/] [dim]{kind}[/] {escape(verdict.text)}"
        )
        out.print(f"         {escape(verdict.reason)}")
    if result.team_checks:
        out.print("\n[bold]The study team will check:[/]")
        for team in result.team_checks:
            out.print(f"  - {escape(team.text)}")
    if result.ignored_answers:
        out.print(
            f"\n[dim]Ignored (no such question): {escape(', '.join(result.ignored_answers))}[/]"
        )
    out.print(f"\n[italic]{escape(result.disclaimer)}[/]")


def print_questionnaire(out: Console, form: Questionnaire) -> None:
    """The questions with their ids, for writing an answers file."""
    out.print(f"[bold]{escape(form.title)}[/] ({form.nct_id})")
    for group in form.groups:
        out.print(f"\n[bold underline]{escape(group.name)}[/]")
        for q in group.questions:
            unit = f" \\[{escape(q.unit)}]" if q.unit else ""
            out.print(f"  [cyan]{q.id}[/] ({q.answer_type}{unit}) {escape(q.text)}")


def run_prescreen(store: Any, nct_id: str, answers_path: str | None, as_json: bool) -> int:
    """Pre-screen; returns the exit code."""
    from trialatlas.features.prescreen import (
        PrescreenInputError,
        answer_problems,
        problems_message,
        questionnaire,
        read_input,
        screen,
    )
    from trialatlas.features.trial_page import canonical_nct_id

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    out = Console(highlight=False, soft_wrap=True)
    canonical = canonical_nct_id(nct_id)
    study = store.get_study(canonical) if canonical else None
    if study is None:
        err.print(f"No trial with NCT ID {escape(nct_id[:40])} in this store.")
        return 1
    form = questionnaire(study)
    if answers_path is None:
        if as_json:
            sys.stdout.write(
                orjson.dumps(form.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode()
                + "\n"
            )
        else:
            print_questionnaire(out, form)
        return 0
    try:
        given = read_input(read_answers_file(answers_path), bare=True)
    except (ValueError, PrescreenInputError) as exc:
        err.print(f"error: {escape(str(exc))}")
        return 2
    problems = answer_problems(form, given.answers)
    if problems:  # an impossible answer gets no verdict; the message names the field
        err.print(f"error: {escape(problems_message(problems))}")
        return 2
    result = screen(form, given)
    if as_json:
        sys.stdout.write(
            orjson.dumps(result.model_dump(mode="json"), option=orjson.OPT_INDENT_2).decode() + "\n"
        )
    else:
        print_result(out, result)
    return 0


def register(app: typer.Typer) -> None:
    """Add the ``prescreen`` command to ``app``."""
    from trialatlas.cli.options import DbOption, JsonOption, open_store_for, settings_for

    @app.command()
    def prescreen(
        nct_id: Annotated[str, typer.Argument(help="NCT ID, e.g. NCT06001853.")],
        answers: Annotated[
            str | None,
            typer.Option(
                "--answers", help="Answers, a profile or a FHIR Bundle (JSON file, or - for stdin)."
            ),
        ] = None,
        db: DbOption = None,
        json_: JsonOption = False,
    ) -> None:
        """Per-criterion verdicts for one trial (without --answers: its questions)."""
        store = open_store_for(settings_for(db))
        try:
            code = run_prescreen(store, nct_id, answers, json_)
        finally:
            store.close()
        raise typer.Exit(code)
