"""Sub-commands of ``kiosk``: one module each, with ``register(subparsers)``."""

from __future__ import annotations

import json
from typing import Any

from kiosk.config import Settings, load_or_exit


def load_settings_or_exit(args) -> Settings:
    """Load kiosk.ini for a command (``--config``); on a bad file print every problem and exit 2."""
    return load_or_exit(getattr(args, "config", None))


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None, sort_keys=False, default=str))
