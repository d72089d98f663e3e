"""Live sync from the ClinicalTrials.gov API v2: paged, incremental, polite, resumable.

``settings`` (what a sync is told), ``rate`` (request pacing), ``retry`` (back-off on
429/5xx/timeouts), ``client`` (one page over HTTP), ``cursor`` (where a sync stands,
kept in the store) and ``incremental`` (the loop that stores page after page).
"""

from trialatlas.sync.incremental import sync_studies
from trialatlas.sync.settings import DEFAULT_BASE_URL, SyncSettings, sync_settings

__all__ = ["DEFAULT_BASE_URL", "SyncSettings", "sync_settings", "sync_studies"]
