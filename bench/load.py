"""Load test on loopback: requests/s, p50, p99 and errors at several client counts.

A bounded run per level: ``--seconds`` of closed-loop clients (each sends its next
request when the previous one has answered) over a mix of the pages people and
programs ask for most: the search page, the patient page, the registry (details)
page and the JSON API (one trial; search). Trials are drawn from the store's own
NCT IDs (read through ``/api/v2/studies``), searches from ``bench/search.py``'s words
and places, all from a fixed seed. An error is a response other than 200, or no
answer within ``--timeout`` seconds.

    python bench/load.py --db /tmp/ta.db              # starts `trialatlas serve` itself,
                                                      # --workers 1 then the default
    python bench/load.py --db var/trialatlas.db --workers 1,2,4 --seconds 60
    python bench/load.py --url http://127.0.0.1:8000  # a server already running

Goals (issue 13): 0 errors; requests/s at 128 clients >= at 4 clients; p99 <= 1 s at
32 clients on the bundled store. The server and this client share the machine: the
figures are for the whole box, not for the server alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import PLACES, WORDS  # noqa: E402  (bench/search.py)

# (kind, weight): the share of each kind of request in the mix
MIX = (("search", 30), ("patient", 25), ("details", 20), ("api_trial", 15), ("api_search", 10))
WARMUP_S = 5.0


@dataclass
class Level:
    """What one level (a number of clients) measured."""

    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


class RequestMix:
    """Draws request paths from the mix with a fixed seed."""

    def __init__(self, nct_ids: list[str], seed: int) -> None:
        self.nct_ids = nct_ids
        self.rng = random.Random(seed)
        self.kinds = [k for k, _ in MIX]
        self.weights = [w for _, w in MIX]

    def next(self) -> tuple[str, str]:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        nct = self.rng.choice(self.nct_ids)
        words = self.rng.choice(WORDS)
        if kind == "search":
            params: dict[str, str] = {"q": words}
            if self.rng.random() < 0.3:
                params["status"] = "RECRUITING"
            if self.rng.random() < 0.2:
                params.update(near=self.rng.choice(PLACES), radius="100mi")
            return kind, f"/search?{urlencode(params)}"
        if kind == "patient":
            return kind, f"/trials/{nct}"
        if kind == "details":
            return kind, f"/trials/{nct}/details"
        if kind == "api_trial":
            return kind, f"/api/trials/{nct}"
        return kind, f"/api/search?{urlencode({'q': words})}"


async def _client(
    http: httpx.AsyncClient, mix: RequestMix, deadline: float, level: Level | None
) -> None:
    while time.monotonic() < deadline:
        kind, path = mix.next()
        start = time.perf_counter()
        try:
            response = await http.get(path)
            failure = None if response.status_code == 200 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            failure = type(exc).__name__
        took = time.perf_counter() - start
        if level is None:
            continue
        level.latencies.append(took)
        level.by_kind.setdefault(kind, []).append(took)
        if failure is not None:
            level.errors += 1
            key = f"{kind}: {failure}"
            level.error_kinds[key] = level.error_kinds.get(key, 0) + 1


async def run_level(
    url: str, nct_ids: list[str], clients: int, seconds: float, timeout: float, warmup: float
) -> Level:
    """``clients`` closed-loop clients for ``seconds`` (after ``warmup`` seconds unmeasured)."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    if warmup > 0:
        # a client of its own: its connections idle while the slowest warm-up requests
        # end, and the server closes idle keep-alive connections after 5 s
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as http:
            mix = RequestMix(nct_ids, seed=clients + 1000)
            end = time.monotonic() + warmup
            await asyncio.gather(*(_client(http, mix, end, None) for _ in range(clients)))
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as http:
        level = Level(clients)
        mix = RequestMix(nct_ids, seed=clients)
        started = time.monotonic()
        end = started + seconds
        await asyncio.gather(*(_client(http, mix, end, level) for _ in range(clients)))
        level.seconds = time.monotonic() - started
    return level


