"""Request limits (issue 14, item 9): a body over the limit gets a 413 before it is read
(a 58 MB body is refused after a few kilobytes), a long query string a 414, page sizes
and free text past their limits a 422/400 naming the rule, on the API and the forms."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from trialatlas.settings import Settings

SEED = "NCT06001853"
BIG = 58 * 1024 * 1024
LIMIT = Settings().max_body_bytes
BODY_PATHS = ["/api/match", f"/api/trials/{SEED}/prescreen", "/match", f"/trials/{SEED}/prescreen"]


@contextmanager
def _connection(server: str) -> Iterator[socket.socket]:
    parts = urlsplit(server)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=20)
    try:
        yield sock
    finally:
        sock.close()


def _status(sock: socket.socket) -> tuple[int, bytes]:
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(65536)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1]), head


@pytest.mark.parametrize("path", BODY_PATHS)
def test_a_58_mb_body_is_refused_before_it_is_sent(seed_server: str, path: str) -> None:
    """Only the headers and 64 KB of a declared 58 MB body are ever sent: the answer
    can only come from a server that refused without reading the body."""
    with _connection(seed_server) as sock:
        kind = (
            b"application/json"
            if path.startswith("/api/")
            else b"application/x-www-form-urlencoded"
        )
        sock.sendall(
            b"POST " + path.encode() + b" HTTP/1.1\r\nHost: test\r\nContent-Type: " + kind
            + b"\r\nContent-Length: " + str(BIG).encode() + b"\r\n\r\n" + b"{" + b" " * 65535
        )  # fmt: skip
        status, _ = _status(sock)
    assert status == 413


@pytest.mark.parametrize("path", BODY_PATHS[:2])
def test_a_streamed_body_without_length_is_cut_at_the_limit(seed_server: str, path: str) -> None:
    """Chunked upload, no Content-Length: the 413 comes once the limit is passed, while
    most of the 58 MB is still unsent."""
    chunk = b" " * (256 * 1024)
    sent = 0
    with _connection(seed_server) as sock:
        sock.sendall(
            b"POST " + path.encode() + b" HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        try:
            while sent < LIMIT + 4 * len(chunk):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: fine
        status, _ = _status(sock)
    assert status == 413
    assert sent < BIG // 4


def test_too_large_bodies_get_the_error_shapes(client) -> None:
    api = client.post("/api/match", content=b"[" + b" " * LIMIT + b"]")
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "payload_too_large"
    page = client.post("/match", data={"text": "x" * (LIMIT + 1)})
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")


def test_a_body_under_the_limit_is_read(client) -> None:
    body = b'{"answers": {"age": 52}}' + b" " * (LIMIT // 2)  # valid JSON, 1 MB
    headers = {"content-type": "application/json"}
    response = client.post(f"/api/trials/{SEED}/prescreen", content=body, headers=headers)
    assert response.status_code == 200, response.text[:300]


def test_a_long_query_string_gets_414(client) -> None:
    for path in ("/api/search?q=", "/search?q=", f"/trials/{SEED}?near="):
        response = client.get(path + "pain+" * 3000)
        assert response.status_code == 414, path
    assert client.get("/api/search?q=" + "pain+" * 100).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "rule"),
    [
        ("get", "/api/search?limit=101", {}, 400, "less than or equal to 100"),
        ("get", "/api/search?limit=0", {}, 400, "greater than or equal to 1"),
        (
            "post",
            "/api/match",
            {"json": {"text": "x", "limit": 51}},
            422,
            "less than or equal to 50",
        ),
        ("post", "/api/match", {"json": {"text": "x" * 20_001}}, 422, "at most 20000 characters"),
        ("post", "/api/match", {"json": {"text": "pain", "near": "x" * 201}}, 422, "at most 200"),
        ("get", f"/api/trials/{SEED}/clinics?near=" + "x" * 241, {}, 422, "at most 240"),
        (
            "post",
            f"/api/trials/{SEED}/prescreen",
            {"json": {"answers": {f"q{i}": "yes" for i in range(1001)}}},
            422,
            "at most 1,000 answers",
        ),
        (
            "post",
            f"/api/trials/{SEED}/prescreen",
            {"json": {"answers": {"x" * 201: "yes"}}},
            422,
            "at most 200 characters",
        ),
    ],
)
def test_page_sizes_and_free_text_have_limits(client, method, path, kwargs, status, rule) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text[:300]
    assert rule in response.json()["error"]["message"]
