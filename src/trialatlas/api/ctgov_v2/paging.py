"""``pageToken``/``nextPageToken``: opaque, stable cursors for keyset paging.

A token holds the sort keys of the last study of a page and a fingerprint of the
query it belongs to. The same query at the same position always gives the same token;
a token used with a different query (other filters or sort) is refused with 400
instead of silently skipping or repeating studies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from trialatlas.store.listing import StudyListQuery


class TokenError(ValueError):
    """A page token that is malformed or belongs to another query."""


def fingerprint(query: StudyListQuery) -> str:
    """A short digest of everything that decides which studies come in which order."""
    return hashlib.sha256(repr(query).encode("utf-8")).hexdigest()[:16]


def encode_token(query: StudyListQuery, keys: tuple[Any, ...]) -> str:
    """The token of the position just after the row whose sort keys are ``keys``."""
    payload = json.dumps({"q": fingerprint(query), "k": list(keys)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_token(token: str, query: StudyListQuery) -> tuple[Any, ...]:
    """The sort keys stored in ``token``; TokenError when it is not one of this query's."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise TokenError("pageToken is not a valid page token") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("k"), list):
        raise TokenError("pageToken is not a valid page token")
    if payload.get("q") != fingerprint(query):
        raise TokenError(
            "pageToken belongs to another query: repeat the first request's parameters"
            " (except pageSize and countTotal)"
        )
    keys = payload["k"]
    if not all(isinstance(k, str | int | float) and not isinstance(k, bool) for k in keys):
        raise TokenError("pageToken is not a valid page token")
    return tuple(keys)
