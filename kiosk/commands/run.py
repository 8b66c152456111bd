"""``kiosk run`` (the default): start the kiosk."""

from __future__ import annotations

import sys

from kiosk.commands import load_settings_or_exit


def register(sub) -> None:
    p = sub.add_parser("run", help="start the kiosk (the default command)")
    p.add_argument("--windowed", action="store_true", help="a normal window instead of locked-down fullscreen")
    p.add_argument("--size", metavar="WxH", help="window size, overriding kiosk.ini (e.g. 1920x1080)")
    p.set_defaults(func=cmd_run)


def parse_size(raw: str | None):
    if not raw:
        return None
    from kiosk.config import p_size

    try:
        return p_size(raw)
    except ValueError as exc:
        print(f"kiosk: --size: {exc}, found {raw!r}", file=sys.stderr)
        raise SystemExit(2)


def cmd_run(args) -> int:
    settings = load_settings_or_exit(args)
    from kiosk.app import run

    return run(settings, windowed=args.windowed, size=parse_size(args.size))
