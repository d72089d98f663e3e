"""Ingest end to end on real records: idempotency, version order, bad input, the CLI."""

from __future__ import annotations

import copy
import gzip
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from trialatlas.ingest import ingest_paths
from trialatlas.sample import sample_dir
from trialatlas.store import open_store

SEED_JSON = sample_dir() / "NCT06001853.json"

SEED = json.loads(SEED_JSON.read_text())
XML_DOC = """<clinical_study><id_info><nct_id>{nct}</nct_id></id_info>
<brief_title>Test title</brief_title><overall_status>Completed</overall_status></clinical_study>"""


def _study(nct: str, last_update: str | None = None, title: str | None = None) -> dict:
    study = copy.deepcopy(SEED)
    study["protocolSection"]["identificationModule"]["nctId"] = nct
    if last_update:
        study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = last_update
    if title:
        study["protocolSection"]["identificationModule"]["briefTitle"] = title
    return study


def _write_jsonl(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_same_input_twice_changes_nothing(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    first = ingest_paths(store, [str(SEED_JSON)])
    second = ingest_paths(store, [str(SEED_JSON)])
    assert first.line == "loaded 1, updated 0, unchanged 0, rejected 0"
    assert second.line == "loaded 0, updated 0, unchanged 1, rejected 0"
    raw = store.get_raw("NCT06001853")
    assert (
        raw is not None
        and json.loads(raw.text)["protocolSection"]["identificationModule"]["nctId"]
        == "NCT06001853"
    )
    assert len(raw.checksum) == 64


def test_newer_version_replaces_and_older_never_overwrites(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    old = _study("NCT09000001", "2025-01-10", "Zebrafish title")
    new = _study("NCT09000001", "2026-02-01", "Quokka title")
    new["protocolSection"]["conditionsModule"]["conditions"] = ["Only Condition"]
    ingest_paths(store, [_write_jsonl(tmp_path / "old.jsonl", [json.dumps(old)])])
    updated = ingest_paths(store, [_write_jsonl(tmp_path / "new.jsonl", [json.dumps(new)])])
    assert updated.line == "loaded 0, updated 1, unchanged 0, rejected 0"
    study = store.get_study("NCT09000001")
    assert study is not None and study.title == "Quokka title"
    assert study.conditions == ["Only Condition"]  # children replaced completely
    again = ingest_paths(store, [str(tmp_path / "old.jsonl")])
    assert again.line == "loaded 0, updated 0, unchanged 1, rejected 0"
    assert store.get_study("NCT09000001").title == "Quokka title"  # type: ignore[union-attr]
    assert [h.nct_id for h in store.search_text("Zebrafish")] == []
    assert [h.nct_id for h in store.search_text("Quokka")] == ["NCT09000001"]


def test_bad_records_are_rejected_with_reasons_and_the_rest_loads(tmp_path: Path) -> None:
    no_id = _study("NCT09000002")
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    bad_id = _study("NCT123")
    wrong_type = _study("NCT09000003")
    wrong_type["protocolSection"]["designModule"]["phases"] = "PHASE2"
    lines = [
        json.dumps(_study("NCT09000010")),
        '{"protocolSection": {',  # malformed JSON
        json.dumps(no_id),
        json.dumps(bad_id),
        json.dumps(wrong_type),
        json.dumps(_study("NCT09000011")),
    ]
    src = _write_jsonl(tmp_path / "mixed.jsonl", lines)
    store = open_store(str(tmp_path / "s.db"))
    summary = ingest_paths(store, [src])
    assert summary.line == "loaded 2, updated 0, unchanged 0, rejected 4"
    reasons = {r.position: r for r in summary.rejects}
    assert "malformed JSON" in reasons["line 2"].reason
    assert "missing NCT ID" in reasons["line 3"].reason
    assert "'NCT123' is not an NCT ID" in reasons["line 4"].reason
    assert reasons["line 4"].nct_id == "NCT123"
    assert "designModule.phases" in reasons["line 5"].reason
    assert reasons["line 5"].nct_id == "NCT09000003"
    assert store.get_study("NCT09000011") is not None


def _zip_bytes(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return buf.getvalue()


def test_zip_with_a_corrupt_member_loads_the_others(tmp_path: Path) -> None:
    members = {f"NCT0900002{i}.json": json.dumps(_study(f"NCT0900002{i}")) for i in range(3)}
    data = bytearray(_zip_bytes(members))
    # corrupt the compressed bytes of the middle member (after its local header)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("NCT09000021.json")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 40] = b"\x00" * 40
    path = tmp_path / "ctg-studies.json.zip"
    path.write_bytes(bytes(data))
    summary = ingest_paths(open_store(str(tmp_path / "s.db")), [str(path)])
    assert summary.loaded == 2 and summary.rejected == 1
    assert summary.rejects[0].nct_id == "NCT09000021"
    assert "zip member" in summary.rejects[0].reason


def test_truncated_zip_reads_the_complete_members(tmp_path: Path) -> None:
    members = {f"NCT0900003{i}.json": json.dumps(_study(f"NCT0900003{i}")) for i in range(3)}
    data = _zip_bytes(members)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        cut = zf.getinfo("NCT09000032.json").header_offset + 60
    path = tmp_path / "cut.zip"
    path.write_bytes(data[:cut])
    summary = ingest_paths(open_store(str(tmp_path / "s.db")), [str(path)])
    assert summary.loaded == 2
    assert summary.rejected == 1 and "truncated" in summary.rejects[0].reason


def test_xml_with_doctype_or_entities_is_rejected(tmp_path: Path) -> None:
    good = XML_DOC.format(nct="NCT09000040")
    doctype = '<?xml version="1.0"?><!DOCTYPE clinical_study SYSTEM "x.dtd">' + XML_DOC.format(
        nct="NCT09000041"
    )
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + XML_DOC.format(nct="NCT09000042").replace("Test title", "&lol2;")
    )
    folder = tmp_path / "xml"
    folder.mkdir()
    for name, text in {"a.xml": good, "b.xml": doctype, "c.xml": lol}.items():
        (folder / name).write_text(text)
    summary = ingest_paths(open_store(str(tmp_path / "s.db")), [str(folder)])
    assert summary.loaded == 1 and summary.rejected == 2
    assert all("DOCTYPE" in r.reason or "entit" in r.reason for r in summary.rejects)


def test_page_and_gzip_readers(tmp_path: Path) -> None:
    page = {"studies": [_study("NCT09000050"), _study("NCT09000051")], "nextPageToken": "x"}
    (tmp_path / "page.json").write_text(json.dumps(page))
    with gzip.open(tmp_path / "lines.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(_study("NCT09000052")) + "\n")
    summary = ingest_paths(open_store(str(tmp_path / "s.db")), [str(tmp_path)])
    assert summary.line == "loaded 3, updated 0, unchanged 0, rejected 0"


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trialatlas", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_ingest_summary_rejects_file_and_exit_codes(tmp_path: Path) -> None:
    src = _write_jsonl(tmp_path / "x.jsonl", [json.dumps(_study("NCT09000060")), "{oops"])
    db = tmp_path / "store" / "t.db"
    done = _cli("ingest", src, db=db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "loaded 1, updated 0, unchanged 0, rejected 1"
    assert "line 2" in done.stderr and "malformed JSON" in done.stderr
    rejects = (db.parent / "t-rejects.jsonl").read_text().splitlines()
    assert json.loads(rejects[0])["position"] == "line 2"
    missing = _cli("ingest", str(tmp_path / "nope.json"), db=db)
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


@pytest.mark.parametrize("name", ["ctgov_v2_studies.jsonl.gz", "ctgov_xml_studies.zip"])
def test_bundled_sample_files_exist(name: str) -> None:
    from trialatlas.sample import sample_dir

    assert (sample_dir() / name).stat().st_size > 1_000_000


def test_stored_document_of_a_v2_record_equals_the_validated_study() -> None:
    """Ingest stores the mapper's plain tree as the document (no second serialization):
    it must load back into exactly the study the model validates, sites placed."""
    from trialatlas.ingest import default_enrichment, prepare_record
    from trialatlas.normalize import normalize_record
    from trialatlas.sources.ctgov_json import parse_v2_text
    from trialatlas.sources.discover import iter_records
    from trialatlas.store.prepared import PreparedStudy, decode_study, encode_study

    enrich = default_enrichment()
    sources = [sample_dir() / "ctgov_v2_studies.jsonl.gz", SEED_JSON]
    checked = with_results = placed = 0
    for source in sources:
        for raw in iter_records(str(source)):
            prepared = prepare_record(raw, enrich)
            assert isinstance(prepared, PreparedStudy), prepared
            expected = enrich(normalize_record(parse_v2_text(raw) if raw.data is None else raw))
            stored = decode_study(prepared.core["document"])
            assert stored == expected, raw.position
            assert decode_study(encode_study(expected)) == stored
            checked += 1
            with_results += stored.results is not None
            placed += any(loc.geo and loc.geo.precision == "city" for loc in stored.locations)
    assert checked > 1200 and with_results > 50 and placed > 10


def _sample_pair(tmp_path: Path, nct: str) -> tuple[str, str]:
    """One study as both formats of the bundled sample (same last-update date)."""
    with gzip.open(sample_dir() / "ctgov_v2_studies.jsonl.gz", "rt") as fh:
        line = next(ln for ln in fh if f'"nctId": "{nct}"' in ln or f'"nctId":"{nct}"' in ln)
    v2 = tmp_path / f"{nct}.json"
    v2.write_text(line)
    with zipfile.ZipFile(sample_dir() / "ctgov_xml_studies.zip") as zf:
        name = next(n for n in zf.namelist() if n.endswith(f"{nct}.xml"))
        xml = tmp_path / f"{nct}.xml"
        xml.write_bytes(zf.read(name))
    return str(v2), str(xml)


@pytest.mark.parametrize("order", ["v2 first", "xml first"])
def test_one_version_in_two_formats_keeps_the_richer_and_reloads_as_unchanged(
    tmp_path: Path, order: str
) -> None:
    v2, xml = _sample_pair(tmp_path, "NCT00000410")
    sources = [v2, xml] if order == "v2 first" else [xml, v2]
    store = open_store(str(tmp_path / "s.db"))
    try:
        first = ingest_paths(store, sources)
        assert first.loaded == 1 and first.rejected == 0
        assert first.updated == (0 if order == "v2 first" else 1)
        for _ in range(2):
            again = ingest_paths(store, sources)
            assert (again.loaded, again.updated, again.unchanged) == (0, 0, 2)
        for one in sources:  # either file alone: nothing to change either
            assert ingest_paths(store, [one]).unchanged == 1
        stored = store.get_raw("NCT00000410")
        assert stored is not None and stored.format == "ctgov_v2"
    finally:
        store.close()
