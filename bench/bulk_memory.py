"""Flat memory while ingesting the bulk ``ctg-studies.json.zip``: peak RSS at two sizes.

Writes a zip laid out like ClinicalTrials.gov's bulk download (one API v2 JSON file
per study, ``NCT….json``) of N generated studies (real bundled records cloned with new
NCT IDs, see bench/ingest.py), ingests it into a fresh SQLite store in a child process
(the ingest path of ``trialatlas ingest``, vectors excluded) and prints that process's
peak RSS; at two sizes, with the ratio (flat memory: close to 1). Both sizes should
fill SQLite's bulk-load page cache (512 MB, reached by about 30,000 studies), which is
most of the peak: below that the peak grows with the cache.

    python bench/bulk_memory.py                          # 30,000 and 120,000 studies (~6 min)
    python bench/bulk_memory.py --small 1000 --large 3000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import synthetic_lines  # noqa: E402
from trialatlas.sources.bounded import ReadLimits  # noqa: E402
from trialatlas.store.sqlite.bulk import BULK_CACHE_KIB  # noqa: E402


def write_bulk_zip(path: Path, count: int) -> float:
    """``count`` studies, one ``NCT….json`` member each; the zip's size in MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for n, line in enumerate(synthetic_lines(count)):
            archive.writestr(f"NCT9{n:07d}.json", line)
    return path.stat().st_size / 1e6


def measure(zip_path: Path, db: Path, workers: int) -> dict[str, float | str]:
    """Ingest ``zip_path`` in a child process; its figures (peak RSS in MB)."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(zip_path), str(db), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(zip_path: str, db: str, workers: int) -> None:
    """Run in the child: ingest, then print the figures as one JSON line."""
    from trialatlas.ingest import ingest_paths
    from trialatlas.store import open_store

    baseline_mb = _peak_rss_mb(resource.RUSAGE_SELF)  # interpreter and imports
    store = open_store(db)
    start = time.perf_counter()
    summary = ingest_paths(store, [zip_path], workers=workers)
    seconds = time.perf_counter() - start
    store.close()
    figures = {
        "line": summary.line,
        "seconds": seconds,
        "baseline_mb": baseline_mb,
        "peak_mb": _peak_rss_mb(resource.RUSAGE_SELF),
        "workers_peak_mb": _peak_rss_mb(resource.RUSAGE_CHILDREN),
    }
    print(json.dumps(figures))


def _peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=30_000)
    parser.add_argument("--large", type=int, default=120_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    peaks = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for count in (args.small, args.large):
            zip_path = Path(tmp) / f"ctg-studies-{count}.json.zip"
            size_mb = write_bulk_zip(zip_path, count)
            figures = measure(zip_path, Path(tmp) / f"bulk-{count}.db", args.workers)
            zip_path.unlink()
            peaks.append(float(figures["peak_mb"]))
            workers_note = (
                f", preparing processes peak {figures['workers_peak_mb']:.0f} MB"
                if args.workers > 1
                else ""
            )
            print(
                f"{count:,} studies (zip {size_mb:,.0f} MB): peak RSS {figures['peak_mb']:.0f} MB"
                f" (after imports {figures['baseline_mb']:.0f} MB{workers_note});"
                f" {figures['seconds']:.1f} s; {figures['line']}"
            )
    print(
        f"peak RSS ratio {args.large:,} / {args.small:,} studies: {peaks[1] / peaks[0]:.2f}"
        f" ({args.large / args.small:.0f}x the studies); bounds: SQLite's page cache while"
        f" bulk loading {BULK_CACHE_KIB // 1024} MB, one record {ReadLimits().max_record_bytes >> 20} MB"
    )


if __name__ == "__main__":
    main()
