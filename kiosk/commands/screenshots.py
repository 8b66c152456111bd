"""``kiosk screenshots --out DIR [--lang vi|en] [--size WxH] [--only STATE] [--variants plain,large,contrast]``:
every screen to PNG, headless (the variants: large text, high contrast; docs/screens/README.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.commands import load_settings_or_exit
from kiosk.commands.run import parse_size


def register(sub) -> None:
    p = sub.add_parser("screenshots", help="render every screen to DIR/<screen>-<lang>.png (headless)")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--lang", choices=["vi", "en"], action="append", help="language (default: both)")
    p.add_argument("--size", metavar="WxH", help="window size (default: kiosk.ini screen_size)")
    p.add_argument("--only", action="append", metavar="STATE", help="render only this state (repeatable)")
    p.add_argument("--variants", default="plain", metavar="LIST",
                   help="comma-separated: plain (<state>-<lang>.png), large (<state>-large-<lang>.png: large text), "
                        "contrast (<state>-contrast-<lang>.png: high contrast); default: plain")
    p.set_defaults(func=cmd_screenshots)


def cmd_screenshots(args) -> int:
    settings = load_settings_or_exit(args)
    size = parse_size(args.size)
    from kiosk.screenshots import parse_variants, render_all

    try:
        variants = parse_variants(args.variants)
    except ValueError as exc:
        print(f"kiosk screenshots: {exc}", file=sys.stderr)
        return 2
    only = {s.strip() for arg in args.only for s in arg.split(",") if s.strip()} if args.only else None
    shots = render_all(settings, Path(args.out), langs=tuple(args.lang or ("vi", "en")), size=size,
                       only=only, variants=variants)
    bad = [s for s in shots if s.blank or s.problems]
    print(f"{len(shots)} screenshots, {len(bad)} with problems")
    if bad:
        print("problems:", *(f"{s.path.name}: {'blank' if s.blank else '; '.join(s.problems)}" for s in bad),
              sep="\n  ", file=sys.stderr)
    return 1 if bad else 0
