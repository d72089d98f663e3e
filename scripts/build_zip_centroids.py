"""Build the offline US ZIP centroid table ``src/trialatlas/data/us_zip_centroids.tsv.gz`` (one-off).

Source: the ZIP code list shipped inside the installed ``zipcodes`` package (MIT
licence; USPS ZIP codes with their centroid). Nothing is downloaded. Kept: ZIP codes
in the United States (``country == "US"``) with a point, military codes (APO/FPO)
left out. Reading the package's list takes seconds; the table loads in a fraction of
that, which is why TrialAtlas ships the table instead of asking the package.

Output: gzip (level 9, mtime 0) UTF-8 text, first line ``ZIP_FORMAT_LINE`` of
:mod:`trialatlas.index.zip_codes`, then one line per ZIP code, sorted:
``zip<TAB>lat<TAB>lon<TAB>state<TAB>city<TAB>other city names|...``.
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

from trialatlas.index.zip_codes import ZIP_FORMAT_LINE

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/trialatlas/data/us_zip_centroids.tsv.gz"


def _clean(text: str) -> str:
    return " ".join(str(text or "").replace("\t", " ").replace("|", " ").split())


def build_lines() -> list[str]:
    """One table line per kept ZIP code, sorted by code."""
    import zipcodes

    lines = []
    for entry in zipcodes.list_all():
        if entry.get("country") != "US" or entry.get("zip_code_type") == "MILITARY":
            continue
        try:
            lat, lon = float(entry["lat"]), float(entry["long"])
        except (KeyError, TypeError, ValueError):
            continue
        others = "|".join(
            dict.fromkeys(_clean(c) for c in entry.get("acceptable_cities") or [] if _clean(c))
        )
        lines.append(
            "\t".join((entry["zip_code"], f"{lat:.4f}", f"{lon:.4f}", _clean(entry.get("state", "")),
                       _clean(entry.get("city", "")), others))
        )  # fmt: skip
    return sorted(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    lines = build_lines()
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(("\n".join([ZIP_FORMAT_LINE, *lines]) + "\n").encode("utf-8"))
    args.out.write_bytes(raw.getvalue())
    print(f"{args.out}: {len(lines)} ZIP codes, {len(raw.getvalue()):,} bytes")


if __name__ == "__main__":
    main()
