"""Readers: per-record size limits, zip bombs, the one UTF-8 rule, unreadable sources."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from trialatlas.sources.bounded import MB, ReadLimits, capped_lines
from trialatlas.sources.ctgov_json import parse_v2_text
from trialatlas.sources.discover import iter_records
from trialatlas.sources.records import RawRecord, SourceError

SMALL = ReadLimits(max_record_bytes=1 * MB)


def _study(nct: str, title: str = "A title") -> bytes:
    return json.dumps(
        {"protocolSection": {"identificationModule": {"nctId": nct, "briefTitle": title}}}
    ).encode()


def _records(source: Path, limits: ReadLimits = SMALL) -> list[RawRecord]:
    out = []
    for item in iter_records(str(source), limits):
        assert isinstance(item, RawRecord), item
        out.append(item)
    return out


def test_capped_lines_skip_a_long_line_and_keep_offsets() -> None:
    data = b"one\n" + b"x" * 5000 + b"\nthree\r\n"
    lines = list(capped_lines(io.BytesIO(data), 100))
    assert [(ln.number, ln.offset, ln.data) for ln in lines] == [
        (1, 0, b"one\n"),
        (2, 4, None),
        (3, 5005, b"three\r\n"),
    ]
    assert lines[1].size == 5001


def test_a_json_line_over_the_limit_is_rejected_alone(tmp_path: Path) -> None:
    big = _study("NCT09100002", "T" * (2 * MB))
    src = tmp_path / "x.jsonl"
    src.write_bytes(b"\n".join([_study("NCT09100001"), big, _study("NCT09100003")]) + b"\n")
    records = _records(src)
    assert [r.error is None for r in records] == [True, False, True]
    assert records[1].position == "line 2"
    assert "too large: " in (records[1].error or "")
    assert "limit of 1 MB per record" in (records[1].error or "")
    assert records[1].text == ""  # nothing of it kept
    assert records[1].nct_id_hint == "NCT09100002"  # named from its first bytes


@pytest.mark.parametrize("name", ["big.json", "big.xml", "big.json.gz", "big.xml.gz"])
def test_a_document_over_the_limit_is_rejected_unparsed(tmp_path: Path, name: str) -> None:
    body = _study("NCT09100004", "T" * (2 * MB))
    if name.endswith(".xml") or name.endswith(".xml.gz"):
        body = (
            b"<clinical_study><brief_title>" + b"T" * (2 * MB) + b"</brief_title></clinical_study>"
        )
    path = tmp_path / name
    path.write_bytes(gzip.compress(body) if name.endswith(".gz") else body)
    (record,) = _records(path)
    assert record.error is not None and "too large: " in record.error


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_bomb_members_are_refused_before_inflating(tmp_path: Path) -> None:
    zeros = b"0" * (8 * MB)  # inflates ~1,000 times: refused by ratio (and size)
    path = _zip(
        tmp_path / "bomb.zip",
        {
            "NCT09100010.json": _study("NCT09100010"),
            "bomb.json": zeros,
            "NCT09100011.json": _study("NCT09100011"),
        },
    )
    records = _records(path, ReadLimits(max_record_bytes=16 * MB))
    assert [r.error is None for r in records] == [True, False, True]
    assert "inflates" in (records[1].error or "") and "zip bomb" in (records[1].error or "")
    noise = _zip(tmp_path / "noise.zip", {"noise.json": os.urandom(2 * MB)})
    (big,) = _records(noise, SMALL)  # compresses badly: refused by size alone
    assert "too large: 2,097,152 bytes" in (big.error or "")


def test_zip_member_with_a_lying_size_is_cut_at_the_limit(tmp_path: Path) -> None:
    """A member whose header claims a small size is never inflated past what it claims."""
    path = _zip(tmp_path / "lie.zip", {"NCT09100012.json": b"[" + b"0," * MB + b"0]"})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("NCT09100012.json")
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    (record,) = _records(path)
    assert info.file_size > 1000
    assert record.error is not None and "zip member" in record.error


def test_truncated_archive_walk_respects_the_limit(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "t.zip",
        {"NCT09100013.json": _study("NCT09100013"), "huge.json": b"A" * (3 * MB)},
        zipfile.ZIP_STORED,
    )
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b"PK\x01\x02")])  # central directory gone
    records = _records(path)
    assert records[0].error is None
    assert "too large: " in (records[1].error or "")


def test_path_traversal_member_names_are_only_labels(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = _zip(
        work / "evil.zip",
        {
            "../../evil/NCT09100014.json": _study("NCT09100014"),
            "/etc/NCT09100015.json": _study("NCT09100015"),
        },
    )
    records = _records(path)
    assert [r.nct_id_hint for r in records] == ["NCT09100014", "NCT09100015"]
    assert all(r.error is None for r in records)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["evil.zip", "work"]


def _bad_utf8_line(nct: str) -> bytes:
    return _study(nct, "caf\xe9").replace(b"\\u00e9", b"\xe9")


def test_invalid_utf8_is_rejected_with_the_byte_offset_in_every_json_format(
    tmp_path: Path,
) -> None:
    good = _study("NCT09100020")
    bad = _bad_utf8_line("NCT09100021")
    where = bad.index(b"\xe9")
    (tmp_path / "a.jsonl").write_bytes(good + b"\n" + bad + b"\n")
    lines = _records(tmp_path / "a.jsonl")
    assert lines[0].error is None
    assert lines[1].error == f"invalid UTF-8 at byte {len(good) + 1 + where}"
    with gzip.open(tmp_path / "b.jsonl.gz", "wb") as fh:
        fh.write(good + b"\n" + bad + b"\n")
    assert _records(tmp_path / "b.jsonl.gz")[1].error == lines[1].error
    (tmp_path / "c.json").write_bytes(bad)
    assert _records(tmp_path / "c.json")[0].error == f"invalid UTF-8 at byte {where}"
    page = b'{"studies": [' + good + b", " + bad + b"]}"
    (tmp_path / "d.json").write_bytes(page)
    at = page.index(b"\xe9")
    assert _records(tmp_path / "d.json")[0].error == f"invalid UTF-8 at byte {at}"
    _zip(tmp_path / "e.zip", {"NCT09100021.json": bad})
    assert _records(tmp_path / "e.zip")[0].error == f"invalid UTF-8 at byte {where}"


XML = (
    '<?xml version="1.0" encoding="{enc}"?>\n<clinical_study><id_info><nct_id>NCT09100030'
    "</nct_id></id_info><brief_title>Café study</brief_title></clinical_study>"
)


def test_xml_follows_its_bom_or_declaration_and_rejects_bad_utf8(tmp_path: Path) -> None:
    (tmp_path / "u16.xml").write_bytes(
        codecs.BOM_UTF16_LE + XML.format(enc="UTF-16").encode("utf-16-le")
    )
    (tmp_path / "u8bom.xml").write_bytes(codecs.BOM_UTF8 + XML.format(enc="UTF-8").encode())
    (tmp_path / "latin.xml").write_bytes(XML.format(enc="ISO-8859-1").encode("latin-1"))
    bad = XML.format(enc="UTF-8").encode("latin-1")  # says UTF-8, is not
    (tmp_path / "bad.xml").write_bytes(bad)
    for name in ("u16.xml", "u8bom.xml", "latin.xml"):
        (record,) = _records(tmp_path / name)
        assert record.error is None and "Café study" in record.text, name
        assert record.nct_id_hint == "NCT09100030"
    (record,) = _records(tmp_path / "bad.xml")
    at = bad.index(b"\xe9")
    assert record.error == f"invalid UTF-8 at byte {at}"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.zip", b"this is not a zip", "not a zip archive"),
        ("empty.zip", b"", "not a zip archive"),
        ("bad.json.gz", b"this is not gzip", "not a gzip file"),
    ],
)
def test_unreadable_sources_raise(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        list(iter_records(str(path)))


def test_unreachable_url_raises() -> None:
    with pytest.raises(SourceError, match="download failed"):
        list(iter_records("http://127.0.0.1:9/studies.json"))


def test_a_bad_file_in_a_directory_is_reported_and_the_others_load(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(b"nope")
    (tmp_path / "b.json").write_bytes(_study("NCT09100040"))
    items = list(iter_records(str(tmp_path)))
    assert isinstance(items[0], SourceError) and "a.zip: not a zip archive" in str(items[0])
    assert isinstance(items[1], RawRecord) and items[1].error is None


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_large_page_is_split_and_only_its_huge_study_rejected(
    tmp_path: Path, gzipped: bool
) -> None:
    studies = [_study("NCT09100050"), _study("NCT09100051", "T" * (2 * MB)), _study("NCT09100052")]
    page = b'{"studies": [' + b", ".join(studies) + b'], "nextPageToken": "x"}'
    path = tmp_path / ("page.json.gz" if gzipped else "page.json")
    path.write_bytes(gzip.compress(page) if gzipped else page)
    records = _records(path)
    assert [r.position for r in records] == ["item 1", "item 2", "item 3"]
    assert [r.nct_id_hint for r in records] == ["NCT09100050", None, "NCT09100052"]
    assert records[0].error is None and records[2].error is None
    assert "too large: " in (records[1].error or "")
    assert records[2].data is not None and json.loads(records[2].text) == json.loads(studies[2])


def test_a_large_truncated_page_keeps_its_complete_studies(tmp_path: Path) -> None:
    studies = [_study("NCT09100053"), _study("NCT09100054", "T" * (2 * MB))]
    page = b"[" + b", ".join(studies)
    (tmp_path / "cut.json").write_bytes(page[: len(page) - 10])
    records = _records(tmp_path / "cut.json")
    assert records[0].error is None
    assert records[1].position == "end of document" and "truncated" in (records[1].error or "")


def test_a_utf8_byte_order_mark_is_allowed_at_the_start_of_json(tmp_path: Path) -> None:
    (tmp_path / "bom.json").write_bytes(codecs.BOM_UTF8 + _study("NCT09100060"))
    (tmp_path / "bom.jsonl").write_bytes(codecs.BOM_UTF8 + _study("NCT09100061") + b"\n")
    (doc,) = _records(tmp_path / "bom.json")
    (line,) = _records(tmp_path / "bom.jsonl")
    assert doc.error is None and doc.nct_id_hint == "NCT09100060"
    assert parse_v2_text(line).error is None
