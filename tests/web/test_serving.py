"""Serving many users: worker processes over a read-only store, /healthz never stalled
by page work, and an ingest running while the site serves."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest
import uvicorn
from fastapi import FastAPI

from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.settings import Settings
from trialatlas.store import open_store
from trialatlas.web import serving
from trialatlas.web.app import create_app
from trialatlas.web.routers import match, pages

SEED = "NCT06001853"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _in_thread(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread of this process; yields its URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@contextmanager
def _serve_command(db: str, *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``trialatlas serve`` in a subprocess; yields its URL and process once /healthz answers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIALATLAS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trialatlas", "serve", "--db", db, "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /healthz"
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _child_pids(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def _python_children(pid: int) -> list[int]:
    """Worker processes: children running Python (uvicorn also starts a resource tracker)."""
    out = []
    for child in _child_pids(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            out.append(child)
    return out


@pytest.fixture()
def seed_copy(seed_store_path: str, tmp_path: Path) -> str:
    path = tmp_path / "serve.db"
    shutil.copy(seed_store_path, path)
    return str(path)


def test_worker_app_reads_settings_at_start_up_and_opens_the_store_read_only(
    seed_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    monkeypatch.setenv("TRIALATLAS_DB", seed_copy)
    monkeypatch.setenv("TRIALATLAS_THREADS", "3")
    app = serving.worker_app()
    state = app.state.trialatlas
    assert state.settings.db_url == seed_copy
    assert state.settings.read_only and state.settings.threads == 3
    with TestClient(app) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.get(f"/trials/{SEED}/details").status_code == 200
        store = state.store()
        with pytest.raises(Exception, match="readonly"):
            store.execute("DELETE FROM studies")


def test_healthz_answers_while_every_page_thread_is_busy(
    seed_store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More slow pages in flight than any thread pool holds: the probe still answers."""
    release = threading.Event()
    entered: list[str] = []
    real_trial_page = pages.trial_page

    def slow_trial_page(*args: object, **kwargs: object) -> object:
        entered.append(threading.current_thread().name)
        release.wait(60)
        return real_trial_page(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pages, "trial_page", slow_trial_page)
    slow_requests = 48  # more than anyio's default pool of 40 threads
    app = create_app(Settings(db_url=seed_store_path, threads=4))
    with _in_thread(app) as url:
        results: list[int] = []

        def fetch() -> None:
            response = httpx.get(f"{url}/trials/{SEED}/details", timeout=120)
            results.append(response.status_code)

        senders = [threading.Thread(target=fetch) for _ in range(slow_requests)]
        for sender in senders:
            sender.start()
        try:
            deadline = time.monotonic() + 30
            while len(entered) < 4:  # every page thread holds a slow page
                assert time.monotonic() < deadline, "the slow pages did not start"
                time.sleep(0.02)
            health = httpx.get(f"{url}/healthz", timeout=15)
            assert health.status_code == 200 and health.json()["studies"] > 0
            assert not results, "a slow page finished: the probe proved nothing"
            assert len(entered) == 4  # page work is bounded by settings.threads
        finally:
            release.set()
            for sender in senders:
                sender.join(timeout=120)
    assert results == [200] * slow_requests


