"""Opaque page cursors for keyset pagination (no SQL here; every store backend uses it).

A cursor holds the sort key and NCT ID of the last hit of a page, so the next page
starts strictly after it in the total order ``(sort key, nct_id)``: no hit repeats or
goes missing between pages, however many pages are walked. It also carries the sort,
the word-matching mode and a fingerprint of the filters, so a cursor cannot be
replayed against another search. When a relevance search ranks its matches one pool
at a time (very common words), ``pool_below`` says which pool the last hit was in.
An open-first search (``SearchQuery.open_first``) pages through two groups, the trials
open to enrollment then the others: its cursor wraps the cursor of the last hit's group.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from dataclasses import dataclass
from typing import Literal

import orjson

from trialatlas.model.search import InvalidCursor, SearchQuery

VERSION = 1
Mode = Literal["all", "any"]
_NOT_FILTERS = {"cursor", "page_size", "place", "unit"}


@dataclass(frozen=True, slots=True)
class Cursor:
    sort: str
    mode: Mode
    key: float | str
    nct_id: str
    fingerprint: str
    pool_below: int | None = None  # the pool's upper bound (an id), None for the first pool


def query_fingerprint(query: SearchQuery) -> str:
    """A short hash of everything that defines the result set and its order."""
    data = query.model_dump(mode="json", exclude=_NOT_FILTERS)
    data["sort"] = query.effective_sort
    digest = hashlib.blake2b(orjson.dumps(data, option=orjson.OPT_SORT_KEYS), digest_size=6)
    return digest.hexdigest()


def encode_cursor(cursor: Cursor) -> str:
    """URL-safe base64 text (no padding) of the cursor."""
    payload: list[object] = [
        VERSION, cursor.sort, cursor.mode, cursor.key, cursor.nct_id, cursor.fingerprint
    ]  # fmt: skip
    if cursor.pool_below is not None:
        payload.append(cursor.pool_below)
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode("ascii").rstrip("=")


def decode_cursor(text: str, query: SearchQuery) -> Cursor:
    """The cursor in ``text``; :class:`InvalidCursor` when damaged or for another search."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        version, sort, mode, key, nct_id, fingerprint, *rest = orjson.loads(raw)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidCursor("This page link is damaged; start the search again.") from exc
    valid_key = isinstance(key, str) or (
        isinstance(key, int | float) and not isinstance(key, bool) and math.isfinite(key)
    )
    if (
        version != VERSION
        or mode not in ("all", "any")
        or not valid_key
        or not isinstance(nct_id, str)
        or not isinstance(sort, str)
        or len(rest) > 1
        or (rest and (not isinstance(rest[0], int) or isinstance(rest[0], bool)))
    ):
        raise InvalidCursor("This page link is damaged; start the search again.")
    if sort != query.effective_sort or fingerprint != query_fingerprint(query):
        raise InvalidCursor("This page link belongs to a different search; start it again.")
    value = float(key) if not isinstance(key, str) else key
    return Cursor(sort, mode, value, nct_id, fingerprint, rest[0] if rest else None)


Group = Literal["open", "closed"]
_GROUPED = "open_first"


def encode_group_cursor(group: Group, inner: str, query: SearchQuery) -> str:
    """The cursor of an open-first search: the group of the page's last hit and that
    group's own cursor (``inner``), bound to ``query`` by its fingerprint."""
    payload = [VERSION, _GROUPED, group, query_fingerprint(query), inner]
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode("ascii").rstrip("=")


def decode_group_cursor(text: str, query: SearchQuery) -> tuple[Group, str]:
    """``(group, inner cursor)`` of an open-first cursor; :class:`InvalidCursor` when
    damaged, for another search, or not an open-first cursor."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        version, kind, group, fingerprint, inner = orjson.loads(raw)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise InvalidCursor("This page link is damaged; start the search again.") from exc
    if version != VERSION or kind != _GROUPED or group not in ("open", "closed"):
        raise InvalidCursor("This page link is damaged; start the search again.")
    if not isinstance(inner, str) or fingerprint != query_fingerprint(query):
        raise InvalidCursor("This page link belongs to a different search; start it again.")
    return group, inner
