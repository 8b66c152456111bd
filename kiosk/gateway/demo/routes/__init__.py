"""The demo gateway's routes, one module per group (the OpenAPI document's tags): ``kiosks``,
``catalog``, ``dossiers``, ``delivery``, ``payments``, ``demo_only`` (demo mode alone),
``help_requests``, ``ratings`` and ``reconciliation``.  Each has ``add_routes(app, ctx)``."""

from __future__ import annotations

from fastapi import FastAPI

from kiosk.gateway.demo.routes import (
    catalog,
    delivery,
    demo_only,
    dossiers,
    help_requests,
    kiosks,
    payments,
    ratings,
    reconciliation,
)
from kiosk.gateway.demo.shared import Context


def add_routes(app: FastAPI, ctx: Context, *, demo: bool) -> None:
    """Every route group, in the order of the OpenAPI document (docs/openapi.json)."""
    kiosks.add_routes(app, ctx)
    catalog.add_routes(app, ctx)
    dossiers.add_routes(app, ctx)
    delivery.add_routes(app, ctx)
    payments.add_routes(app, ctx)
    if demo:  # outside demo mode the route does not exist (404)
        demo_only.add_routes(app, ctx)
    help_requests.add_routes(app, ctx)
    ratings.add_routes(app, ctx)
    reconciliation.add_routes(app, ctx)
