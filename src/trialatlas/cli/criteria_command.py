"""``trialatlas criteria FILE|- [--json]``: eligibility criteria text → structured criteria.

A thin skin over :func:`trialatlas.features.criteria.parse_criteria`. Text output
lists each criterion (indented under its parent) with its entities, comparisons
and time windows; ``--json`` prints :func:`trialatlas.features.criteria.to_json`
(offsets index the input text exactly as read).
"""

# No ``from __future__ import annotations``: typer reads the annotations of the
# command defined inside ``register`` at run time, with the options imported there.
import sys
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from trialatlas.model.criteria import Comparison, Criterion, ParsedCriteria, TimeWindow

KIND_STYLE = {"inclusion": "green", "exclusion": "red"}


def read_text(path: str) -> str:
    """The criteria text of ``path`` (``-``: stdin), UTF-8. Raises ValueError with a clear message."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text (byte {exc.start})") from None


def describe_comparison(comp: Comparison) -> str:
    """``Low back pain between 30 and 90 mm`` / ``MED > 50 mg/day`` / ``ALT > 2.5 × ULN``."""
    subject = f"{comp.subject.text} " if comp.subject else ""
    unit = f" {comp.unit}" if comp.unit else ""
    if comp.reference:
        return f"{subject}{comp.operator} {comp.value:g} × {comp.reference}"
    if comp.operator == "between" and comp.upper_value is not None:
        return f"{subject}between {comp.value:g} and {comp.upper_value:g}{unit}"
    canonical = ""
    if (
        comp.canonical_unit
        and comp.value_canonical is not None
        and comp.canonical_unit != comp.unit_normalized
    ):
        canonical = f" (= {comp.value_canonical:g} {comp.canonical_unit})"
    return f"{subject}{comp.operator} {comp.value:g}{unit}{canonical}"


def describe_window(window: TimeWindow) -> str:
    anchor = f", from {window.anchor}" if window.anchor else ""
    return f"{window.relation} {window.amount:g} {window.unit}(s) = {window.days:g} days{anchor}"


def _one_line(text: str) -> str:
    """A wrapped criterion or entity on one line (the JSON keeps the text as written)."""
    return " ".join(text.split())


def _criterion(out: Console, number: int, criterion: Criterion) -> None:
    pad = "  " * criterion.depth
    style = KIND_STYLE[criterion.kind]
    text = _one_line(criterion.text)
    out.print(f"{pad}[{style}]{criterion.kind[:3].upper()}[/] {number}. {escape(text)}")
    for entity in criterion.entities:
        flags = [
            f
            for f, on in (
                ("negated", entity.negated),
                ("uncertain", entity.uncertain),
                ("historical", entity.historical),
            )
            if on
        ]
        norm = f" → {entity.normalized}" if entity.normalized else ""
        code = f" [{entity.system} {entity.code}]" if entity.code else ""
        extra = f" ({', '.join(flags)})" if flags else ""
        out.print(
            f"{pad}    [dim]{entity.type}:[/] {escape(_one_line(entity.text))}{escape(norm)}{escape(code)}"
            f"{extra}"
        )
    for comp in criterion.comparisons:
        out.print(f"{pad}    [dim]comparison:[/] {escape(describe_comparison(comp))}")
    for window in criterion.windows:
        out.print(f"{pad}    [dim]window:[/] {escape(describe_window(window))}")


def print_parsed(out: Console, parsed: ParsedCriteria) -> None:
    """Every criterion in order, nested under its parent."""
    if not parsed.criteria:
        out.print("No criteria found.")
        return
    for number, criterion in enumerate(parsed.criteria, start=1):
        _criterion(out, number, criterion)


def register(app: typer.Typer) -> None:
    """Add the ``criteria`` command to ``app``."""
    from trialatlas.cli.options import JsonOption

    @app.command()
    def criteria(
        file: Annotated[
            str, typer.Argument(help="A text file of eligibility criteria, or - for stdin.")
        ],
        json_: JsonOption = False,
    ) -> None:
        """Parse eligibility criteria into structured, checkable criteria."""
        from trialatlas.features.criteria import parse_criteria, to_json

        try:
            text = read_text(file)
        except ValueError as exc:
            Console(stderr=True, soft_wrap=True).print(f"error: {escape(str(exc))}")
            raise typer.Exit(2) from None
        parsed = parse_criteria(text)
        if json_:
            sys.stdout.write(
                orjson.dumps(to_json(parsed), option=orjson.OPT_INDENT_2).decode() + "\n"
            )
            return
        print_parsed(Console(highlight=False, soft_wrap=True), parsed)
