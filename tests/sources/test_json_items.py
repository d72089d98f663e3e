"""Splitting a large JSON page into its items without holding the whole document."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import pytest

from trialatlas.sources import json_items
from trialatlas.sources.json_items import NotAnArray, iter_array_items


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice([1, -2.5, True, None, 'a"b\\c,]}[{', "ü€😀", "", 123456789])
    if roll < 0.65:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = ["k", "studies", 'x"y']
    return {rng.choice(keys) + str(i): _value(rng, depth + 1) for i in range(rng.randint(0, 4))}


def test_items_match_a_full_parse_whatever_the_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(14)
    for _ in range(1500):
        items = [_value(rng) for _ in range(rng.randint(0, 6))]
        doc: Any = items if rng.random() < 0.5 else {"a": _value(rng), "studies": items, "z": 1}
        text = json.dumps(doc, ensure_ascii=rng.random() < 0.5, indent=rng.choice([None, 1]))
        monkeypatch.setattr(json_items, "_CHUNK", rng.randint(1, 40))
        limit = rng.choice([10**6, 30])
        got = list(iter_array_items(io.BytesIO(text.encode()), limit))
        assert [g.number for g in got] == list(range(1, len(items) + 1))
        for item, expected in zip(got, items, strict=True):
            size = len(json.dumps(expected, ensure_ascii=False).encode())
            if item.data is None:
                assert limit == 30 and item.size > 30
            else:
                assert json.loads(item.data) == expected
                assert size <= 10**6


def test_an_item_over_the_limit_is_never_held(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_items, "_CHUNK", 1000)
    doc = b'{"studies": [{"a": 1}, {"big": "' + b"x" * 100_000 + b'"}, {"c": 3}]}'
    got = list(iter_array_items(io.BytesIO(doc), 5_000))
    assert [g.data for g in got] == [b'{"a": 1}', None, b'{"c": 3}']
    assert got[1].size > 100_000 and got[1].offset == doc.index(b'{"big"')


@pytest.mark.parametrize("doc", [b'{"a": 1}', b'"text"', b"\xef\xbb\xbf[1]", b"x[1]"])
def test_other_documents_are_not_split(doc: bytes) -> None:
    with pytest.raises(NotAnArray):
        list(iter_array_items(io.BytesIO(doc), 1000))