def store_nct_ids(url: str, limit: int = 2000) -> list[str]:
    """Up to ``limit`` NCT IDs of the served store (API v2 paging)."""
    ids: list[str] = []
    params: dict[str, str | int] = {"pageSize": 1000, "fields": "NCTId"}
    with httpx.Client(base_url=url, timeout=60) as http:
        while len(ids) < limit:
            page = http.get("/api/v2/studies", params=params).raise_for_status().json()
            ids += [s["protocolSection"]["identificationModule"]["nctId"] for s in page["studies"]]
            token = page.get("nextPageToken")
            if not token:
                break
            params["pageToken"] = token
    if not ids:
        sys.exit("the server's store holds no trials")
    return ids[:limit]


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _memory_kib(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def server_memory(pid: int) -> str:
    """RSS and PSS (shared pages split between processes) of the server and its workers."""
    pids = [pid, *_children(pid)]
    workers = [p for p in pids if _memory_kib(p, "Rss")]
    rss = [_memory_kib(p, "Rss") // 1024 for p in workers]
    pss = sum(_memory_kib(p, "Pss") for p in workers) // 1024
    return f"processes {len(workers)}, RSS MB {rss}, total PSS {pss} MB"


@contextmanager
def started_server(db: str, workers: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``trialatlas serve`` on ``port`` (``workers`` "default": no --workers option)."""
    args = [sys.executable, "-m", "trialatlas", "serve", "--db", db, "--port", str(port)]
    args += ["--no-sample"] + ([] if workers == "default" else ["--workers", workers])
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 900  # a full-scale store builds its search columns first
        while True:
            if proc.poll() is not None:
                sys.exit(f"the server exited ({proc.returncode})")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the server did not answer /healthz in 900 s")
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def print_levels(label: str, levels: list[Level]) -> None:
    print(f"\n{label}")
    print(f"{'clients':>7} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for lv in levels:
        print(
            f"{lv.clients:>7} {lv.requests:>8} {lv.rate:>7.1f} {pct(lv.latencies, 50) * 1000:>7.0f}"
            f" {pct(lv.latencies, 99) * 1000:>7.0f} {lv.errors:>6}"
        )
    for lv in levels:
        parts = [
            f"{kind} p50 {statistics.median(v) * 1000:.0f} / p99 {pct(v, 99) * 1000:.0f}"
            for kind, v in sorted(lv.by_kind.items())
        ]
        print(f"  {lv.clients:>3} clients, ms: " + "; ".join(parts))
        for key, n in sorted(lv.error_kinds.items()):
            print(f"      {n} x {key}")
    if len(levels) >= 2:
        first, last = levels[0], levels[-1]
        by_clients = {lv.clients: lv for lv in levels}
        print(
            f"  goals: errors {sum(lv.errors for lv in levels)} (0);"
            f" req/s at {last.clients} >= at {first.clients}: {last.rate >= first.rate}"
            + (
                f"; p99 at 32 clients {pct(by_clients[32].latencies, 99):.2f} s (<= 1 s)"
                if 32 in by_clients
                else ""
            )
        )


def measure(url: str, args: argparse.Namespace) -> list[Level]:
    nct_ids = store_nct_ids(url)
    levels = []
    for clients in args.clients:
        level = asyncio.run(
            run_level(url, nct_ids, clients, args.seconds, args.timeout, args.warmup)
        )
        levels.append(level)
        print(f"  {clients} clients: {level.rate:.1f} req/s", file=sys.stderr, flush=True)
    return levels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (else one is started over --db)")
    parser.add_argument("--db", default=os.environ.get("TRIALATLAS_DB"), help="store to serve")
    parser.add_argument(
        "--workers", default="1,default", help="comma-separated --workers values to start"
    )
    parser.add_argument("--clients", default="4,32,128", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per level")
    parser.add_argument("--warmup", type=float, default=WARMUP_S, help="unmeasured seconds first")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before an error")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]
    print(f"load: {args.seconds:g} s per level, mix {dict(MIX)}, {os.cpu_count()} cores")
    if args.url:
        print_levels(f"server {args.url}", measure(args.url, args))
        return
    remote = (args.db or "").startswith(("postgresql://", "postgres://"))
    if not args.db or not (remote or Path(args.db).exists()):
        sys.exit("give --url, or --db with an existing store")
    for workers in args.workers.split(","):
        url = f"http://127.0.0.1:{args.port}"
        with started_server(args.db, workers, args.port) as proc:
            levels = measure(url, args)
            memory = server_memory(proc.pid)
        print_levels(f"--workers {workers} ({memory})", levels)


if __name__ == "__main__":
    main()
