"""The mapped vector index is read into the OS page cache when a serving process loads
it, so the first related-trials search does not wait for the disk page by page."""

from __future__ import annotations

import ctypes
import mmap
import os
import time
from pathlib import Path

import faiss
import numpy as np
import pytest

from trialatlas.index.vectors import _read_index

VECTORS = 24_000  # x 384 float32: a 37 MB file, far beyond what the kernel reads ahead

pytestmark = pytest.mark.skipif(
    not hasattr(os, "posix_fadvise"), reason="the OS has no posix_fadvise"
)


def _resident_share(path: Path) -> float:
    """The share of the file's pages in the OS page cache (mincore over a fresh map)."""
    libc = ctypes.CDLL(None, use_errno=True)
    size = path.stat().st_size
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    with path.open("rb") as handle:
        mapped = mmap.mmap(handle.fileno(), size, prot=mmap.PROT_READ)
    try:
        address = np.frombuffer(mapped, dtype=np.uint8).ctypes.data
        flags = (ctypes.c_ubyte * pages)()
        if libc.mincore(ctypes.c_void_p(address), ctypes.c_size_t(size), flags) != 0:
            raise OSError(ctypes.get_errno(), "mincore failed")
        return sum(f & 1 for f in flags) / pages
    finally:
        mapped.close()


def _drop_from_page_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def test_loading_the_saved_index_reads_it_into_the_page_cache(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    data = rng.standard_normal((VECTORS, 384)).astype(np.float32)
    flat = faiss.IndexFlatIP(384)
    flat.add(data)
    path = tmp_path / "big.vectors.faiss"
    faiss.write_index(flat, str(path))
    _drop_from_page_cache(path)
    assert _resident_share(path) < 0.5  # the OS dropped it: the test can tell

    index = _read_index(path, prefetch=True)  # mapped: faiss itself reads only the header

    share = 0.0
    for _ in range(100):  # the OS reads it in the background
        share = _resident_share(path)
        if share > 0.99:
            break
        time.sleep(0.05)
    assert share > 0.99
    assert index.ntotal == VECTORS
    found = index.search(data[:1], 1)[1][0][0]
    assert found == 0
