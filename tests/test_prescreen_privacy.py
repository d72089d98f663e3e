"""The pre-screener keeps nothing of a patient: a marker typed into every answer of the
web form, every answer and profile field of the API (JSON, FHIR, invalid values that
get a 422) and the CLI's ``--answers`` file, with DEBUG logging on for every logger,
appears in no log record and in no file of the store's folder afterwards.
(The matcher's paths are covered by ``test_match_privacy``; both share its fixtures.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from test_match_privacy import BUNDLE, MARKER, PROFILE, SEED, every_logger_at_debug, store_dir
from trialatlas.cli.main import app as cli_app
from trialatlas.settings import Settings
from trialatlas.web.app import create_app

__all__ = ["every_logger_at_debug", "store_dir"]  # fixtures used here


def _question_ids(client: TestClient) -> list[str]:
    form = client.get(f"/api/trials/{SEED}/prescreen").json()
    return [q["id"] for group in form["groups"] for q in group["questions"]]


def _web_paths(db: str) -> list[str]:
    texts: list[str] = []
    with TestClient(create_app(Settings(db_url=db)), raise_server_exceptions=False) as client:
        ids = _question_ids(client)
        assert ids
        typed = {i: f"{MARKER} {n}" for n, i in enumerate(ids)}
        units = {f"{i}__unit": MARKER for i in ids}
        calls: list[tuple[str, dict[str, Any]]] = [
            (f"/trials/{SEED}/prescreen", {"data": {**typed, **units}}),
            (f"/trials/{SEED}/prescreen", {"data": {"age": "52", ids[1]: MARKER}}),
            (f"/api/trials/{SEED}/prescreen", {"json": {"answers": typed}}),
            (
                f"/api/trials/{SEED}/prescreen",
                {"json": {"answers": {"age": 52}, "profile": PROFILE}},
            ),
            (f"/api/trials/{SEED}/prescreen", {"json": BUNDLE}),
            (f"/api/trials/{SEED}/prescreen", {"json": {"profile": BUNDLE}}),
            (f"/api/trials/{SEED}/prescreen", {"json": {"profile": {"sex": MARKER}}}),  # 422
            (f"/api/trials/{SEED}/prescreen", {"json": {"answers": {MARKER: "yes"}}}),  # 422
            (f"/api/trials/{SEED}/prescreen", {"json": {"answers": MARKER}}),  # 422
            (f"/api/trials/{SEED}/prescreen", {"content": b'{"answers": "' + MARKER.encode()}),
        ]
        for path, kwargs in calls:
            response = client.post(path, **kwargs)
            assert response.status_code in (200, 400, 422), (path, response.status_code)
            assert response.headers.get("cache-control") == "no-store", path
            texts.append(response.text)
    return texts


def _cli_paths(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    for name, body in (
        ("answers.json", {"answers": {"age": 52, "c12": MARKER}}),
        ("profile.json", PROFILE),
        ("bundle.json", BUNDLE),
        ("bad.json", {"profile": {"age": MARKER}}),
    ):
        path = tmp_path / name
        path.write_text(json.dumps(body))
        for extra in ([], ["--json"]):
            args = ["prescreen", SEED, "--answers", str(path), "--db", db, *extra]
            result = runner.invoke(cli_app, args)
            assert result.exit_code in (0, 2), result.output


def test_prescreen_answers_are_in_no_log_record_and_no_store_file(
    store_dir: Path, tmp_path: Path, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    caplog = every_logger_at_debug
    db = str(store_dir / "ta.db")
    texts = _web_paths(db)
    _cli_paths(db, tmp_path)

    assert any(MARKER in text for text in texts)  # the answers went through (form refilled)
    assert caplog.records  # the capture saw the app's records
    for record in caplog.records:
        assert MARKER not in record.getMessage(), record.name
        assert MARKER not in (record.exc_text or ""), record.name
    assert MARKER not in caplog.text
    for file in sorted(p for p in store_dir.rglob("*") if p.is_file()):
        assert MARKER not in file.name
        assert MARKER.encode() not in file.read_bytes(), file.name
        assert MARKER.encode("utf-16-le") not in file.read_bytes(), file.name
