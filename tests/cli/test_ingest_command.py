"""`trialatlas ingest` as an operator meets it: unreadable sources exit 2, the record
limit is an option, a killed run leaves nothing to clean up, a closed pipe ends quietly."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trialatlas.sample import sample_dir
from trialatlas.store import open_store
from trialatlas.store.sqlite.bulk import missing_indexes

SEED = json.loads((sample_dir() / "NCT06001853.json").read_text())


def _line(nct: str, summary: str = "A study.") -> str:
    study = json.loads(json.dumps(SEED))
    study["protocolSection"]["identificationModule"]["nctId"] = nct
    study["protocolSection"]["descriptionModule"] = {"briefSummary": summary}
    return json.dumps(study)


def _cli(*args: str, db: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "trialatlas", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


def test_every_unreadable_source_exits_2_and_the_readable_ones_load(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(_line("NCT09400001") + "\n")
    (tmp_path / "not-a.zip").write_bytes(b"plain text, not an archive")
    (tmp_path / "not-a.json.gz").write_bytes(b"plain text, not gzip")
    sources = [str(good), str(tmp_path / "not-a.zip"), str(tmp_path / "not-a.json.gz")]
    done = _cli("ingest", "--quiet", *sources, "http://127.0.0.1:9/x.json", db=tmp_path / "s.db")
    assert done.returncode == 2, done.stderr
    assert done.stdout.strip() == "loaded 1, updated 0, unchanged 0, rejected 0"
    assert "not-a.zip: not a zip archive" in done.stderr
    assert "not-a.json.gz: not a gzip file" in done.stderr
    assert "http://127.0.0.1:9/x.json: download failed" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    src = tmp_path / "locked.json"
    src.write_text(_line("NCT09400002"))
    src.chmod(0)
    done = _cli("ingest", "--quiet", str(src), db=tmp_path / "s.db")
    assert done.returncode == 2 and "locked.json: cannot be read" in done.stderr


def test_max_record_mb_option_rejects_a_larger_record_alone(tmp_path: Path) -> None:
    src = tmp_path / "x.jsonl"
    big = _line("NCT09400004", "word " * 300_000)  # 1.5 MB
    src.write_text("\n".join([_line("NCT09400003"), big, _line("NCT09400005")]) + "\n")
    db = tmp_path / "s.db"
    done = _cli("ingest", "--quiet", "--max-record-mb", "1", str(src), db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded 2, updated 0, unchanged 0, rejected 1"
    assert "(line 2, NCT09400004)" in done.stderr
    assert "over the limit of 1 MB per record" in done.stderr
    again = _cli("ingest", "--quiet", str(src), db=db)  # default 64 MB: it loads
    assert again.stdout.strip() == "loaded 1, updated 0, unchanged 2, rejected 0"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait(condition: object, what: str) -> None:
    for _ in range(600):
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_run_killed_mid_load_leaves_nothing_a_rerun_does_not_clean_silently(
    tmp_path: Path,
) -> None:
    """kill -9 while the bulk lock is held and workers run: the workers end without
    tracebacks, the rerun prints only its summary, the lock file and missing indexes
    are gone."""
    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    db = tmp_path / "s.db"
    errors = (tmp_path / "stderr.txt").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "trialatlas", "ingest", "--quiet", "--workers", "2", str(fifo)]
        + ["--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    try:
        with open(fifo, "w") as feed:
            feed.write("\n".join(_line(f"NCT094001{i:02d}") for i in range(40)) + "\n")
            feed.flush()
            _wait(lambda: (tmp_path / "s.db-bulk").exists(), "the bulk lock")
            _wait(lambda: len(_children(proc.pid)) >= 3, "the reader and workers")
            children = _children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        _wait(lambda: not any(Path(f"/proc/{c}").exists() for c in children), "children to end")
    finally:
        if proc.poll() is None:
            proc.kill()
        errors.close()
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text()
    assert (tmp_path / "s.db-bulk").exists()

    src = tmp_path / "next.jsonl"
    src.write_text(_line("NCT09400200") + "\n")
    rerun = _cli("ingest", "--quiet", str(src), db=db)
    assert rerun.returncode == 0
    assert rerun.stderr == ""
    assert rerun.stdout.strip().startswith("loaded ")
    assert not (tmp_path / "s.db-bulk").exists()
    conn = sqlite3.connect(db)
    try:
        assert missing_indexes(conn) == []
    finally:
        conn.close()


def test_a_stale_lock_file_is_removed_when_the_store_is_opened(tmp_path: Path) -> None:
    """The lock file of a run killed after its indexes were built (nothing to repair)."""
    db = tmp_path / "s.db"
    open_store(str(db)).close()
    (tmp_path / "s.db-bulk").write_bytes(b"")
    open_store(str(db)).close()
    assert not (tmp_path / "s.db-bulk").exists()


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    src = tmp_path / "x.jsonl"
    src.write_text("\n".join(_line(f"NCT094003{i:02d}") for i in range(30)) + "\n")
    db = tmp_path / "s.db"
    assert _cli("ingest", "--quiet", str(src), db=db).returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "trialatlas", "search", "--limit", "30", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head -0`: the first write meets a closed pipe
    stderr = proc.stderr.read().decode()
    assert proc.wait() in (0, 1)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
