"""Value parsers shared by the per-format mappers: dates, ages, typed field access.

Pure functions. Every failure raises :class:`RecordError` naming the field.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from trialatlas.model.nct_id import NCT_ID_RE
from trialatlas.model.study import Age, PartialDate


class RecordError(ValueError):
    """One record cannot be normalized; ``field`` names where, ``message`` what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_TEXT_DATE_RE = re.compile(r"^([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})$")

_AGE_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(years?|months?|weeks?|days?|hours?|minutes?)\s*$", re.IGNORECASE
)
_DAYS_PER_UNIT = {
    "year": 365.25,
    "month": 30.4375,
    "week": 7.0,
    "day": 1.0,
    "hour": 1 / 24,
    "minute": 1 / 1440,
}


def check_nct_id(value: Any, field: str = "nct_id") -> str:
    """Return a valid NCT ID or raise: ``NCT`` followed by exactly 8 digits."""
    if value is None or value == "":
        raise RecordError(field, "missing NCT ID")
    if not isinstance(value, str):
        raise RecordError(field, f"NCT ID must be a string, got {type(value).__name__}")
    nct = value.strip()
    if not NCT_ID_RE.match(nct):
        raise RecordError(field, f"{nct!r} is not an NCT ID (NCT followed by 8 digits)")
    return nct


def parse_partial_date(text: Any, field: str, date_type: str | None = None) -> PartialDate | None:
    """``2023``, ``2023-11``, ``2023-11-03``, ``November 2023`` or ``November 3, 2023``.

    Keeps the precision the record gives; never forces a month to a day.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise RecordError(field, f"date must be a string, got {type(text).__name__}")
    raw = text.strip()
    if not raw:
        return None
    kind = date_type.upper() if isinstance(date_type, str) and date_type.strip() else None
    if kind == "ANTICIPATED":
        kind = "ESTIMATED"
    if kind not in (None, "ACTUAL", "ESTIMATED"):
        raise RecordError(field, f"unknown date type {date_type!r}")
    m = _ISO_RE.match(raw)
    if m:
        year, month, day = m.groups()
        value, precision = year, "year"
        if month:
            value, precision = f"{year}-{month}", "month"
        if day:
            value, precision = f"{year}-{month}-{day}", "day"
    else:
        m2 = _TEXT_DATE_RE.match(raw)
        if not m2 or m2.group(1).lower() not in _MONTHS:
            raise RecordError(field, f"unreadable date {raw!r}")
        month_no = _MONTHS[m2.group(1).lower()]
        year = m2.group(3)
        if m2.group(2):
            value, precision = f"{year}-{month_no:02d}-{int(m2.group(2)):02d}", "day"
        else:
            value, precision = f"{year}-{month_no:02d}", "month"
    try:
        parts = [int(p) for p in value.split("-")] + [1, 1]
        datetime(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise RecordError(field, f"impossible date {raw!r}") from exc
    return PartialDate(value=value, precision=precision, text=raw, type=kind)  # type: ignore[arg-type]


def parse_age(text: Any, field: str) -> Age | None:
    """``18 Years`` → Age(text, days=6574). ``N/A`` or empty → None (no limit)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise RecordError(field, f"age must be a string, got {type(text).__name__}")
    raw = text.strip()
    if not raw or raw.upper() in {"N/A", "NA", "NONE"}:
        return None
    m = _AGE_RE.match(raw)
    if not m:
        raise RecordError(field, f"unreadable age {raw!r}")
    unit = m.group(2).lower().rstrip("s")
    days = round(float(m.group(1)) * _DAYS_PER_UNIT[unit])
    return Age(text=raw, days=days)


def get_str(obj: dict[str, Any], key: str, path: str) -> str | None:
    """A string field or None; anything else is a wrong-type error naming the field."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(f"{path}.{key}", f"expected text, got {type(value).__name__}")
    text = str(value).strip()
    return text or None


def get_bool(obj: dict[str, Any], key: str, path: str) -> bool | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise RecordError(f"{path}.{key}", f"expected true/false, got {type(value).__name__}")
    return value


def get_int(obj: dict[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RecordError(f"{path}.{key}", f"expected a whole number, got {type(value).__name__}")
    try:
        return int(value)
    except ValueError as exc:
        raise RecordError(f"{path}.{key}", f"expected a whole number, got {value!r}") from exc


def get_dict(obj: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    """A nested object, ``{}`` when absent; a wrong type is an error naming the field."""
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"{path}.{key}", f"expected an object, got {type(value).__name__}")
    return value


def get_list(obj: dict[str, Any], key: str, path: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{path}.{key}", f"expected a list, got {type(value).__name__}")
    return value


def get_str_list(obj: dict[str, Any], key: str, path: str) -> list[str]:
    out: list[str] = []
    for i, item in enumerate(get_list(obj, key, path)):
        if not isinstance(item, str):
            raise RecordError(f"{path}.{key}[{i}]", f"expected text, got {type(item).__name__}")
        if item.strip():
            out.append(item.strip())
    return out
