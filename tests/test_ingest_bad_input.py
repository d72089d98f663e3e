"""The bad-input corpus (issue 14): every bad record gets a clear error of its own, the
rest loads, and nothing stored before is lost. The corpus is generated here, small."""

from __future__ import annotations

import codecs
import copy
import gzip
import json
import random
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from trialatlas.ingest import IngestSummary, ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.sources.bounded import MB, ReadLimits
from trialatlas.store import open_store

FIXTURES = Path(__file__).parent / "fixtures"
SEED = json.loads((sample_dir() / "NCT06001853.json").read_text())
PS = "protocolSection"
MODULES = [
    "identificationModule", "statusModule", "sponsorCollaboratorsModule", "oversightModule",
    "descriptionModule", "conditionsModule", "designModule", "armsInterventionsModule",
    "outcomesModule", "eligibilityModule", "contactsLocationsModule", "referencesModule",
    "ipdSharingStatementModule",
]  # fmt: skip
LIMITS = ReadLimits(max_record_bytes=1 * MB)
XML = (
    '<?xml version="1.0" encoding="{enc}"?>\n<clinical_study><id_info><nct_id>{nct}</nct_id>'
    "</id_info><brief_title>Café {nct}</brief_title><overall_status>{status}</overall_status>"
    "</clinical_study>"
)


def _study(nct: str, **changes: Any) -> dict[str, Any]:
    study = copy.deepcopy(SEED)
    study[PS]["identificationModule"]["nctId"] = nct
    study[PS]["identificationModule"]["briefTitle"] = f"Corpus trial {nct}"
    for module, value in changes.items():
        study[PS][module] = value
    return study


def _line(study: dict[str, Any]) -> bytes:
    return json.dumps(study).encode()


def _bad_corpus(root: Path) -> tuple[set[str], dict[tuple[str, str], str]]:
    """Write the corpus; return the NCT IDs that must load and, per (file, position),
    a piece of the reason each bad record must be rejected with."""
    good: set[str] = set()
    bad: dict[tuple[str, str], str] = {}

    def ok(nct: str) -> bytes:
        good.add(nct)
        return _line(_study(nct))

    # JSON Lines: truncated and invalid JSON, a wrong type in every module, huge
    # fields, invalid UTF-8, non-NCT IDs, enumerations, neighbours that load
    lines = [ok("NCT09300001"), b'{"protocolSection": {"identificationModule": ']
    bad["lines.jsonl", "line 2"] = "malformed JSON"
    lines.append(b"{not json at all}")
    bad["lines.jsonl", "line 3"] = "malformed JSON"
    for module in [*MODULES, "protocolSection"]:
        study = _study(f"NCT093001{len(lines):02d}")
        if module == "protocolSection":
            study = {"protocolSection": [1, 2]}
        else:
            study[PS][module] = [1, 2]
        lines.append(_line(study))
        bad["lines.jsonl", f"line {len(lines)}"] = f"{module}: expected an object, got list"
    lines.append(_line(_study("NCT09300201", descriptionModule={"briefSummary": {"a": 1}})))
    bad["lines.jsonl", f"line {len(lines)}"] = "briefSummary: expected text"
    lines.append(_line(_study("NCT09300202", descriptionModule={"briefSummary": "W" * 2 * MB})))
    bad["lines.jsonl", f"line {len(lines)}"] = "too large: "
    lines.append(ok("NCT09300203"))
    big_ok = _study("NCT09300204", descriptionModule={"briefSummary": "word " * 100_000})
    lines.append(_line(big_ok))  # 500 KB: under the limit, loads
    good.add("NCT09300204")
    lines.append(_line(_study("NCT09300205")).replace(b"Corpus trial", b"Corpus \xff trial"))
    offset = sum(len(x) + 1 for x in lines[:-1]) + lines[-1].index(b"\xff")
    bad["lines.jsonl", f"line {len(lines)}"] = f"invalid UTF-8 at byte {offset}"
    arabic = "NCT" + "".join(chr(0x660 + d) for d in range(8))
    for not_nct in (arabic, "NCT1234567", "NCT123456789", "nct09300206", "09300206"):
        lines.append(_line(_study(not_nct)))
        bad["lines.jsonl", f"line {len(lines)}"] = "is not an NCT ID"
    status = _study("NCT09300207")
    status[PS]["statusModule"]["overallStatus"] = 7
    lines.append(_line(status))
    bad["lines.jsonl", f"line {len(lines)}"] = "overallStatus: '7' is not one of the registry's"
    lines.append(ok("NCT09300208"))
    (root / "lines.jsonl").write_bytes(b"\n".join(lines) + b"\n")

    # documents: truncated JSON, XML with DOCTYPE/entities, UTF-16 XML, bad UTF-8 XML
    (root / "truncated.json").write_bytes(_line(_study("NCT09300301"))[:-40])
    bad["truncated.json", "document"] = "malformed JSON"
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    ) + XML.format(enc="UTF-8", nct="NCT09300302", status="Completed").split("?>", 1)[1]
    (root / "entities.xml").write_text(lol)
    bad["entities.xml", "document"] = "DOCTYPE/entity declarations are not allowed"
    utf16 = XML.format(enc="UTF-16", nct="NCT09300303", status="Completed")
    (root / "utf16.xml").write_bytes(codecs.BOM_UTF16_LE + utf16.encode("utf-16-le"))
    good.add("NCT09300303")
    latin = XML.format(enc="UTF-8", nct="NCT09300304", status="Completed").encode("latin-1")
    (root / "latin.xml").write_bytes(latin)
    bad["latin.xml", "document"] = f"invalid UTF-8 at byte {latin.index(0xE9)}"
    odd = XML.format(enc="UTF-8", nct="NCT09300305", status="Status: 7")
    (root / "status.xml").write_text(odd)
    bad["status.xml", "document"] = "clinical_study/overall_status: 'STATUS_7'"

    # a zip: a bomb of zeros, path-traversal names, a huge member, neighbours
    with zipfile.ZipFile(root / "bulk.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NCT09300401.json", ok("NCT09300401"))
        zf.writestr("NCT09300402.json", b"0" * (32 * MB))
        zf.writestr("../../escape/NCT09300403.json", ok("NCT09300403"))
        zf.writestr("/abs/NCT09300404.json", ok("NCT09300404"))
        noise = random.Random(14).randbytes(MB).hex()  # 2 MB that compress badly
        zf.writestr(
            "NCT09300405.json",
            _line(_study("NCT09300405", descriptionModule={"briefSummary": noise})),
        )
        zf.writestr("NCT09300406.json", ok("NCT09300406"))
    bad["bulk.zip", "member NCT09300402.json"] = "zip bomb"
    bad["bulk.zip", "member NCT09300405.json"] = "too large: "

    # gzip JSON Lines with a bad line in the middle
    with gzip.open(root / "more.jsonl.gz", "wb") as fh:
        fh.write(ok("NCT09300501") + b"\n{oops\n" + ok("NCT09300502") + b"\n")
    bad["more.jsonl.gz", "line 2"] = "malformed JSON"
    return good, bad


