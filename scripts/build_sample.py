"""Build the bundled offline sample of registry records (one-off, run by a developer).

Reads the shared data set (``../shared/data/trials``) at *build* time only and writes
into the package data folder, so the product never touches ``../shared`` at run time:

* ``ctgov_v2_studies.jsonl.gz`` -- one bare ClinicalTrials.gov API v2 study object
  per line (unwrapped from the shared provenance wrapper), sorted by NCT ID, gzip
  level 9 with ``mtime`` 0 and no file name in the header;
* ``ctgov_xml_studies.zip`` -- one member ``NCTxxxxxxxx.xml`` per legacy
  ``clinical_study`` document, holding the original XML text, ``ZIP_DEFLATED``,
  fixed 1980-01-01 timestamps and fixed permissions.

Both outputs are byte-for-byte reproducible from the same input. Usage::

    python scripts/build_sample.py [--source DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "trials"
DEFAULT_OUT = REPO_ROOT / "src" / "trialatlas" / "data" / "sample"

V2_INPUT = "ctgov_v2_studies.jsonl.gz"
XML_INPUT = "ctgov_xml_studies.jsonl.gz"
V2_OUTPUT = "ctgov_v2_studies.jsonl.gz"
XML_OUTPUT = "ctgov_xml_studies.zip"

NCT_RE = re.compile(r"NCT\d{8}")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    """A shared input record is unusable; the message names the record and field."""


def read_wrapped(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, wrapper)`` for each JSON line of a gzip JSONL file."""
    with gzip.open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, orjson.loads(line)


def checked_id(wrapper: dict[str, Any], where: str) -> str:
    """Return the wrapper's NCT ID after checking its form."""
    nct_id = wrapper.get("nct_id")
    if not isinstance(nct_id, str) or not NCT_RE.fullmatch(nct_id):
        raise BuildError(f"{where}: field nct_id is not an NCT ID: {nct_id!r}")
    return nct_id


def collect_v2(path: Path) -> dict[str, dict[str, Any]]:
    """Unwrap the API v2 study objects, keyed by NCT ID."""
    studies: dict[str, dict[str, Any]] = {}
    for number, wrapper in read_wrapped(path):
        where = f"{path.name} line {number}"
        nct_id = checked_id(wrapper, where)
        study = wrapper.get("study")
        if not isinstance(study, dict) or "protocolSection" not in study:
            raise BuildError(f"{where} ({nct_id}): field study has no protocolSection")
        inner = study["protocolSection"].get("identificationModule", {}).get("nctId")
        if inner != nct_id:
            raise BuildError(f"{where}: wrapper nct_id {nct_id} != study nctId {inner!r}")
        if nct_id in studies:
            raise BuildError(f"{where}: duplicate study {nct_id}")
        studies[nct_id] = study
    return studies


def collect_xml(path: Path) -> dict[str, str]:
    """Collect the original legacy XML documents, keyed by NCT ID."""
    documents: dict[str, str] = {}
    for number, wrapper in read_wrapped(path):
        where = f"{path.name} line {number}"
        nct_id = checked_id(wrapper, where)
        xml = wrapper.get("xml")
        if not isinstance(xml, str) or "<clinical_study" not in xml:
            raise BuildError(f"{where} ({nct_id}): field xml is not a clinical_study document")
        if nct_id in documents:
            raise BuildError(f"{where}: duplicate study {nct_id}")
        documents[nct_id] = xml
    return documents


def write_atomic(target: Path, payload: bytes) -> None:
    """Write ``payload`` to ``target`` through a temporary file and a rename."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(payload)
    tmp.replace(target)


def build_v2(studies: dict[str, dict[str, Any]]) -> bytes:
    """Return the deterministic gzip JSONL bytes, one study per line, sorted by ID."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as gz:
        for nct_id in sorted(studies):
            gz.write(orjson.dumps(studies[nct_id]))
            gz.write(b"\n")
    return buffer.getvalue()


def build_xml(documents: dict[str, str]) -> bytes:
    """Return the deterministic zip bytes, one ``NCTxxxxxxxx.xml`` member per study."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for nct_id in sorted(documents):
            info = zipfile.ZipInfo(f"{nct_id}.xml", date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, documents[nct_id].encode("utf-8"), compresslevel=9)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Build both sample files and print their record counts and sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="shared trials dir")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="package sample dir")
    args = parser.parse_args(argv)

    try:
        studies = collect_v2(args.source / V2_INPUT)
        documents = collect_xml(args.source / XML_INPUT)
    except (OSError, ValueError, BuildError) as exc:
        print(f"build_sample: {exc}", file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    outputs = [
        (args.out / V2_OUTPUT, build_v2(studies), len(studies)),
        (args.out / XML_OUTPUT, build_xml(documents), len(documents)),
    ]
    for target, payload, count in outputs:
        write_atomic(target, payload)
        print(f"{target}: {count} studies, {len(payload):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
