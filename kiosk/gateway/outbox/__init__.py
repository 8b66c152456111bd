"""The offline outbox (see ``kiosk.gateway.outbox.store``), about to be split by concern."""

from kiosk.gateway.outbox.store import *  # noqa: F403
from kiosk.gateway.outbox.store import check, load_or_create_key, make_private_dir  # noqa: F401
