"""The two stores the matching bench ranks, built once and cached (``bench/.cache/``).

- "bundled": the bundled sample (``trialatlas.sample``), ingested as the product ships it.
- "extended": the bundled store plus the benchmark trials it lacks, converted from the
  TrialGPT format (``matching_trials``) and ingested on a copy of the bundled store.

A cache entry is reused while its stamp (what it was built from) still matches. A store
given with ``--store`` is copied into the cache first, never written in place.
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from matching_trials import read_trialgpt, write_studies
from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_sources
from trialatlas.store import open_store
from trialatlas.store.base import Store

CACHE = Path(__file__).resolve().parent / ".cache"
CONVERTER_VERSION = "1"  # bump when matching_trials changes what it writes
Say = Callable[[str], None]


def size_mb(path: Path) -> float:
    """A SQLite store's size on disk with its -wal/-shm files, in MB."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def _files_stamp(paths: Iterable[Path], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _fresh(db: Path, stamp: str) -> bool:
    marker = db.with_name(db.name + ".stamp")
    return db.exists() and marker.exists() and marker.read_text().strip() == stamp


def _mark(db: Path, stamp: str) -> None:
    db.with_name(db.name + ".stamp").write_text(stamp + "\n")


def _remove(db: Path) -> None:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()


def _copy_store(source: Path, target: Path) -> None:
    """Copy a closed SQLite store (with its -wal file, if any) to ``target``."""
    _remove(target)
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))


def _ingest(db: Path, sources: list[str], say: Say) -> None:
    store = open_store(str(db))
    try:
        started = time.perf_counter()
        summary = ingest_paths(store, sources)
        say(f"  ingest {db.name}: {summary.line} ({time.perf_counter() - started:.0f} s)")
        if summary.rejected:
            for reject in summary.rejects[:5]:
                say("    " + reject.as_line())
    finally:
        store.close()


def bundled_store(given: Path | None, say: Say) -> Path:
    """The cached store of the bundled sample: a copy of ``given``, or built by ingest."""
    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / "bundled.db"
    if given is not None:
        stamp = "copy:" + _files_stamp([given])
        if not _fresh(db, stamp):
            say(f"  copying {given} → {db}")
            _copy_store(given, db)
            _mark(db, stamp)
        return db
    stamp = "ingest:" + _files_stamp(Path(p) for p in sample_sources())
    if not _fresh(db, stamp):
        _remove(db)
        say(f"  building {db} from the bundled sample (once)")
        _ingest(db, sample_sources(), say)
        _mark(db, stamp)
    return db


def stored_ids(store: Store, nct_ids: Iterable[str], chunk: int = 500) -> set[str]:
    """Which of ``nct_ids`` the store holds."""
    ids = sorted(set(nct_ids))
    present: set[str] = set()
    for start in range(0, len(ids), chunk):
        present.update(store.get_studies(ids[start : start + chunk]))
    return present


def extended_store(bundled: Path, trialgpt: Path, say: Say) -> Path:
    """The bundled store plus the TrialGPT-format trials it lacks (cached)."""
    db = CACHE / "extended.db"
    bundled_stamp = bundled.with_name(bundled.name + ".stamp").read_text().strip()
    stamp = _files_stamp([trialgpt], CONVERTER_VERSION + bundled_stamp)
    if _fresh(db, stamp):
        return db
    say(f"  building {db}: bundled + converted TrialGPT-format trials (once)")
    records = list(read_trialgpt(trialgpt))
    store = open_store(str(bundled))
    try:
        have = stored_ids(store, (str(r.get("nct_id") or "") for r in records))
    finally:
        store.close()
    extra = CACHE / "trialgpt_extra.jsonl.gz"
    written, unusable = write_studies(records, extra, have)
    say(f"  converted {written} trials ({len(have)} already bundled, {unusable} unusable)")
    _copy_store(bundled, db)
    _ingest(db, [str(extra)], say)
    _mark(db, stamp)
    return db


def ensure_vectors(db: Path, say: Say) -> None:
    """Compute the store's trial vectors when the product offers it (idempotent)."""
    try:
        vectors = importlib.import_module("trialatlas.index.vectors")
    except ImportError:
        return
    update = getattr(vectors, "update_vectors", None)
    if update is None:
        return
    store = open_store(str(db))
    try:
        started = time.perf_counter()
        result = update(store)
        took = time.perf_counter() - started
        if took > 1:
            say(f"  {db.name} {getattr(result, 'line', result)} ({took:.0f} s)")
    finally:
        store.close()
