"""``trialatlas related`` through the real command-line app, on the bundled store."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from trialatlas.cli.main import app

SEED = "NCT06001853"
runner = CliRunner()


def test_related_json_is_the_api_json(bundled_store_path: str, bundled_client) -> None:  # noqa: ANN001
    result = runner.invoke(app, ["related", SEED, "--db", bundled_store_path, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body == bundled_client.get(f"/api/trials/{SEED}/related").json()


def test_related_text_lines_and_limit(bundled_store_path: str) -> None:
    result = runner.invoke(app, ["related", SEED, "--db", bundled_store_path, "--limit", "4"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4
    for line in lines:
        nct_id, score, rest = line.split("  ", 2)
        assert nct_id.startswith("NCT") and nct_id != SEED
        assert 0 < float(score) <= 1 and " — " in rest


def test_related_unknown_trial_exits_1(bundled_store_path: str) -> None:
    result = runner.invoke(app, ["related", "NCT00000000", "--db", bundled_store_path])
    assert result.exit_code == 1
    assert "No trial with NCT ID NCT00000000" in result.output
