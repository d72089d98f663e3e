"""Which version of a study a store keeps (backend-neutral, no SQL): newest wins.

Same checksum → ``unchanged``; an older last-update date than the stored one, or the
same date from a poorer format (legacy XML after API v2 JSON: the same version twice)
→ ``older`` (nothing written); otherwise the new version replaces the old one
completely (``updated``) or is added (``loaded``).
"""

from __future__ import annotations

from trialatlas.store.base import WriteOutcome
from trialatlas.store.prepared import PreparedStudy, date_key

# Formats by richness: of two records of one study with the same last-update date,
# the richer one is kept whatever the order they come in (ingesting both again is a no-op)
FORMAT_RANK = {"ctgov_xml": 1, "ctgov_v2": 2}


def write_outcome(prep: PreparedStudy, stored: tuple[str, str | None, str] | None) -> WriteOutcome:
    """What writing ``prep`` does, given the stored ``(checksum, last_update_posted,
    format)`` of its raw record (None when the study is new)."""
    if stored is None:
        return "loaded"
    checksum, last_update, fmt = stored
    if checksum == prep.checksum:
        return "unchanged"
    new, old = date_key(prep.last_update_posted), date_key(last_update)
    if new < old:
        return "older"
    if new == old and FORMAT_RANK.get(prep.raw_format, 0) < FORMAT_RANK.get(fmt, 0):
        return "older"
    return "updated"
