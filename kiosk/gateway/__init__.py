"""The kiosk's side of the public-service gateway: contract client, typed errors and models,
offline outbox, the embedded demo gateway and the reachability monitor.

Import the pieces from their modules (``kiosk.gateway.client`` etc.); this package stays
light so ``kiosk --help`` does not pull in requests or FastAPI.
"""
