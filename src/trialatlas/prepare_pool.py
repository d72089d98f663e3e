"""Prepare records in worker processes while this process writes, in input order.

Why not ``multiprocessing.Pool``: its feeding and result threads live in the writing
process, and their Python work (reading the input, pickling records, unpickling
results) contends for the GIL with the writer, which gives the GIL up at every
SQLite step and must then wait to get it back. Here:

- a forked *reader* process iterates the records (this process never touches the
  iterable) and puts numbered chunks of them on one shared pipe;
- each *worker* takes the next chunk when it is free, prepares it and sends the
  result chunk, with its number, back on its own pipe;
- in this process a *drain* thread only moves bytes: it puts the result chunks back
  in input order into a bounded queue, so the workers keep going while the writer
  commits; the caller's thread unpickles them.

A source that fails while being read ends the stream there: the records before it
are delivered, then its exception is raised here. A process that dies is reported
(:class:`WorkerDied`), never waited on forever.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import pickle
import queue
import signal
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Lock
from typing import Any

CHUNK = 16  # records per message
_QUEUED_CHUNKS = 128  # prepared chunks held here while the writer commits (~2,000 studies)
_ITEMS, _ERROR, _END, _NO_READER = b"I", b"X", b".", b"D"
_HEAD = struct.Struct("<Qc")  # chunk number, kind
_PICKLE = pickle.HIGHEST_PROTOCOL
_PIPE_BYTES = 1 << 20  # pipe buffers of 1 MB (Linux F_SETPIPE_SZ) when allowed


class WorkerDied(RuntimeError):
    """A reading or preparing process ended without finishing its work."""


def prepared_in_order(
    records: Iterable[Any], make_prepare: Callable[[], Callable[[Any], Any]], workers: int
) -> Iterator[list[Any]]:
    """Chunks of ``prepare(record)`` results in input order, prepared by ``workers``
    forked processes (``make_prepare`` runs once in each to build ``prepare``)."""
    ctx = get_context("fork")
    task_recv, task_send = ctx.Pipe(duplex=False)
    take_lock = ctx.Lock()
    results = [ctx.Pipe(duplex=False) for _ in range(workers)]
    ends = [task_recv, task_send, *(end for pair in results for end in pair)]
    for end in ends:
        _widen(end)

    def others(*keep: Connection) -> list[Connection]:
        return [end for end in ends if all(end is not k for k in keep)]

    procs: list[BaseProcess] = [
        ctx.Process(
            target=_work,
            args=(
                task_recv,
                take_lock,
                results[i][1],
                make_prepare,
                others(task_recv, results[i][1]),
            ),
            daemon=True,
            name=f"trialatlas-prepare-{i + 1}",
        )
        for i in range(workers)
    ]
    procs.append(
        ctx.Process(
            target=_read,
            args=(records, task_send, workers, others(task_send)),
            daemon=True,
            name="trialatlas-read",
        )
    )
    inboxes = [recv for recv, _ in results]
    chunks: queue.Queue[bytes] = queue.Queue(_QUEUED_CHUNKS)
    failure: list[BaseException] = []
    stop = threading.Event()
    try:
        for proc in procs:
            proc.start()
        for end in others(*inboxes):  # the children hold these now
            end.close()
        threading.Thread(
            target=_drain, args=(inboxes, procs[:workers], chunks, failure, stop), daemon=True
        ).start()
        while True:
            message = chunks.get()
            kind = message[:1]
            if kind == _ITEMS:
                yield pickle.loads(message[1:])
            elif kind == _ERROR:
                raise pickle.loads(message[1:])
            elif failure:
                raise failure[0]
            else:
                return
    finally:
        stop.set()
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            if proc.pid is not None:
                proc.join()
        for end in inboxes:
            end.close()


def _widen(end: Connection) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(end.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore[attr-defined]


def _child(unused: list[Connection]) -> None:
    """In a child: close the pipe ends it does not use; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for end in unused:
        end.close()


def _ends_quietly(target: Callable[..., None]) -> Callable[..., None]:
    """A child's body that ends without a traceback when the writing process is gone
    (killed mid-load): its pipes break, and there is no one left to tell."""

    @functools.wraps(target)
    def run(*args: Any) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            target(*args)

    return run


