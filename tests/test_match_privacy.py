"""The patient's words are never logged or stored: a unique marker sent through every
matching path (API text/profile/FHIR, the page's form, the CLI from a file, stdin and a
JSON profile, and the pre-screen API) with DEBUG logging on for every logger appears in
no log record and in no file of the store's directory afterwards (WAL/SHM and vector
index files included)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from trialatlas.cli.main import app as cli_app
from trialatlas.sample import sample_dir
from trialatlas.settings import Settings
from trialatlas.web.app import create_app

MARKER = "Xq7marker4Zt"
FIXTURES = Path(__file__).parent / "fixtures" / "v2"
SEED = "NCT06001853"
NOTE = (
    f"55-year-old man with chronic low back pain and {MARKER} syndrome for 3 years. "
    f"No history of diabetes; his mother had {MARKER} disease. Takes {MARKER}mab daily."
)
PROFILE = {
    "age": 55,
    "sex": "male",
    "conditions": [{"name": f"chronic low back pain with {MARKER}"}],
    "medications": [{"name": f"{MARKER}mab"}],
    "free_text": NOTE,
}
BUNDLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "resource": {
                "resourceType": "Patient",
                "id": "p1",
                "gender": "male",
                "birthDate": "1970-01-01",
            }
        },
        {
            "resource": {
                "resourceType": "Condition",
                "code": {"text": f"low back pain {MARKER}"},
                "subject": {"reference": "Patient/p1"},
                "clinicalStatus": {"coding": [{"code": "active"}]},
            }
        },
    ],
}


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A fresh store directory of its own, built by ``trialatlas ingest`` (study vectors
    included, so the matcher's vector index is loaded and saved beside the store)."""
    folder = tmp_path / "store"
    folder.mkdir()
    sources = [str(sample_dir() / f"{SEED}.json"), str(FIXTURES)]
    db = str(folder / "ta.db")
    result = CliRunner().invoke(cli_app, ["ingest", *sources, "--db", db, "--quiet"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG on the root and on every logger known so far; loggers that do
    not propagate get the capture handler directly."""
    caplog.set_level(logging.DEBUG)
    direct: list[logging.Logger] = []
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
                direct.append(logger)
    try:
        yield caplog
    finally:
        for logger in direct:
            logger.removeHandler(caplog.handler)


def _web_paths(db: str) -> list[str]:
    """Every web path; returns the responses' texts (the marker must have gone through)."""
    texts: list[str] = []
    with TestClient(create_app(Settings(db_url=db)), raise_server_exceptions=False) as client:
        calls: list[tuple[str, dict[str, Any]]] = [
            ("/api/match", {"json": {"text": NOTE, "near": "Jacksonville, FL"}}),
            ("/api/match", {"json": {"profile": PROFILE, "limit": 5}}),
            ("/api/match", {"json": BUNDLE}),
            ("/api/match", {"json": {"fhir": BUNDLE, "open_only": True}}),
            ("/api/match", {"json": {"text": NOTE, "extra": MARKER}}),  # 422
            ("/api/match", {"json": {"profile": {"age": MARKER}}}),  # 422
            ("/match", {"data": {"text": NOTE, "near": "32224", "radius": "50mi"}}),
            ("/match", {"data": {"text": NOTE, "age": "55", "conditions": MARKER}}),
            ("/match", {"data": {"text": NOTE, "age": MARKER}}),  # 422 page
            (f"/api/trials/{SEED}/prescreen", {"json": {"profile": PROFILE}}),
            (f"/api/trials/{SEED}/prescreen", {"json": {"profile": {"age": MARKER}}}),  # 422
        ]
        for path, kwargs in calls:
            response = client.post(path, **kwargs)
            assert response.status_code in (200, 422), (path, response.status_code)
            texts.append(response.text)
    return texts


def _cli_paths(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    note = tmp_path / "note.txt"
    note.write_text(NOTE)
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE))
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(BUNDLE))
    for args, given in (
        ([str(note)], None),
        (["-", "--json"], NOTE),
        ([str(profile), "--json"], None),
        ([str(bundle)], None),
    ):
        result = runner.invoke(cli_app, ["match", *args, "--db", db], input=given)
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli_app, ["prescreen", SEED, "--answers", str(profile), "--db", db, "--json"]
    )
    assert result.exit_code == 0, result.output


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_the_patient_is_in_no_log_record_and_no_store_file(
    store_dir: Path, tmp_path: Path, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    caplog = every_logger_at_debug
    db = str(store_dir / "ta.db")
    texts = _web_paths(db)
    _cli_paths(db, tmp_path)
    logging.getLogger("trialatlas.test").debug("capture works")

    # the marker went through the matcher (it is understood and shown back) …
    assert any(MARKER in text for text in texts)
    # … and the capture saw the app's own records, down to DEBUG
    assert any(r.name == "trialatlas.test" for r in caplog.records)
    for record in caplog.records:
        assert MARKER not in record.getMessage(), record.name
        assert MARKER not in (record.exc_text or ""), record.name
        assert MARKER not in (record.stack_info or ""), record.name
    assert MARKER not in caplog.text

    files = _files(store_dir)
    names = {f.name for f in files}
    assert "ta.db" in names
    assert any(".vectors." in name for name in names), names  # the saved vector index
    for file in files:
        assert MARKER not in file.name
        assert MARKER.encode() not in file.read_bytes(), file.name
        assert MARKER.encode("utf-16-le") not in file.read_bytes(), file.name
