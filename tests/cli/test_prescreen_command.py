"""``trialatlas prescreen`` and ``trialatlas criteria`` through the real command line app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from trialatlas.cli.main import app

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "criteria" / "NCT06001853.txt"
runner = CliRunner()


def _vas_id(seed_store_path: str) -> str:
    result = runner.invoke(app, ["prescreen", "NCT06001853", "--db", seed_store_path, "--json"])
    assert result.exit_code == 0, result.output
    form = json.loads(result.stdout)
    questions = [q for g in form["groups"] for q in g["questions"]]
    return next(
        q["id"] for q in questions if q["answer_type"] == "number" and "30mm" in q["criterion_text"]
    )


def test_prescreen_answers_file_text_and_json(seed_store_path: str, tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({_vas_id(seed_store_path): "95 mm", "age": 50}))
    result = runner.invoke(
        app, ["prescreen", "NCT06001853", "--db", seed_store_path, "--answers", str(answers)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "Likely not eligible" in result.stdout
        and "95 mm; the trial needs 30 to 90 mm" in result.stdout
    )
    result = runner.invoke(
        app,
        ["prescreen", "NCT06001853", "--db", seed_store_path, "--answers", str(answers), "--json"],
    )
    body = json.loads(result.stdout)
    assert body["overall"] == "likely_not_eligible" and body["not_met"]


def test_prescreen_profile_and_fhir_from_stdin(seed_store_path: str) -> None:
    profile = {"age": 50, "labs": [{"name": "low back pain VAS", "value": 6, "unit": "cm"}]}
    result = runner.invoke(
        app,
        ["prescreen", "NCT06001853", "--db", seed_store_path, "--answers", "-", "--json"],
        input=json.dumps(profile),
    )
    assert result.exit_code == 0, result.output
    verdicts = json.loads(result.stdout)["verdicts"]
    assert any("6 cm (60 mm)" in v["reason"] for v in verdicts)
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "gender": "male", "birthDate": "1960-01-01"}}
        ],
    }
    result = runner.invoke(
        app,
        ["prescreen", "NCT06001853", "--db", seed_store_path, "--answers", "-", "--json"],
        input=json.dumps(bundle),
    )
    assert result.exit_code == 0, result.output
    age = next(v for v in json.loads(result.stdout)["verdicts"] if v["key"] == "age")
    assert age["verdict"] == "met" and "Your profile says" in age["reason"]


def test_prescreen_errors(seed_store_path: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["prescreen", "NCT00000000", "--db", seed_store_path])
    assert result.exit_code == 1 and "No trial" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = runner.invoke(
        app, ["prescreen", "NCT06001853", "--db", seed_store_path, "--answers", str(bad)]
    )
    assert result.exit_code == 2 and "not valid JSON" in result.output
    result = runner.invoke(
        app,
        ["prescreen", "NCT06001853", "--db", seed_store_path, "--answers", "-"],
        input='{"profile": {"labs": 3}}',
    )
    assert result.exit_code == 2 and "profile.labs" in result.output


def test_criteria_command_text_and_json() -> None:
    result = runner.invoke(app, ["criteria", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert "INC 1. Clinical diagnosis of symptomatic facet joint arthropathy" in result.stdout
    assert "comparison: Low back pain between 30 and 90 mm" in result.stdout
    assert "window: for at least 6 month(s) = 182.625 days" in result.stdout
    text = FIXTURE.read_text(encoding="utf-8")
    result = runner.invoke(app, ["criteria", "-", "--json"], input=text)
    body = json.loads(result.stdout)
    first = body["criteria"][0]
    assert text[first["start"] : first["end"]] == first["text"]
    assert runner.invoke(app, ["criteria", str(FIXTURE.with_name("missing.txt"))]).exit_code == 2
