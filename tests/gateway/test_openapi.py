"""docs/openapi.json is the contract: it must be exactly what the demo gateway serves."""

import json
from pathlib import Path

import requests

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_contract_matches_what_the_server_serves(gateway):
    served = requests.get(gateway.base_url + "/openapi.json", timeout=10).json()
    committed = json.loads(DOC.read_text(encoding="utf-8"))
    assert served == committed, "docs/openapi.json is stale: run `kiosk gateway openapi -o docs/openapi.json`"


def test_contract_covers_everything_the_kiosk_needs():
    doc = json.loads(DOC.read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.")
    ops = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    for needed in [
        ("GET", "/v1/procedures"), ("GET", "/v1/procedures/{code}"), ("GET", "/v1/life-events"),
        ("POST", "/v1/dossiers"), ("GET", "/v1/dossiers/{code}"),
        ("POST", "/v1/payments"), ("GET", "/v1/payments/{payment_id}"),
        ("POST", "/v1/payments/{payment_id}/cash-confirmation"),
        ("POST", "/v1/dossiers/{code}/delivery"), ("GET", "/v1/units/provinces"),
        ("POST", "/v1/help-requests"), ("GET", "/v1/help-requests"),
        ("POST", "/v1/ratings"), ("POST", "/v1/kiosks/heartbeat"),
    ]:
        assert needed in ops, needed
    # every creating POST but help requests and heartbeats takes an Idempotency-Key
    for method, path in ops:
        if method == "POST" and path in ("/v1/dossiers", "/v1/payments", "/v1/ratings",
                                         "/v1/dossiers/{code}/delivery",
                                         "/v1/payments/{payment_id}/cash-confirmation"):
            params = doc["paths"][path]["post"].get("parameters", [])
            assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" and p["required"] for p in params), path
    schemes = doc["components"]["securitySchemes"]
    assert schemes["kioskBearer"]["scheme"] == "bearer" and schemes["kioskMutualTls"]["type"] == "mutualTLS"
    statuses = doc["components"]["schemas"]["Dossier"]["properties"]["status"]["enum"]
    assert set(statuses) == {"received", "in_progress", "supplement_requested", "result_ready",
                             "delivered", "collected", "rejected"}
