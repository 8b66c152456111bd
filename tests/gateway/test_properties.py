"""Property-based tests of the demo gateway against its own contract (docs/openapi.json):
schemathesis generates requests from the document, valid and invalid, sends them over real
HTTP on 127.0.0.1 and checks every answer against the document (status codes, content types,
response schemas, no 5xx)."""

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis (test dependency)")
from hypothesis import HealthCheck, settings  # noqa: E402

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
schema = schemathesis.openapi.from_path(str(DOC))


TOKEN = "property-test-token"

from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance  # noqa: E402

EXCLUDED = [
    # FastAPI routes each method separately, so a 405's Allow header names only the methods of
    # one route: a framework detail, not the contract
    allow_header_conformance,
    # business rules the schema cannot express (a form must match its procedure's own schema,
    # a cash amount must match the payment, a province must exist) rightly refuse some
    # schema-valid requests with 422
    positive_data_acceptance,
]


@pytest.fixture(scope="module")
def authed_gateway():
    from kiosk.gateway.embedded import EmbeddedGateway

    gw = EmbeddedGateway(None, app_kwargs={"tokens": {TOKEN: "PROPERTY-KIOSK"}})
    gw.start()
    yield gw
    gw.stop()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_gateway_honours_its_contract(case, authed_gateway):
    case.call_and_validate(base_url=authed_gateway.base_url, headers={"Authorization": f"Bearer {TOKEN}"},
                           excluded_checks=EXCLUDED, timeout=10)