def test_a_slow_results_page_render_does_not_stall_healthz(
    seed_store_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matching results page is rendered off the event loop (a large page)."""
    release = threading.Event()
    rendering = threading.Event()
    real_render = match.render_page

    def slow_render(*args: object, **kwargs: object) -> object:
        rendering.set()
        release.wait(60)
        return real_render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(match, "render_page", slow_render)
    app = create_app(Settings(db_url=seed_store_path))
    with _in_thread(app) as url:
        statuses: list[int] = []
        form = {"text": "45 year old woman with chronic low back pain", "near": "", "radius": ""}

        def submit() -> None:
            statuses.append(httpx.post(f"{url}/match", data=form, timeout=120).status_code)

        sender = threading.Thread(target=submit)
        sender.start()
        try:
            assert rendering.wait(90), "the results page was never rendered"
            health = httpx.get(f"{url}/healthz", timeout=15)
            assert health.status_code == 200
            assert not statuses  # the page was still being rendered
        finally:
            release.set()
            sender.join(timeout=120)
    assert statuses == [200]


def test_serve_runs_worker_processes(seed_copy: str) -> None:
    with _serve_command(seed_copy, "--workers", "2", "--no-sample") as (url, proc):
        deadline = time.monotonic() + 30
        while len(_python_children(proc.pid)) < 2:
            assert time.monotonic() < deadline, "no 2 worker processes"
            time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=30) as http:
            for path in ("/", f"/trials/{SEED}", f"/trials/{SEED}/details", f"/api/trials/{SEED}"):
                assert http.get(path).status_code == 200, path


def _changed(record: dict[str, object]) -> dict[str, object]:
    """The record's next version: a new title, one more condition, a later update date."""
    data = orjson.loads(orjson.dumps(record))
    proto = data["protocolSection"]
    proto["identificationModule"]["briefTitle"] = "REVISED " + proto["identificationModule"].get(
        "briefTitle", ""
    )
    conditions = proto.setdefault("conditionsModule", {}).setdefault("conditions", [])
    conditions.append("Revision marker condition")
    proto["statusModule"]["lastUpdatePostDateStruct"] = {"date": "2099-01-01", "type": "ACTUAL"}
    return data


def _sample_records(count: int) -> list[dict[str, object]]:
    out = []
    with gzip.open(sample_dir() / "ctgov_v2_studies.jsonl.gz", "rb") as lines:
        for line in lines:
            out.append(orjson.loads(line))
            if len(out) == count:
                break
    return out


def test_a_reader_sees_whole_trials_while_ingest_writes(tmp_path: Path) -> None:
    """`trialatlas ingest` (a subprocess, the one writer) replaces trials while clients
    read them from a served store: every answer is 200 and one whole version."""
    records = _sample_records(150)
    old = tmp_path / "old.jsonl"
    new = tmp_path / "new.jsonl"
    old.write_bytes(b"".join(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records))
    new.write_bytes(
        b"".join(orjson.dumps(_changed(r), option=orjson.OPT_APPEND_NEWLINE) for r in records)
    )
    db = str(tmp_path / "live.db")
    store = open_store(db)
    try:
        assert ingest_paths(store, [str(old)]).loaded == len(records)
    finally:
        store.close()
    ids = [r["protocolSection"]["identificationModule"]["nctId"] for r in records]  # type: ignore[index]
    with _serve_command(db, "--workers", "2", "--no-sample") as (url, _):
        env = {**os.environ, "TRIALATLAS_DB": db}
        writer = subprocess.Popen(
            [sys.executable, "-m", "trialatlas", "ingest", str(new), "--quiet", "--workers", "1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        seen: dict[str, int] = {"old": 0, "new": 0}
        problems: list[str] = []
        with httpx.Client(base_url=url, timeout=60) as http:
            rounds = 0
            while writer.poll() is None or rounds < 1:
                rounds += 1
                for nct in ids:
                    _check_whole(http, nct, seen, problems)
                    if writer.poll() is not None and rounds > 1:
                        break
            out, err = writer.communicate(timeout=300)
            assert writer.returncode == 0, err.decode()
            assert b"updated 150" in out
            for nct in ids[:20]:  # after the ingest: the new version only
                before = seen["new"]
                _check_whole(http, nct, seen, problems)
                assert seen["new"] == before + 1, nct
    assert not problems, problems[:5]


def _check_whole(http: httpx.Client, nct: str, seen: dict[str, int], problems: list[str]) -> None:
    response = http.get(f"/api/v2/studies/{nct}")
    if response.status_code != 200:
        problems.append(f"{nct}: HTTP {response.status_code}")
        return
    proto = response.json()["protocolSection"]
    title = proto["identificationModule"].get("briefTitle", "")
    conditions = proto.get("conditionsModule", {}).get("conditions", [])
    date = proto["statusModule"]["lastUpdatePostDateStruct"]["date"]
    marks = (
        title.startswith("REVISED "),
        "Revision marker condition" in conditions,
        date == "2099-01-01",
    )
    if all(marks):
        seen["new"] += 1
    elif not any(marks):
        seen["old"] += 1
    else:
        problems.append(f"{nct}: half-written {marks}")
    page = http.get(f"/api/trials/{nct}")
    if page.status_code != 200:
        problems.append(f"{nct}: /api/trials HTTP {page.status_code}")
        return
    study = page.json()["study"]
    revised = (
        (study["identification"]["brief_title"] or "").startswith("REVISED "),
        "Revision marker condition" in study["conditions"],
    )
    if len(set(revised)) != 1:
        problems.append(f"{nct}: /api/trials half-written {revised}")
