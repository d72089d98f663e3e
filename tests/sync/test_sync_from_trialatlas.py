"""A TrialAtlas server is a sync source too: a full sync from its API v2-compatible
``/api/v2/studies`` (served by uvicorn) stores the same records as the store it serves,
and an incremental one (``AREA[LastUpdatePostDate]RANGE[since,MAX]``) brings the copy up
to date with what changed there since."""

from __future__ import annotations

import sys
from pathlib import Path

from ctgov_replay import Registry, bundled_studies, nct_id, replay_server, update_date
from sync_support import renumbered, revised, run_sync, stored_records

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


def test_an_incremental_sync_from_a_trialatlas_server_takes_only_what_changed(
    tmp_path: Path,
) -> None:
    studies = bundled_studies(40)
    registry = Registry(studies)
    with replay_server(registry) as url:
        run_sync(tmp_path / "served.db", url)
        with serving(str(tmp_path / "served.db")) as root:
            run_sync(tmp_path / "copy.db", f"{root}/api/v2", page_size=7)
        # the served store moves on: three trials revised, two new
        new_date = "2026-01-15"
        newest = max(map(update_date, studies))
        on_newest = sum(update_date(s) == newest for s in studies)
        changed = [revised(s, new_date) for s in studies[:3]]
        added = [renumbered(studies[30 + i], f"NCT0990000{i}", new_date) for i in range(2)]
        registry.studies = changed + studies[3:] + added
        run_sync(tmp_path / "served.db", url)
    with serving(str(tmp_path / "served.db")) as root:
        summary = run_sync(tmp_path / "copy.db", f"{root}/api/v2", page_size=7)
    # only the trials posted on or after the copy's newest date came back
    assert summary.line == f"loaded 2, updated 3, unchanged {on_newest}, rejected 0"
    served, copied = stored_records(tmp_path / "served.db"), stored_records(tmp_path / "copy.db")
    assert copied.keys() == served.keys() and len(copied) == 42
    for nct, record in copied.items():
        assert record[2:] == served[nct][2:]
    assert copied[nct_id(studies[0])][3] == new_date