def _raw_rows(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT nct_id, checksum FROM raw_records").fetchall())
    finally:
        conn.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_bad_input_corpus(tmp_path: Path, workers: int) -> None:
    db = tmp_path / "s.db"
    store = open_store(str(db))
    real = [str(sample_dir() / "NCT06001853.json"), str(FIXTURES / "v2"), str(FIXTURES / "xml")]
    first = ingest_paths(store, real)
    assert first.rejected == 0
    before = _raw_rows(db)

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good, bad = _bad_corpus(corpus)
    summary: IngestSummary = ingest_paths(store, [str(corpus)], workers=workers, limits=LIMITS)
    store.close()

    got = {(Path(r.source).name, r.position): r.reason for r in summary.rejects}
    assert set(got) == set(bad), sorted(set(got) ^ set(bad))
    for key, piece in bad.items():
        assert piece in got[key], (key, got[key])
    assert summary.source_errors == []
    after = _raw_rows(db)
    assert set(after) == set(before) | good  # the good ones loaded, no bad one did
    assert all(after[nct] == checksum for nct, checksum in before.items())  # nothing lost
    assert not any(tmp_path.rglob("escape")) and not (tmp_path.parent / "escape").exists()


def test_conflicting_duplicate_versions_keep_the_newest(tmp_path: Path) -> None:
    def version(date: str, title: str) -> bytes:
        study = _study("NCT09300601")
        study[PS]["statusModule"]["lastUpdatePostDateStruct"]["date"] = date
        study[PS]["identificationModule"]["briefTitle"] = title
        return _line(study)

    src = tmp_path / "dups.jsonl"
    src.write_bytes(
        b"\n".join(
            [
                version("2025-03-01", "Newest"),
                version("2024-01-01", "Old"),
                version("2025-03-01", "Newest"),
            ]
        )
    )
    store = open_store(str(tmp_path / "s.db"))
    summary = ingest_paths(store, [str(src)])
    assert summary.line == "loaded 1, updated 0, unchanged 2, rejected 0"
    study = store.get_study("NCT09300601")
    assert study is not None and study.title == "Newest"
