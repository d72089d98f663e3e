"""Raw record → normalized Study: one mapper per source format, pure functions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError

from trialatlas.model.study import Study
from trialatlas.normalize.values import RecordError
from trialatlas.sources.records import RawRecord

__all__ = ["RecordError", "normalize_record", "v2_record_tree"]


def normalize_record(raw: RawRecord) -> Study:
    """Map one raw record with the mapper of its format; RecordError names what is wrong."""
    if raw.format == "ctgov_v2":
        from trialatlas.normalize.ctgov_v2 import validate_study

        tree = v2_record_tree(raw)
        with _record_errors():
            return validate_study(tree)
    if raw.error is not None:
        raise RecordError("record", raw.error)
    from trialatlas.normalize.ctgov_xml import normalize_xml

    with _record_errors():
        return normalize_xml(raw.text)


def v2_record_tree(raw: RawRecord) -> dict[str, Any]:
    """An API v2 record → the Study fields as plain data, checked but not yet validated
    (see :func:`trialatlas.normalize.ctgov_v2.v2_tree`); RecordError names what is wrong."""
    if raw.error is not None:
        raise RecordError("record", raw.error)
    if raw.data is None:
        raise RecordError("record", "no JSON object")
    from trialatlas.normalize.ctgov_v2 import v2_tree

    with _record_errors():
        return v2_tree(raw.data)


@contextmanager
def _record_errors() -> Iterator[None]:
    """A model check or a too-deep record becomes a RecordError naming where."""
    try:
        yield
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "record"
        raise RecordError(where, first.get("msg", "invalid value")) from exc
    except RecursionError as exc:
        raise RecordError("record", "nested too deeply") from exc
