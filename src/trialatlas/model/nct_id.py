"""The one NCT ID pattern: ``NCT`` and exactly eight ASCII digits.

Every place that parses an NCT ID (ingest, URL routes, the APIs, the CLI, search
text) uses these patterns, so a look-alike such as ``NCT٠١٢٣٤٥٦٧`` (Arabic-Indic
digits, which ``\\d`` would accept) is never taken for one.
"""

from __future__ import annotations

import re

NCT_ID_PATTERN = r"NCT[0-9]{8}"

# a whole NCT ID: use with ``fullmatch`` (``match`` also works: ``\Z`` ends it)
NCT_ID_RE = re.compile(rf"{NCT_ID_PATTERN}\Z")

# NCT IDs inside text (file names, search words): not part of a longer run of digits
NCT_ID_IN_TEXT_RE = re.compile(rf"{NCT_ID_PATTERN}(?![0-9])")


def is_nct_id(text: str) -> bool:
    """True when ``text`` is exactly an NCT ID (no spaces, upper-case ``NCT``)."""
    return NCT_ID_RE.fullmatch(text) is not None


def canonical_nct_id(text: str) -> str | None:
    """``" nct06001853 "`` → ``NCT06001853``; None when it cannot be an NCT ID."""
    candidate = text.strip().upper()
    return candidate if is_nct_id(candidate) else None
