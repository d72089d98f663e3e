"""Only ``ingest`` and ``serve`` create a store; reading commands refuse a missing one."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialatlas.cli.main import app
from trialatlas.sample import sample_dir

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["show", "NCT06001853"],
        ["show", "NCT06001853", "--json"],
        ["search", "pain"],
        ["search", "--near", "Jacksonville, FL"],
        ["prescreen", "NCT06001853"],
    ],
)
def test_reading_a_missing_store_exits_2_and_creates_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    missing = tmp_path / "sub" / "none.db"
    result = runner.invoke(app, [*args, "--db", str(missing)])
    assert result.exit_code == 2
    assert f"no store at {missing}" in result.stderr
    assert result.stdout == ""
    assert not missing.exists() and not missing.parent.exists()


def test_missing_store_from_the_environment(tmp_path: Path) -> None:
    missing = tmp_path / "env.db"
    result = runner.invoke(app, ["search", "pain"], env={"TRIALATLAS_DB": str(missing)})
    assert result.exit_code == 2
    assert f"no store at {missing}" in result.stderr
    assert not missing.exists()


def test_ingest_creates_the_store_then_show_reads_it(tmp_path: Path) -> None:
    db = tmp_path / "new" / "store.db"
    seed = str(sample_dir() / "NCT06001853.json")
    result = runner.invoke(app, ["ingest", "--quiet", "--workers", "1", "--db", str(db), seed])
    assert result.exit_code == 0, result.output
    assert db.is_file()
    result = runner.invoke(app, ["show", "--db", str(db), "NCT06001853"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Allogeneic BM-MSC's")


def test_unreachable_postgres_url_is_a_clear_error_without_its_password() -> None:
    url = "postgresql://someone:secret@127.0.0.1:1/trials"
    result = runner.invoke(app, ["show", "--db", url, "NCT06001853"])
    assert result.exit_code == 2
    assert "cannot connect to postgresql://127.0.0.1:1/trials" in result.stderr
    assert "secret" not in result.output + result.stderr