@_ends_quietly
def _read(
    records: Iterable[Any], tasks: Connection, workers: int, unused: list[Connection]
) -> None:
    """Reader process: numbered chunks of records; then the error if any; then the end."""
    _child(unused)
    number = 0

    def put(kind: bytes, body: bytes = b"") -> None:
        nonlocal number
        tasks.send_bytes(_HEAD.pack(number, kind) + body)
        number += 1

    chunk: list[Any] = []
    try:
        for record in records:
            chunk.append(record)
            if len(chunk) == CHUNK:
                put(_ITEMS, pickle.dumps(chunk, _PICKLE))
                chunk = []
    except Exception as exc:  # the source failed: deliver what came before, then the error
        if chunk:
            put(_ITEMS, pickle.dumps(chunk, _PICKLE))
        put(_ERROR, _pickled_error(exc))
    else:
        if chunk:
            put(_ITEMS, pickle.dumps(chunk, _PICKLE))
    end = _HEAD.pack(number, _END)
    for _ in range(workers):  # one end mark per worker, all with the same number
        tasks.send_bytes(end)
    tasks.close()


def _pickled_error(exc: Exception) -> bytes:
    try:
        return pickle.dumps(exc, _PICKLE)
    except Exception:  # an exception that cannot cross processes: keep its text
        return pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"), _PICKLE)


@_ends_quietly
def _work(
    tasks: Connection,
    take_lock: Lock,
    outbox: Connection,
    make_prepare: Callable[[], Callable[[Any], Any]],
    unused: list[Connection],
) -> None:
    """Worker process: prepare chunks until the end mark; errors pass through."""
    _child(unused)
    prepare = make_prepare()
    # Preparing builds many short-lived objects and no cycles worth chasing often:
    # a relaxed collector saves ~20% of a worker's time.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    while True:
        try:
            with take_lock:
                message = tasks.recv_bytes()
        except EOFError:  # the reader died
            outbox.send_bytes(_HEAD.pack(0, _NO_READER))
            break
        head, body = message[: _HEAD.size], message[_HEAD.size :]
        if _HEAD.unpack(head)[1] == _ITEMS:
            done = [prepare(record) for record in pickle.loads(body)]
            outbox.send_bytes(head + pickle.dumps(done, _PICKLE))
        else:
            outbox.send_bytes(message)
            if _HEAD.unpack(head)[1] == _END:
                break
    outbox.close()


def _drain(
    inboxes: list[Connection],
    workers: list[BaseProcess],
    chunks: queue.Queue[bytes],
    failure: list[BaseException],
    stop: threading.Event,
) -> None:
    """Drain thread: result chunks back in input order into the queue, as bytes."""
    waiting: dict[int, bytes] = {}  # chunks that came early, by number
    ended: set[int] = set()  # workers whose end mark came
    expected = 0
    try:
        while not stop.is_set():
            ready = wait([inboxes[i] for i in range(len(inboxes)) if i not in ended], 0.5)
            if not ready:
                for i, proc in enumerate(workers):
                    if i not in ended and not proc.is_alive() and not inboxes[i].poll():
                        raise WorkerDied(f"a preparing process ended (exit code {proc.exitcode})")
                if len(ended) == len(inboxes):
                    raise WorkerDied("the preparing processes ended before the last records")
                continue
            for conn in ready:
                assert isinstance(conn, Connection)
                message = conn.recv_bytes()
                number, kind = _HEAD.unpack(message[: _HEAD.size])
                if kind == _NO_READER:
                    raise WorkerDied("the reading process ended")
                if kind == _END:
                    ended.add(inboxes.index(conn))
                waiting.setdefault(number, kind + message[_HEAD.size :])
            while expected in waiting:
                out = waiting.pop(expected)
                expected += 1
                _put(chunks, out, stop)
                if out[:1] != _ITEMS:
                    return
    except (EOFError, OSError, WorkerDied) as exc:
        failure.append(exc if isinstance(exc, WorkerDied) else WorkerDied(str(exc)))
        _put(chunks, _END, stop)


def _put(chunks: queue.Queue[bytes], message: bytes, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            chunks.put(message, timeout=0.5)
            return
        except queue.Full:
            continue
