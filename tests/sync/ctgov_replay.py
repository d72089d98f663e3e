"""A local stand-in for the ClinicalTrials.gov API v2 ``/studies`` endpoint.

It serves real API v2 pages built from bundled records: ``query.term`` with
``AREA[LastUpdatePostDate]RANGE[since,MAX]``, ``sort=LastUpdatePostDate:asc``,
``pageSize``, ``pageToken`` (opaque, tied to the query) and ``countTotal``. A test
chooses what the registry holds and can make any request (counted from 1) fail with
a status (500, 429 with ``Retry-After``, …) or wait until released.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from trialatlas.sample import sample_dir

_RANGE = re.compile(r"^AREA\[LastUpdatePostDate\]RANGE\[([0-9-]+),MAX\]$")


def bundled_studies(count: int, step: int = 12) -> list[dict[str, Any]]:
    """``count`` real API v2 studies of the bundled sample (every ``step``-th)."""
    out = []
    with gzip.open(sample_dir() / "ctgov_v2_studies.jsonl.gz", "rb") as fh:
        for n, line in enumerate(fh):
            if n % step == 0 and line.strip():
                out.append(orjson.loads(line))
                if len(out) == count:
                    break
    return out


def nct_id(study: dict[str, Any]) -> str:
    return str(study["protocolSection"]["identificationModule"]["nctId"])


def update_date(study: dict[str, Any]) -> str:
    return str(study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"])


@dataclass(slots=True)
class Fault:
    """What request number N gets instead of its page: ``status`` (with ``headers`` and
    ``body``), or ``hold``: the page, once that event is set."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None
    body: bytes = b'{"message": "injected failure"}'


@dataclass(slots=True)
class Registry:
    """What the stand-in serves, and what it was asked."""

    studies: list[dict[str, Any]]
    faults: dict[int, Fault] = field(default_factory=dict)
    delay_s: float = 0.0  # before every answer
    token_secret: str = "first"  # change it and the tokens given out before are refused
    requests: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.requests.append(query)
            fault = self.faults.get(len(self.requests))
            studies = list(self.studies)
        if fault is not None and fault.hold is not None:
            fault.hold.wait(60)
        elif fault is not None and fault.status is not None:
            return fault.status, fault.headers, fault.body
        if self.delay_s:
            threading.Event().wait(self.delay_s)
        return _page(studies, query, self.token_secret)


def _page(
    studies: list[dict[str, Any]], query: dict[str, str], secret: str
) -> tuple[int, dict[str, str], bytes]:
    since = None
    if "query.term" in query:
        found = _RANGE.match(query["query.term"])
        if found is None:
            return 400, {}, b'{"message": "unsupported query.term"}'
        since = found.group(1)
    if query.get("sort") != "LastUpdatePostDate:asc":
        return 400, {}, b'{"message": "expected sort=LastUpdatePostDate:asc"}'
    chosen = sorted(
        (s for s in studies if since is None or update_date(s) >= since),
        key=lambda s: (update_date(s), nct_id(s)),
    )
    query_key = hashlib.sha1(f"{secret}:{since}".encode()).hexdigest()[:8]
    offset = 0
    if "pageToken" in query:
        try:
            key, at = base64.urlsafe_b64decode(query["pageToken"]).decode().split(":")
            offset = int(at)
        except ValueError:
            return 400, {}, b'{"message": "bad pageToken"}'
        if key != query_key:
            return 400, {}, b'{"message": "pageToken expired"}'
    size = int(query.get("pageSize", "10"))
    page: dict[str, Any] = {}
    if query.get("countTotal") == "true":
        page["totalCount"] = len(chosen)
    page["studies"] = chosen[offset : offset + size]
    if offset + size < len(chosen):
        page["nextPageToken"] = base64.urlsafe_b64encode(
            f"{query_key}:{offset + size}".encode()
        ).decode()
    return 200, {"Content-Type": "application/json"}, orjson.dumps(page)


class _Handler(BaseHTTPRequestHandler):
    registry: Registry

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        if url.path != "/api/v2/studies":
            self._send(404, {}, b'{"message": "not found"}')
            return
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self._send(*self.registry.answer(query))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client was killed
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def replay_server(registry: Registry) -> Iterator[str]:
    """Serve ``registry`` on 127.0.0.1 (a free port); yields the API root URL."""
    handler = type("Handler", (_Handler,), {"registry": registry})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    finally:
        for fault in registry.faults.values():
            if fault.hold is not None:
                fault.hold.set()
        server.shutdown()
        server.server_close()
