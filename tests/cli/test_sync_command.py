"""`trialatlas sync` as an operator meets it: the closing line, rejects on stderr and in
the rejects file, clear exits 2 for bad options and a server that refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from trialatlas.sample import sample_dir

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))
from ctgov_replay import Registry, bundled_studies, replay_server  # noqa: E402

STUDIES = bundled_studies(12)


def _sync(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trialatlas", "sync", "--rate", "1000", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_sync_prints_the_ingest_line_and_reports_a_bad_record(tmp_path: Path) -> None:
    bad = json.loads((sample_dir() / "NCT06001853.json").read_text())
    status = bad["protocolSection"]["statusModule"]
    status["startDateStruct"] = {"date": "someday"}
    status["lastUpdatePostDateStruct"] = {"date": "2001-01-01", "type": "ACTUAL"}  # not again
    db = tmp_path / "s.db"
    with replay_server(Registry([*STUDIES, bad])) as url:
        done = _sync("--base-url", url, "--page-size", "5", db=db)
        again = _sync("--base-url", url + "/", db=db)  # incremental: the newest day again
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "loaded 12, updated 0, unchanged 0, rejected 1"
    assert (
        "(page " in done.stderr and "NCT06001853)" in done.stderr and "Traceback" not in done.stderr
    )
    rejects = [json.loads(line) for line in (tmp_path / "s-rejects.jsonl").read_text().splitlines()]
    assert [r["nct_id"] for r in rejects] == ["NCT06001853"]
    assert again.returncode == 0, again.stderr
    assert "syncing studies updated since " in again.stderr
    assert again.stdout.strip().startswith("loaded 0, updated 0, unchanged ")
    assert again.stdout.strip().endswith(", rejected 0")


def test_a_refusing_server_exits_2_naming_the_request(tmp_path: Path) -> None:
    with replay_server(Registry(STUDIES)) as url:
        done = _sync("--base-url", url.replace("/api/v2", "/elsewhere"), db=tmp_path / "s.db")
    assert done.returncode == 2
    assert "/elsewhere/studies: HTTP 404" in done.stderr and "again to resume" in done.stderr
    assert done.stdout.strip() == "loaded 0, updated 0, unchanged 0, rejected 0"
    assert "Traceback" not in done.stderr


def test_bad_options_exit_2_naming_the_option(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    since = _sync("--since", "2024-13-40", db=db)
    assert since.returncode == 2 and "--since: not a date" in since.stderr
    rate = subprocess.run(
        [sys.executable, "-m", "trialatlas", "sync", "--rate", "0", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rate.returncode == 2 and "rate: must be above 0" in rate.stderr
    url = _sync("--base-url", "ftp://example.org", db=db)
    assert url.returncode == 2 and "base URL: not an http(s) URL" in url.stderr
    assert not db.exists()  # nothing was started
