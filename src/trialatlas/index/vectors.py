"""Study vectors: kept up to date in the store, searched with faiss.

``update_vectors`` embeds the studies whose text changed (or that have no vector) in
batches, each written as it is done: a load stopped midway loses at most one batch
and the next run goes on from there. ``load_vector_index`` gives the faiss index of
the store's vectors: exact inner product (= cosine, vectors are unit length) below
:data:`HNSW_FROM` vectors, HNSW above. For a SQLite store the index is saved beside
it (``x.db`` → ``x.vectors.faiss`` + ``x.vectors.json``) and reused, memory-mapped,
while the store's vectors have not changed since it was built; otherwise (or for a
PostgreSQL store, or a folder that cannot be written) it is built in memory.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np
import orjson

from trialatlas.index.study_text import stored_embedding_text, text_checksum
from trialatlas.store.base import Store

if TYPE_CHECKING:
    from trialatlas.index.embedding import Embedder

log = logging.getLogger(__name__)

HNSW_FROM = 50_000  # vectors from which the index is approximate (HNSW)
HNSW_M = 32  # links per node
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96
WRITE_BATCH = 512  # studies embedded and committed together
_FORMAT = 1  # of the saved index's metadata file
_PREFETCH_CHUNK = 1 << 20  # bytes read at a time when prefetching the index file
_FILE_MODE = 0o644  # saved files readable like the store (temp files start 0600)


@dataclass(frozen=True, slots=True)
class VectorUpdate:
    """What ``update_vectors`` did."""

    embedded: int = 0
    unchanged: int = 0
    removed: int = 0
    model: str = ""

    @property
    def line(self) -> str:
        return (
            f"vectors: embedded {self.embedded}, unchanged {self.unchanged}, removed {self.removed}"
        )


def update_vectors(
    store: Store,
    *,
    rebuild: bool = False,
    on_progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    embedder: Embedder | None = None,
) -> VectorUpdate:
    """Embed new and changed studies (all with ``rebuild``); drop vectors of removed ones.

    ``on_total(n)`` is told how many studies will be embedded once that is known,
    ``on_progress(n)`` each time ``n`` more are stored. ``embedder`` (an
    :class:`~trialatlas.index.embedding.Embedder`) defaults to the process's one.
    """
    from trialatlas.index.embedding import embedder as default_embedder

    model = embedder if embedder is not None else default_embedder()
    removed = store.delete_orphan_vectors()
    stored = {} if rebuild else store.vector_checksums(model.model_id)
    todo: list[str] = []
    unchanged = 0
    for batch in store.iter_study_texts(batch=2000):
        for row in batch:
            if stored.get(row.nct_id) == text_checksum(stored_embedding_text(row)):
                unchanged += 1
            else:
                todo.append(row.nct_id)
    if on_total is not None:
        on_total(len(todo))
    embedded = 0
    for batch in store.iter_study_texts(todo, batch=WRITE_BATCH):
        texts = [stored_embedding_text(row) for row in batch]
        vectors = model.encode(texts)
        store.write_vectors(
            model.model_id,
            [
                (row.nct_id, text_checksum(t), v)
                for row, t, v in zip(batch, texts, vectors, strict=True)
            ],
        )
        embedded += len(batch)
        if on_progress is not None:
            on_progress(len(batch))
    return VectorUpdate(embedded, unchanged, removed, model.model_id)


class VectorIndex:
    """Nearest studies by cosine similarity over one model's unit vectors."""

    def __init__(self, ids: list[str], index: faiss.Index | None, model: str | None) -> None:
        self.ids = ids
        self.model = model
        self._index = index
        self._position = {nct: i for i, nct in enumerate(ids)}

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def kind(self) -> str:
        """``flat`` (exact), ``hnsw`` (approximate) or ``empty``."""
        if self._index is None:
            return "empty"
        return "hnsw" if isinstance(self._index, faiss.IndexHNSWFlat) else "flat"

    def search(
        self, query: np.ndarray, k: int, exclude: str | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest ``(nct_id, cosine)``, best first (``exclude`` left out)."""
        if self._index is None or k <= 0:
            return []
        vec = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, -1))
        want = min(k + (1 if exclude else 0), self.size)
        scores, rows = self._index.search(vec, want)
        out = [
            (self.ids[row], float(score))
            for score, row in zip(scores[0], rows[0], strict=True)
            if row >= 0 and self.ids[row] != exclude
        ]
        return out[:k]

    def vector(self, nct_id: str) -> np.ndarray | None:
        """The stored vector of ``nct_id`` (float32), None when it has none."""
        row = self._position.get(nct_id)
        if row is None or self._index is None:
            return None
        return np.asarray(self._index.reconstruct(row), dtype=np.float32)

    def search_by_id(self, nct_id: str, k: int) -> list[tuple[str, float]]:
        """The ``k`` studies nearest ``nct_id`` (itself excluded); [] when it has no vector."""
        vec = self.vector(nct_id)
        return [] if vec is None else self.search(vec, k, exclude=nct_id)


def build_faiss_index(vectors: np.ndarray, hnsw: bool | None = None) -> faiss.Index:
    """Exact inner product below :data:`HNSW_FROM` vectors, HNSW from it (``hnsw`` forces)."""
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    use_hnsw = len(data) >= HNSW_FROM if hnsw is None else hnsw
    if use_hnsw:
        index = faiss.IndexHNSWFlat(data.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(data.shape[1])
    index.add(data)
    return index


def vector_index_from_store(
    store: Store, model: str | None = None, hnsw: bool | None = None
) -> VectorIndex:
    """A fresh in-memory index of the store's vectors of ``model`` (default: the store's
    most common model)."""
    model = model or main_model(store)
    if model is None:
        return VectorIndex([], None, None)
    ids, data = _all_vectors(store, model)
    if not ids:
        return VectorIndex([], None, model)
    return VectorIndex(ids, build_faiss_index(data, hnsw), model)


def main_model(store: Store) -> str | None:
    """The model most of the store's vectors were made by (None: no vectors)."""
    counts = store.vector_models()
    return max(counts, key=lambda m: (counts[m], m)) if counts else None


