"""A real, throwaway PostgreSQL server for the tests: ``initdb`` into a temporary
directory with the server binaries Debian's ``postgresql`` package installs, listening
on a free loopback port (and a unix socket in that directory), stopped at the end.

PostgreSQL refuses to run as root: when the tests run as root, the server runs as the
``postgres`` system user (which the Debian package creates) in a directory it owns.
Missing binaries are an error that says what to install, never a skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

SERVER_USER = "postgres"
START_TIMEOUT_S = 60


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def server_bindir() -> Path:
    """Where ``initdb``, ``pg_ctl`` and ``postgres`` are (``pg_config --bindir`` first,
    then Debian's ``/usr/lib/postgresql/<version>/bin``, newest version first)."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [Path(p) for p in debian]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresMissing(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's `postgresql`"
        " package (scripts/test.sh does) to run the PostgreSQL store tests"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running throwaway server; :meth:`new_database` gives each store a fresh database."""

    root: Path
    port: int
    bindir: Path
    user: str
    as_user: Callable[[], None] | None

    @property
    def admin_url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        """A new empty database's URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")  # type: ignore[arg-type]
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            preexec_fn=self.as_user,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PostgresServer:
    """initdb + pg_ctl start in a new temporary directory; the caller stops it."""
    bindir = server_bindir()
    as_user: Callable[[], None] | None = None
    user = pwd.getpwuid(os.geteuid()).pw_name
    root = Path(tempfile.mkdtemp(prefix="trialatlas-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError as exc:
            raise PostgresMissing(
                f"running as root needs the `{SERVER_USER}` system user (Debian's postgresql"
                " package creates it): PostgreSQL refuses to run as root"
            ) from exc
        os.chown(root, account.pw_uid, account.pw_gid)

        def as_user() -> None:
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)

        user = SERVER_USER
    data = root / "data"
    run = subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8",
         "--locale=C", "--no-sync"],
        preexec_fn=as_user, capture_output=True, text=True, check=False, cwd=root,
    )  # fmt: skip
    if run.returncode != 0:
        raise RuntimeError(f"initdb failed: {run.stderr.strip()}")
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        " -c max_connections=200 -c shared_buffers=64MB"
    )
    run = subprocess.run(
        [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"),
         "-w", "-t", str(START_TIMEOUT_S), "start"],
        preexec_fn=as_user, capture_output=True, text=True, check=False, cwd=root,
    )  # fmt: skip
    if run.returncode != 0:
        log = (
            (root / "server.log").read_text(errors="replace")
            if (root / "server.log").exists()
            else ""
        )
        raise RuntimeError(f"PostgreSQL did not start: {run.stderr.strip()} {log[-2000:]}")
    server = PostgresServer(root, port, bindir, user, as_user)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with psycopg.connect(server.admin_url, connect_timeout=5):
                return server
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.2)
