"""Raw record → normalized Study: one mapper per source format, pure functions."""

from __future__ import annotations

from pydantic import ValidationError

from trialatlas.model.study import Study
from trialatlas.normalize.values import RecordError
from trialatlas.sources.records import RawRecord

__all__ = ["RecordError", "normalize_record"]


def normalize_record(raw: RawRecord) -> Study:
    """Map one raw record with the mapper of its format; RecordError names what is wrong."""
    if raw.error is not None:
        raise RecordError("record", raw.error)
    try:
        if raw.format == "ctgov_v2":
            from trialatlas.normalize.ctgov_v2 import normalize_v2

            if raw.data is None:
                raise RecordError("record", "no JSON object")
            return normalize_v2(raw.data)
        from trialatlas.normalize.ctgov_xml import normalize_xml

        return normalize_xml(raw.text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "record"
        raise RecordError(where, first.get("msg", "invalid value")) from exc
    except RecursionError as exc:
        raise RecordError("record", "nested too deeply") from exc
