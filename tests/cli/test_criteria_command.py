"""``trialatlas criteria``: criteria text from a file or stdin → criteria, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trialatlas.cli.main import app

runner = CliRunner()

TEXT = """Key Inclusion Criteria:
1. ALT and AST ≤ 2.5 × ULN
2. Failed at least 3 months of conservative care, including physical
therapy and NSAIDs

Key Exclusion Criteria:
- Blood pressure > 160/100 mmHg
"""


def test_json_from_stdin_has_offsets_into_the_input() -> None:
    result = runner.invoke(app, ["criteria", "-", "--json"], input=TEXT)
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    kinds = [c["kind"] for c in parsed["criteria"]]
    assert kinds == ["inclusion", "inclusion", "exclusion"]
    for criterion in parsed["criteria"]:
        assert TEXT[criterion["start"] : criterion["end"]] == criterion["text"]
        for entity in criterion["entities"]:
            assert TEXT[entity["start"] : entity["end"]] == entity["text"]
    labs = [c["subject"]["text"] for c in parsed["criteria"][0]["comparisons"]]
    assert labs == ["ALT", "AST"]
    pressure = [c["value"] for c in parsed["criteria"][2]["comparisons"]]
    assert pressure == [160, 100]


def test_text_from_a_file_shows_wrapped_lines_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "criteria.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = runner.invoke(app, ["criteria", str(path)])
    assert result.exit_code == 0, result.output
    assert "including physical therapy and NSAIDs" in result.stdout
    assert "procedure: physical therapy" in result.stdout
    assert "window: for at least 3 month(s)" in result.stdout


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["criteria", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0
    assert "nope.txt" in result.output
