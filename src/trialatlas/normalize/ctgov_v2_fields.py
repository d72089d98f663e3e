"""Typed accessors over an API v2 registry object, shared by the v2 mappers.

Each registry object is read in one pass over its keys (:func:`texts`) into a plain
dict of model field names (a :data:`Tree`), validated later in one call. A value of
the wrong type raises :class:`~trialatlas.normalize.values.RecordError` naming the
field path from the study root.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trialatlas.normalize.values import RecordError, get_list, get_str

Tree = dict[str, Any]
"""A model part as a plain dict (model field names), validated later in one call."""


def texts(
    obj: dict[str, Any], fields: Mapping[str, str], path: str, required: str | None = None
) -> Tree:
    """The text fields of ``obj`` in one pass: registry key → model field, stripped.

    Blank text is dropped (the model default applies). A non-string value goes
    through :func:`get_str` (numbers become text, anything else is a RecordError
    naming the field). ``required`` names a registry key that must be present.
    """
    out: Tree = {}
    for key, value in obj.items():
        name = fields.get(key)
        if name is None or value is None:
            continue
        value = value.strip() if value.__class__ is str else get_str(obj, key, path)
        if value:
            out[name] = value
    if required is not None and fields[required] not in out:
        raise RecordError(f"{path}.{required}", "missing")
    return out


def dict_list(obj: dict[str, Any], key: str, path: str) -> list[tuple[dict[str, Any], str]]:
    """The objects of list ``key`` with each one's field path; a non-object item is an error."""
    items = get_list(obj, key, path)
    if not items:
        return []
    base = f"{path}.{key}"
    out: list[tuple[dict[str, Any], str]] = []
    for i, item in enumerate(items):
        if item.__class__ is not dict and not isinstance(item, dict):
            raise RecordError(f"{base}[{i}]", f"expected an object, got {type(item).__name__}")
        out.append((item, f"{base}[{i}]"))
    return out


def get_float(obj: dict[str, Any], key: str, path: str) -> float | None:
    """A number field or None; text, booleans and objects are errors naming the field."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"{path}.{key}", f"expected a number, got {type(value).__name__}")
    return float(value)
