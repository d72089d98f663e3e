"""Record bytes → text: one rule for every format.

JSON (documents, pages, lines, zip members, gzip) must be UTF-8: a record with
invalid UTF-8 is rejected, naming the byte offset of the first bad byte in its
source; bytes are never replaced or guessed. XML follows the XML rules: a byte
order mark (UTF-8 or UTF-16) or the encoding its declaration names, else UTF-8,
with the same rejection.
"""

from __future__ import annotations

import codecs
import re

_XML_DECLARED = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']"""
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class EncodingProblem(ValueError):
    """Bytes that are not text in their encoding; the message names the byte offset."""


def invalid_utf8(data: bytes, offset: int = 0) -> str | None:
    """The reason ``data`` (starting at byte ``offset`` of its source) is not UTF-8, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _where("invalid UTF-8", offset + exc.start)
    return None


def utf8_text(data: bytes, offset: int = 0) -> str:
    """``data`` as text; :class:`EncodingProblem` naming the byte offset when not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingProblem(_where("invalid UTF-8", offset + exc.start)) from exc


def xml_text(data: bytes) -> str:
    """An XML document as text: BOM first, then the declared encoding, else UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :] if name == "utf-8" else data, name, len(bom))
    declared = _XML_DECLARED.match(data)
    name = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if name.startswith(("utf-16", "utf-32")):
        name = "utf-8"  # the declaration was readable as ASCII: the bytes are not UTF-16
    try:
        codecs.lookup(name)
    except LookupError as exc:
        raise EncodingProblem(f"unknown XML encoding {name!r}") from exc
    return _decode(data, name, 0)


def _decode(data: bytes, encoding: str, offset: int) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = (
            "invalid UTF-8" if codecs.lookup(encoding).name == "utf-8" else f"invalid {encoding}"
        )
        raise EncodingProblem(_where(label, offset + exc.start)) from exc


def _where(what: str, offset: int) -> str:
    return f"{what} at byte {offset}"
