"""The demo gateway: ``create_app(db_path)`` builds the FastAPI app.

``kiosk gateway serve`` runs it alone; ``kiosk.gateway.embedded.EmbeddedGateway`` runs it
inside the kiosk when ``[gateway] url = embedded`` (in demo mode).  ``kiosk.gateway.demo:app``
is an in-memory instance in demo mode for ``uvicorn kiosk.gateway.demo:app``.
"""

from __future__ import annotations


def create_app(db_path=None, **kwargs):
    from kiosk.gateway.demo.app import create_app as _create

    return _create(db_path, **kwargs)


_app = None


def __getattr__(name):
    global _app
    if name == "app":
        if _app is None:
            _app = create_app(None, demo=True)
        return _app
    raise AttributeError(name)
