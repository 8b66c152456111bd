"""The kiosks' routes: liveness (no credentials), heartbeats with device states and the audit-log
head, and the newest audit head a kiosk sent (for ``kiosk audit verify --gateway``)."""

from __future__ import annotations

from fastapi import FastAPI

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import API_VERSION, Context, Kiosk
from kiosk.gateway.demo.store import iso_utc


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.get("/v1/health", response_model=M.Health, tags=["kiosk"], summary="Liveness probe (no auth)")
    def health() -> dict:
        return {"status": "ok", "api_version": API_VERSION}

    @app.post("/v1/kiosks/heartbeat", response_model=M.HeartbeatAck, responses=_r(401, 413, 422), tags=["kiosk"],
              summary="A kiosk reports it is alive, with its device states")
    def heartbeat(body: M.Heartbeat, kiosk: Kiosk) -> dict:
        if ctx.auth.required and body.kiosk_id != kiosk:
            raise ApiError(403, "kiosk_id_mismatch", "The heartbeat names another kiosk than the credential")
        store.heartbeat(kiosk if kiosk != "anonymous" else body.kiosk_id, M.dump(body))
        return {"server_time": iso_utc(store.clock()), "api_version": API_VERSION}

    @app.get("/v1/kiosks/audit-head", response_model=M.AuditHead, responses=_r(401, 404), tags=["kiosk"],
             summary="The newest audit-log head this kiosk sent with a heartbeat (for kiosk audit verify)")
    def audit_head(kiosk: Kiosk) -> dict:
        found = store.audit_head(kiosk)
        if found is None:
            raise ApiError(404, "not_found", "No audit head received from this kiosk")
        return found