def _all_vectors(store: Store, model: str) -> tuple[list[str], np.ndarray]:
    ids: list[str] = []
    parts: list[np.ndarray] = []
    for batch_ids, batch in store.iter_vectors(model):
        ids.extend(batch_ids)
        parts.append(batch)
    if not parts:
        return [], np.zeros((0, 0), dtype=np.float32)
    return ids, np.concatenate(parts)


def load_vector_index(
    store: Store,
    db_url: str,
    *,
    model: str | None = None,
    hnsw: bool | None = None,
    prefetch: bool = False,
) -> VectorIndex:
    """The store's vector index: the saved one beside a SQLite ``db_url`` when still
    current, else built (and saved when the folder is writable). Empty without vectors.
    ``prefetch``: read the saved file into the OS page cache in the background (see
    :func:`prefetch_file`; for a serving process, not a one-shot command)."""
    model = model or main_model(store)
    if model is None:
        return VectorIndex([], None, None)
    files = index_files(db_url)
    if files is None:
        return vector_index_from_store(store, model, hnsw)
    version = store.vectors_version(model)
    saved = _read_saved(files, model, version, hnsw, prefetch)
    if saved is not None:
        return saved
    index = vector_index_from_store(store, model, hnsw)
    if index.size and index._index is not None:
        _save(files, index, version)
    return index


@dataclass(frozen=True, slots=True)
class IndexFiles:
    index: Path
    meta: Path


def index_files(db_url: str) -> IndexFiles | None:
    """Where a SQLite store's index is saved; None for a PostgreSQL URL."""
    if db_url.startswith(("postgresql://", "postgres://")) or db_url == ":memory:":
        return None
    db = Path(db_url)
    stem = db.with_suffix("") if db.suffix else db
    return IndexFiles(
        stem.with_name(stem.name + ".vectors.faiss"), stem.with_name(stem.name + ".vectors.json")
    )


def _read_saved(
    files: IndexFiles, model: str, version: str, hnsw: bool | None, prefetch: bool
) -> VectorIndex | None:
    try:
        meta = orjson.loads(files.meta.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if (
        meta.get("format") != _FORMAT
        or meta.get("model") != model
        or meta.get("version") != version
        or (hnsw is not None and meta.get("kind") != ("hnsw" if hnsw else "flat"))
    ):
        return None
    try:
        index = _read_index(files.index, prefetch=prefetch)
    except RuntimeError as exc:  # faiss reports a bad or missing file so
        log.info("vector index %s unreadable (%s); rebuilding", files.index, exc)
        return None
    ids = list(meta.get("ids", ()))
    if index.ntotal != len(ids):
        return None
    return VectorIndex(ids, index, model)


def _read_index(path: Path, *, prefetch: bool = False) -> faiss.Index:
    """Memory-mapped where faiss can map the index type; read into memory otherwise.

    ``IO_FLAG_MMAP_IFC`` maps the vectors of flat indexes (exact, and HNSW's storage):
    ``IO_FLAG_MMAP`` alone maps only inverted lists, so a flat index was copied into
    each process. Mapped, the server's worker processes share one copy.
    """
    flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY | getattr(faiss, "IO_FLAG_MMAP_IFC", 0)
    try:
        index = faiss.read_index(str(path), flags)
    except RuntimeError:
        return faiss.read_index(str(path))
    if prefetch:
        prefetch_file(path)
    return index


def prefetch_file(path: Path) -> threading.Thread:
    """Read a mapped index file once, in a background thread, so the OS keeps it in its
    page cache; the thread is returned (a caller may wait for it).

    An HNSW search reads a few thousand vectors scattered over the whole file: mapped
    but not yet read, each is a page fault that waits for the disk (at 600,000 studies
    a first search took about 130 ms, against 4 ms once the file is in the page cache).
    The page cache is the OS's, shared by every worker that maps the file, and not
    counted in any process's own memory. (``posix_fadvise(WILLNEED)`` alone is not
    enough: Linux reads ahead only part of a large file.)
    """
    thread = threading.Thread(
        target=_read_through, args=(path,), name="vector index prefetch", daemon=True
    )
    thread.start()
    return thread


def _read_through(path: Path) -> None:
    chunk = bytearray(_PREFETCH_CHUNK)
    try:
        with path.open("rb", buffering=0) as handle:
            while handle.readinto(chunk):
                pass
    except OSError as exc:
        log.info("vector index %s not prefetched (%s)", path, exc)


def _save(files: IndexFiles, index: VectorIndex, version: str) -> None:
    """Index file first, metadata (the commit mark) last, each renamed into place."""
    try:
        folder = files.index.parent
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".faiss.tmp", delete=False) as tmp:
            tmp_index = Path(tmp.name)
        faiss.write_index(index._index, str(tmp_index))
        tmp_index.chmod(_FILE_MODE)
        os.replace(tmp_index, files.index)
        meta = {
            "format": _FORMAT,
            "model": index.model,
            "version": version,
            "kind": index.kind,
            "ids": index.ids,
        }
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".json.tmp", delete=False) as tmp:
            tmp.write(orjson.dumps(meta))
            tmp_meta = Path(tmp.name)
        tmp_meta.chmod(_FILE_MODE)
        os.replace(tmp_meta, files.meta)
    except (OSError, RuntimeError) as exc:
        log.info("vector index not saved beside the store (%s); kept in memory", exc)
