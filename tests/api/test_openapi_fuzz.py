"""Property-based fuzzing of every operation in ``/openapi.json`` (schemathesis): no
request, valid or not, gets a 5xx. Bounded: a few examples per operation, no shrinking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from trialatlas.settings import Settings
from trialatlas.web.app import create_app

EXAMPLES_PER_OPERATION = 6


@pytest.fixture(scope="module")
def fuzz_app(seed_store_path: str) -> Iterator[object]:
    app = create_app(Settings(db_url=seed_store_path))
    with TestClient(app):  # runs the lifespan (opens the store) for the whole module
        yield app


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app: object) -> object:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    case.validate_response(response, checks=(not_a_server_error,))
