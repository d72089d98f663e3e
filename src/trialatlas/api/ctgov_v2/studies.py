"""The data behind ``/api/v2/studies``, ``/api/v2/studies/{nctId}`` and ``/api/v2/version``.

A study is served as the registry gave it: for records that came from API v2 the
stored original JSON, for records that came from the legacy XML the faithful
conversion of the normalized record (:func:`study_to_v2`).
"""

from __future__ import annotations

from typing import Any

import orjson

from trialatlas.api.ctgov_v2.convert import study_to_v2
from trialatlas.api.ctgov_v2.fields import Trie, project
from trialatlas.api.ctgov_v2.paging import TokenError, decode_token, encode_token
from trialatlas.api.ctgov_v2.params import ParamError, StudiesRequest
from trialatlas.store.base import Store
from trialatlas.store.essie_query import EssieError

API_VERSION = "2.0.5"
Json = dict[str, Any]


def study_document(store: Store, nct_id: str) -> Json | None:
    """The API v2 study object of ``nct_id``, or None when the store does not hold it."""
    raw = store.get_raw(nct_id)
    if raw is None:
        return None
    if raw.format == "ctgov_v2":
        try:
            data = orjson.loads(raw.text)
        except orjson.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("protocolSection"), dict):
            return data
    study = store.get_study(nct_id)
    return study_to_v2(study) if study is not None else None


def single_study(store: Store, nct_id: str, fields: Trie | None) -> Json | None:
    """One study, reduced to ``fields``."""
    doc = study_document(store, nct_id)
    return None if doc is None else project(doc, fields)


def studies_page(store: Store, request: StudiesRequest) -> Json:
    """One page: ``{"totalCount"?, "studies": [...], "nextPageToken"?}``.

    ``totalCount`` comes with the first page when asked for (as the registry does).
    """
    after = None
    if request.page_token is not None:
        try:
            after = decode_token(request.page_token, request.query)
        except TokenError as exc:
            raise ParamError(str(exc)) from exc
    count = request.count_total and after is None
    try:
        page = store.list_studies(request.query, after, request.page_size, count)
    except EssieError as exc:  # (parse_studies_request refuses these first)
        raise ParamError(str(exc)) from exc
    except ValueError as exc:  # a cursor of another sort order
        raise ParamError("pageToken is not a valid page token") from exc
    out: Json = {}
    if page.total is not None:
        out["totalCount"] = page.total
    studies = []
    for row in page.rows:
        doc = study_document(store, row.nct_id)
        if doc is not None:
            studies.append(project(doc, request.fields))
    out["studies"] = studies
    if page.has_more and page.rows:
        out["nextPageToken"] = encode_token(request.query, page.rows[-1].keys)
    return out


def version_info(store: Store) -> Json:
    """``{"apiVersion", "dataTimestamp"}``: the data timestamp is the latest last-update
    date of any stored study (``yyyy-MM-ddTHH:mm:ss``, midnight), null for an empty store."""
    latest = store.latest_update_posted()
    stamp = None
    if latest:
        parts = (latest.split("-") + ["01", "01"])[:3]
        stamp = "-".join(parts) + "T00:00:00"
    return {"apiVersion": API_VERSION, "dataTimestamp": stamp}
