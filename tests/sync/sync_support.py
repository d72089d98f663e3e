"""What the sync tests share: settings for the local stand-in, a sync into a store,
and a store's content as comparable values."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from trialatlas.ingest import IngestSummary
from trialatlas.store import open_store
from trialatlas.sync.client import StudiesClient
from trialatlas.sync.incremental import SyncEvents, sync_studies
from trialatlas.sync.rate import RateLimiter
from trialatlas.sync.settings import SyncSettings, sync_settings

PAGE_SIZE = 20


def fast_settings(base_url: str, **overrides: object) -> SyncSettings:
    """Small pages, no pacing to speak of, short back-offs (a test waits little)."""
    values: dict[str, object] = {
        "page_size": PAGE_SIZE,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
    }
    values.update(overrides)
    return sync_settings(base_url, 1000.0, **values)


def run_sync(
    db: Path,
    base_url: str,
    since: str | None = None,
    waits: list[float] | None = None,
    events: SyncEvents | None = None,
    **overrides: object,
) -> IngestSummary:
    """One sync into the store at ``db``; ``waits`` collects the pauses asked of the
    rate limiter (then nothing actually sleeps)."""
    settings = fast_settings(base_url, **overrides)
    rate = RateLimiter(settings.rate_per_s, sleep=waits.append) if waits is not None else None
    store = open_store(str(db))
    try:
        with StudiesClient(settings, rate=rate) as client:
            return sync_studies(store, client, since, events)
    finally:
        store.close()


def stored_records(db: Path) -> dict[str, tuple[Any, ...]]:
    """Every study's raw record and version: ``nct_id → (format, source, checksum,
    last update posted, text)``, and its normalized document."""
    store = open_store(str(db), read_only=True)
    try:
        out: dict[str, tuple[Any, ...]] = {}
        for study in store.iter_studies():
            nct = study.nct_id
            raw = store.get_raw(nct)
            assert raw is not None, nct
            out[nct] = (
                raw.format,
                raw.source,
                raw.checksum,
                raw.last_update_posted,
                raw.text,
                study.model_dump_json(),
            )
        return out
    finally:
        store.close()


def revised(study: dict[str, Any], date: str) -> dict[str, Any]:
    """A newer version of ``study``: posted on ``date``, retitled, one more condition."""
    new = copy.deepcopy(study)
    protocol = new["protocolSection"]
    protocol["statusModule"]["lastUpdatePostDateStruct"] = {"date": date, "type": "ACTUAL"}
    ident = protocol["identificationModule"]
    ident["briefTitle"] = ident.get("briefTitle", "") + " (revised)"
    conditions = protocol.setdefault("conditionsModule", {}).setdefault("conditions", [])
    conditions.append("Revised condition")
    return new


def renumbered(study: dict[str, Any], nct: str, date: str) -> dict[str, Any]:
    """A new study: ``study`` under another NCT ID, posted on ``date``."""
    new = revised(study, date)
    new["protocolSection"]["identificationModule"]["nctId"] = nct
    return new
