"""Sub-commands of ``kiosk``: one module each, with ``register(subparsers)``."""

from __future__ import annotations

import json
import sys
from typing import Any


def load_settings_or_exit(args) -> "Settings":  # noqa: F821
    """Load kiosk.ini for a command; on a bad file print every problem and exit 2."""
    from kiosk import config

    try:
        return config.load(getattr(args, "config", None))
    except config.ConfigError as exc:
        print(f"kiosk: cannot use {exc.path}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2)


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None, sort_keys=False, default=str))
