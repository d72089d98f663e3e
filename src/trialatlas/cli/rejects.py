"""Rejected records as the commands that load them report them: on stderr, and appended
as JSON lines to the rejects file next to the store."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from trialatlas.ingest import Reject


@contextmanager
def reject_log(path: Path | None) -> Iterator[Callable[[Reject], None]]:
    """A callback that prints each reject on stderr and appends it to ``path`` (if any)."""
    out = None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        out = open(path, "ab")  # noqa: SIM115 (closed below)

    def on_reject(reject: Reject) -> None:
        print(reject.as_line(), file=sys.stderr)
        if out is not None:
            out.write(orjson.dumps(reject, option=orjson.OPT_APPEND_NEWLINE))

    try:
        yield on_reject
    finally:
        if out is not None:
            out.close()
