"""The help requests' routes: a citizen asks post-office staff for help (a ticket number), the
staff queue, and a ticket taken, closed or cancelled (by the kiosk that opened it, or staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query, Request

from kiosk.gateway import models as M
from kiosk.gateway.demo.problems import ApiError
from kiosk.gateway.demo.problems import problem_responses as _r
from kiosk.gateway.demo.shared import Context, HelpId, Kiosk


def add_routes(app: FastAPI, ctx: Context) -> None:
    store = ctx.store

    @app.post("/v1/help-requests", status_code=201, response_model=M.HelpTicket, responses=_r(401, 413, 422),
              tags=["help"], summary="A citizen asks post-office staff for help; returns a ticket number")
    def create_help(body: M.HelpRequestIn, kiosk: Kiosk) -> dict:
        return store.new_help(kiosk, M.dump(body))

    @app.get("/v1/help-requests", response_model=list[M.HelpTicket], responses=_r(401, 422), tags=["help"],
             summary="The staff queue of help requests")
    def list_help(kiosk: Kiosk, status: Annotated[M.HelpStatus | None, Query()] = None,
                  kiosk_id: Annotated[str | None, Query(max_length=40)] = None) -> list:
        return store.helps(status, kiosk_id)

    @app.post("/v1/help-requests/{help_id}/status", response_model=M.HelpTicket,
              responses=_r(401, 404, 413, 422), tags=["help"], summary="Staff take a ticket, close or cancel it",
              description="Only the kiosk that opened the ticket, or a staff credential, may change it "
                          "(403 not_your_ticket).")
    def help_status(help_id: HelpId, body: M.HelpStatusChange, request: Request, kiosk: Kiosk) -> dict:
        if store.help(help_id) is None:
            raise ApiError(404, "not_found", "No help request with this id")
        if store.help_owner(help_id) != kiosk and request.state.role != "staff":
            raise ApiError(403, "not_your_ticket", "Only the kiosk that opened this ticket, or staff, may change it")
        return store.set_help_status(help_id, body.status)
