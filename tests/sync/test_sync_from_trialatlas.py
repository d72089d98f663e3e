"""A TrialAtlas server is a sync source too: a full sync from its API v2-compatible
``/api/v2/studies`` (served by uvicorn) stores the same records as the store it serves."""

from __future__ import annotations

import sys
from pathlib import Path

from ctgov_replay import Registry, bundled_studies, replay_server
from sync_support import run_sync, stored_records

sys.path.insert(0, str(Path(__file__).parents[1] / "web"))
from browser_support import serving  # noqa: E402


def test_a_full_sync_from_a_trialatlas_server_stores_the_same_records(tmp_path: Path) -> None:
    with replay_server(Registry(bundled_studies(40))) as url:
        run_sync(tmp_path / "served.db", url)
    with serving(str(tmp_path / "served.db")) as root:
        summary = run_sync(tmp_path / "copy.db", f"{root}/api/v2", page_size=7)
    assert summary.line == "loaded 40, updated 0, unchanged 0, rejected 0"
    served, copied = stored_records(tmp_path / "served.db"), stored_records(tmp_path / "copy.db")
    assert copied.keys() == served.keys()
    for nct, record in copied.items():
        assert record[2:] == served[nct][2:]  # checksum, version, text, document
