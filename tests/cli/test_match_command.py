"""``trialatlas match`` through the real command line app over a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialatlas.cli.main import app

SEED = "NCT06001853"
NOTE = (
    "55-year-old man with chronic facet-mediated low back pain for 3 years despite physical "
    "therapy and NSAIDs.\nNo history of diabetes.\n"
)
MARKER = "Qzv8hidden"
runner = CliRunner()


def _run(*args: str, input: str | None = None) -> object:
    return runner.invoke(app, ["match", *args], input=input)


def test_text_file_readable_output(seed_store_path: str, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    result = _run(str(note), "--db", seed_store_path, "--limit", "5")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("What we understood")
    assert "Age: 55 years" in out and "Sex: male" in out
    assert "Ruled out: diabetes" in out
    first = next(line for line in out.splitlines() if line.lstrip().startswith("1. "))
    assert "NCT" in first and "score" in first
    assert SEED in out
    ranks = [line for line in out.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert 1 <= len(ranks) <= 5


def test_stdin_json_output(seed_store_path: str) -> None:
    result = _run("-", "--db", seed_store_path, "--json", "--limit", "3", input=NOTE)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) >= {"patient", "results"}
    assert body["patient"]["age"] == 55
    assert 1 <= len(body["results"]) <= 3
    for trial in body["results"]:
        assert {"nct_id", "title", "score", "eligibility", "criteria", "nearest_site"} <= set(trial)
        for criterion in trial["criteria"]:
            assert {"kind", "text", "verdict", "evidence"} <= set(criterion)
    assert SEED in [t["nct_id"] for t in body["results"]]


def test_profile_and_fhir_json_files(seed_store_path: str, tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(
        json.dumps({"age": 60, "sex": "female", "conditions": [{"name": "Low back pain"}]})
    )
    result = _run(str(profile), "--db", seed_store_path, "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["patient"]["sex"] == "female" and body["patient"]["age"] == 60
    bundle = tmp_path / "bundle.json"
    bundle.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Patient", "gender": "male"}}],
            }
        )
    )
    result = _run(str(bundle), "--db", seed_store_path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["patient"]["sex"] == "male"


def test_near_gives_the_nearest_site(seed_store_path: str, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    result = _run(str(note), "--db", seed_store_path, "--near", "Jacksonville, FL", "--json")
    assert result.exit_code == 0, result.output
    seed = next(t for t in json.loads(result.stdout)["results"] if t["nct_id"] == SEED)
    assert seed["nearest_site"] is not None and seed["nearest_site"]["distance_mi"] is not None


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"age": "Qzv8hidden"}', "profile.age"),
        ('{"conditions": [{"name": "Qzv8hidden", "grade": 2}]}', "profile.conditions"),
        ('{"text": Qzv8hidden', "not valid JSON"),
        ("   ", "text: must not be empty"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    seed_store_path: str, tmp_path: Path, content: str, needle: str
) -> None:
    path = tmp_path / "patient.json"
    path.write_text(content)
    result = _run(str(path), "--db", seed_store_path)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert MARKER not in result.stderr and MARKER not in result.stdout


def test_unreadable_file_limit_and_missing_store(seed_store_path: str, tmp_path: Path) -> None:
    result = _run(str(tmp_path / "absent.txt"), "--db", seed_store_path)
    assert result.exit_code == 2 and "cannot read" in result.stderr
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    result = _run(str(note), "--db", seed_store_path, "--limit", "0")
    assert result.exit_code == 2
    result = _run(str(note), "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "no store at" in result.stderr
    assert not (tmp_path / "none.db").exists()
